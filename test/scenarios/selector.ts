// Which messages a `deliver`, `drop` or `restore` command means: a link `a->b` (either end may be
// `*`), and optionally `type=propose` and `key=k`. Written back canonically, so `restore` can name
// the rule `drop` added.
import type { Envelope, PaxosMessage } from '../../src/index.js';
import { ScenarioCommandError, type CommandArgs } from './args.js';

export interface Selector {
  readonly matches: (envelope: Envelope) => boolean;
  /** Canonical text: `a->*`, `a->b type=propose key=k`… */
  readonly text: string;
  /** True when nothing narrows it: every message. */
  readonly everything: boolean;
}

/** Every message type, checked by the compiler against the protocol's union. */
const MESSAGE_TYPES: Record<PaxosMessage['type'], true> = {
  forward: true,
  prepare: true,
  promise: true,
  propose: true,
  acknowledge: true,
  reject: true,
  decide: true,
  query: true,
  state: true,
};

const LINK = /^([^\s>-]+|\*)->([^\s>-]+|\*)$/;

/** `a->b` as its two ends, or `null` if `word` is no link; `*` (any node) only where allowed. */
export function parseLink(word: string, wildcards = true): { from: string; to: string } | null {
  const match = LINK.exec(word);
  if (!match) return null;
  const [, from, to] = match as unknown as [string, string, string];
  if (!wildcards && (from === '*' || to === '*')) return null;
  return { from, to };
}

/** Reads a selector from `args`: the link among the positional words, and the type and key options. */
export function readSelector(args: CommandArgs): Selector {
  const links = args.positional.filter((word) => LINK.test(word));
  if (links.length > 1)
    throw new ScenarioCommandError(`${args.name}: one link at most, got ${links.join(' ')}`);
  const { from, to } = (links[0] && parseLink(links[0])) || { from: '*', to: '*' };
  const type = args.option('type');
  if (type !== undefined && !Object.hasOwn(MESSAGE_TYPES, type))
    throw new ScenarioCommandError(`${args.name}: unknown message type ${type}`);
  const key = args.option('key');
  const parts = [`${from}->${to}`, ...(type ? [`type=${type}`] : []), ...(key ? [`key=${key}`] : [])];
  return {
    text: parts.join(' '),
    everything: from === '*' && to === '*' && type === undefined && key === undefined,
    matches: (envelope) =>
      (from === '*' || envelope.from === from) &&
      (to === '*' || envelope.to === to) &&
      (type === undefined || envelope.message.type === type) &&
      (key === undefined || envelope.key === key),
  };
}

/** The positional words of `args` that are not links (counts, node names…). */
export function wordsBesideLink(args: CommandArgs): string[] {
  return args.positional.filter((word) => !LINK.test(word));
}
