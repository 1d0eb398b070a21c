// The controls a page may use in `gen-paxos demo --ui`: crash and restart a node, cut it off
// from its peers and heal, and make every link lose or delay messages. The demo implements
// them (it owns the node processes); the page server only validates requests and forwards them.

export type ControlRequest =
  | { readonly action: 'crash'; readonly node: string }
  | { readonly action: 'restart'; readonly node: string }
  | { readonly action: 'isolate'; readonly node: string }
  | { readonly action: 'heal' }
  | { readonly action: 'network'; readonly dropRate: number; readonly delayMs: number };

export interface ViewControls {
  /** The nodes a request may name. */
  readonly nodes: readonly string[];
  /** Carries out `request`; resolves with a line for the page, rejects with a reason. */
  run(request: ControlRequest): Promise<string>;
}

/** Highest injected delay the page may ask for. */
export const MAX_CONTROL_DELAY_MS = 5_000;

/** The request in `raw` (parsed JSON), or a reason it is not one. */
export function parseControlRequest(raw: unknown, nodes: readonly string[]): ControlRequest | string {
  if (typeof raw !== 'object' || raw === null) return 'expected a JSON object';
  const r = raw as Record<string, unknown>;
  switch (r.action) {
    case 'crash':
    case 'restart':
    case 'isolate':
      if (typeof r.node !== 'string' || !nodes.includes(r.node))
        return `unknown node ${JSON.stringify(r.node)}`;
      return { action: r.action, node: r.node };
    case 'heal':
      return { action: 'heal' };
    case 'network': {
      const { dropRate, delayMs } = r;
      if (typeof dropRate !== 'number' || !(dropRate >= 0 && dropRate <= 1))
        return 'dropRate must be in [0, 1]';
      if (
        typeof delayMs !== 'number' ||
        !Number.isInteger(delayMs) ||
        delayMs < 0 ||
        delayMs > MAX_CONTROL_DELAY_MS
      )
        return `delayMs must be an integer in [0, ${MAX_CONTROL_DELAY_MS}]`;
      return { action: 'network', dropRate, delayMs };
    }
    default:
      return `unknown action ${JSON.stringify(r.action)}`;
  }
}
