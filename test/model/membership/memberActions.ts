// The membership model's actions as numbers (kind, node, argument), as the explorer stores them,
// and each one described in words for the counterexample traces.
import { formatBallot } from '../../../src/paxos/ballot.js';
import type { MemberCore } from './memberCore.js';
import type { MemberWorld } from './memberWorld.js';

const KINDS = [
  'ask',
  'timeout',
  'adopt',
  'learnDone',
  'crash',
  'loseDisk',
  'report',
  'deliver',
  'decideConfig',
  'merge',
  'recover',
  'complete',
] as const;
type Kind = (typeof KINDS)[number];

export function encode(kind: Kind, node = 0, arg = 0): number {
  return KINDS.indexOf(kind) + 16 * (node + 8 * arg);
}
export function decode(code: number): { kind: Kind; node: number; arg: number } {
  return { kind: KINDS[code % 16] as Kind, node: Math.floor(code / 16) % 8, arg: Math.floor(code / 128) };
}

/** One action, for traces. */
export function describeAction(model: MemberCore, world: MemberWorld, code: number): string {
  const { kind, node, arg } = decode(code);
  const who = model.name(node);
  switch (kind) {
    case 'deliver': {
      const e = model.messages.get(arg);
      const m = e.message;
      const detail =
        'ballot' in m
          ? ` ${formatBallot(m.ballot)}${'value' in m ? ` ${String(m.value)}` : ''}${'accepted' in m && m.accepted ? ` (accepted ${formatBallot(m.accepted.ballot)} ${String(m.accepted.value)})` : ''}`
          : 'value' in m
            ? ` ${String(m.value)}`
            : '';
      return `${e.from} → ${e.to} [cfg ${e.cfg}]: ${m.type}${detail}`;
    }
    case 'ask':
      return `${who} is asked ${String(model.scenario.asks[who])}`;
    case 'timeout':
      return `${who} times out and starts a new ballot`;
    case 'adopt':
      return `${who} adopts configuration ${model.node(world, node).adopted + 1} (fence: epoch ${model.configAt(model.node(world, node).adopted + 1).epoch})`;
    case 'learnDone':
      return `${who} learns epoch ${world.completeEpoch} complete`;
    case 'crash':
      return `${who} crashes and restarts from its durable state`;
    case 'loseDisk':
      return `${who} loses its disk (never votes again)`;
    case 'report':
      return `${who} reports to the rescanner`;
    case 'decideConfig':
      return `configuration ${world.cfgDecided + 1} [${model.configAt(world.cfgDecided + 1).voters.join(', ')}] (epoch ${model.configAt(world.cfgDecided + 1).epoch}) is decided`;
    case 'merge':
      return 'the rescanner merges the reports';
    case 'recover':
      return 'the rescanner starts a recovery ballot';
    case 'complete':
      return `epoch ${model.configAt(world.cfgDecided).epoch} is complete (\\0done decided)`;
  }
}
