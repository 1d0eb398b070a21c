// Which messages a `deliver`, `drop` or `restore` command means: a link `a->b` (either end may be
// `*`), and optionally `type=propose` and `key=k`. Written back canonically, so `restore` can name
// the rule `drop` added.
import type { Envelope, PaxosMessageType } from '../../src/paxos/messages.js';
import { PAXOS_MESSAGE_TYPES } from '../../src/paxos/messages.js';
import { ScenarioCommandError, type CommandArgs } from './args.js';

export interface Selector {
  readonly matches: (envelope: Envelope) => boolean;
  /** Canonical text: `a->*`, `a->b type=propose key=k`… */
  readonly text: string;
  /** True when nothing narrows it: every message. */
  readonly everything: boolean;
}

const LINK = /^([^\s>-]+|\*)->([^\s>-]+|\*)$/;

/** Reads a selector from `args`: the link among the positional words, and the type and key options. */
export function readSelector(args: CommandArgs): Selector {
  const links = args.positional.filter((word) => LINK.test(word));
  if (links.length > 1)
    throw new ScenarioCommandError(`${args.name}: one link at most, got ${links.join(' ')}`);
  const [, from = '*', to = '*'] = links[0] ? (LINK.exec(links[0]) as RegExpExecArray) : [];
  const type = args.option('type');
  if (type !== undefined && !(PAXOS_MESSAGE_TYPES as readonly string[]).includes(type))
    throw new ScenarioCommandError(`${args.name}: unknown message type ${type}`);
  const key = args.option('key');
  const parts = [`${from}->${to}`, ...(type ? [`type=${type}`] : []), ...(key ? [`key=${key}`] : [])];
  return {
    text: parts.join(' '),
    everything: from === '*' && to === '*' && type === undefined && key === undefined,
    matches: (envelope) =>
      (from === '*' || envelope.from === from) &&
      (to === '*' || envelope.to === to) &&
      (type === undefined || envelope.message.type === (type as PaxosMessageType)) &&
      (key === undefined || envelope.key === key),
  };
}

/** The positional words of `args` that are not links (counts, node names…). */
export function wordsBesideLink(args: CommandArgs): string[] {
  return args.positional.filter((word) => !LINK.test(word));
}
