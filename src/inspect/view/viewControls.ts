// The controls a page may use in `gen-paxos demo --ui`: crash and restart a node, cut it off
// from its peers and heal, make every link lose or delay messages; and for teaching: switch
// teaching mode (classic Paxos, a key at a time), hold every message for delivery by hand and
// release them one by one, ask a key, pause the demo's own asks. The demo implements them (it
// owns the node processes); the page server only validates requests and forwards them.
import { RELEASE_HOWS, type ReleaseHow } from './model/viewEvents.js';

export type ControlRequest =
  | { readonly action: 'crash'; readonly node: string }
  | { readonly action: 'restart'; readonly node: string }
  | { readonly action: 'isolate'; readonly node: string }
  | { readonly action: 'heal' }
  | {
      readonly action: 'network';
      readonly dropRate: number;
      readonly delayMs: number;
      /** Default: half the delay (messages overtake each other). */
      readonly jitterMs?: number;
    }
  /** Teaching mode on or off: the demo restarts its nodes with classic Paxos (or its defaults). */
  | { readonly action: 'teach'; readonly on: boolean }
  /** Delivery by hand on or off, on every node (off delivers what waits). */
  | { readonly action: 'hold'; readonly on: boolean }
  /** Release message `id` held by `node`. */
  | { readonly action: 'release'; readonly node: string; readonly id: number; readonly how: ReleaseHow }
  /** Deliver every held message. */
  | { readonly action: 'release-all' }
  | { readonly action: 'ask'; readonly node: string; readonly key: string; readonly value: string }
  /** The demo's own asks on or off. */
  | { readonly action: 'autoask'; readonly on: boolean };

/** The demo's switches, as the page shows them. */
export interface ControlState {
  readonly teach: boolean;
  readonly hold: boolean;
  readonly autoAsk: boolean;
  readonly dropRate: number;
  readonly delayMs: number;
  readonly jitterMs: number;
}

export interface ViewControls {
  /** The nodes a request may name. */
  readonly nodes: readonly string[];
  /** The switches now (sent in /config.json and with every control's answer). */
  state(): ControlState;
  /** Carries out `request`; resolves with a line for the page, rejects with a reason. */
  run(request: ControlRequest): Promise<string>;
}

/** Highest injected delay the page may ask for. */
export const MAX_CONTROL_DELAY_MS = 5_000;
/** Keys and values a page may ask: short, printable. */
const MAX_ASK_TEXT = 64;
const ASK_KEY = /^[\w.:-]+$/;

const isDelay = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_CONTROL_DELAY_MS;

/** The request in `raw` (parsed JSON), or a reason it is not one. */
export function parseControlRequest(raw: unknown, nodes: readonly string[]): ControlRequest | string {
  if (typeof raw !== 'object' || raw === null) return 'expected a JSON object';
  const r = raw as Record<string, unknown>;
  const node = (): string | null => (typeof r.node === 'string' && nodes.includes(r.node) ? r.node : null);
  switch (r.action) {
    case 'crash':
    case 'restart':
    case 'isolate': {
      const id = node();
      return id === null ? `unknown node ${JSON.stringify(r.node)}` : { action: r.action, node: id };
    }
    case 'heal':
    case 'release-all':
      return { action: r.action };
    case 'network': {
      const { dropRate, delayMs, jitterMs } = r;
      if (typeof dropRate !== 'number' || !(dropRate >= 0 && dropRate <= 1))
        return 'dropRate must be in [0, 1]';
      if (!isDelay(delayMs)) return `delayMs must be an integer in [0, ${MAX_CONTROL_DELAY_MS}]`;
      if (jitterMs !== undefined && !isDelay(jitterMs))
        return `jitterMs must be an integer in [0, ${MAX_CONTROL_DELAY_MS}]`;
      return { action: 'network', dropRate, delayMs, ...(jitterMs !== undefined ? { jitterMs } : {}) };
    }
    case 'teach':
    case 'hold':
    case 'autoask':
      if (typeof r.on !== 'boolean') return `${r.action} needs "on": true or false`;
      return { action: r.action, on: r.on };
    case 'release': {
      const id = node();
      if (id === null) return `unknown node ${JSON.stringify(r.node)}`;
      if (typeof r.id !== 'number' || !Number.isSafeInteger(r.id) || r.id < 0)
        return 'id must be a message id';
      if (!RELEASE_HOWS.includes(r.how as ReleaseHow)) return `how must be one of ${RELEASE_HOWS.join(', ')}`;
      return { action: 'release', node: id, id: r.id, how: r.how as ReleaseHow };
    }
    case 'ask': {
      const id = node();
      if (id === null) return `unknown node ${JSON.stringify(r.node)}`;
      const { key, value } = r;
      if (typeof key !== 'string' || key.length > MAX_ASK_TEXT || !ASK_KEY.test(key))
        return `key must be 1 to ${MAX_ASK_TEXT} letters, digits or . _ : -`;
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ASK_TEXT)
        return `value must be a text of 1 to ${MAX_ASK_TEXT} characters`;
      return { action: 'ask', node: id, key, value };
    }
    default:
      return `unknown action ${JSON.stringify(r.action)}`;
  }
}
