// The learner (Paxos Made Simple §2.3) and what a decided key answers. Pure. One set of rules for
// every path: the instance machine's `decided` state and a retired key answered from its record
// (keyStep.ts) reply alike.
import type { Effect } from './effects.js';
import type { PaxosMessage, PaxosValue } from './messages.js';
import type { Decision, KeyRecord } from './record.js';

/**
 * The chosen value is learned here: the asks waiting for it are answered (once the writes the
 * decision rests on are durable: the runner holds the effect behind them), and the decision is
 * written so the node answers from its record after a restart.
 */
export function learnEffects(key: string, record: KeyRecord, value: PaxosValue): Effect[] {
  const decided: Decision = { value };
  return [
    { type: 'decided', key, value },
    { type: 'persist', key, record: { promised: record.promised, accepted: record.accepted, decided } },
  ];
}

/**
 * What a key decided here answers. A member's request (prepare, propose, forward) is answered
 * with the decision, never with a vote: the sender is behind and learns the value. Replies and
 * decides need nothing — two decided nodes answering each other's decide for ever was a defect
 * of the original paxos_fsm.
 */
export function decidedReply(key: string, decided: Decision, from: string, message: PaxosMessage): Effect[] {
  switch (message.type) {
    case 'prepare':
    case 'propose':
    case 'forward':
      return [{ type: 'send', key, to: from, message: { type: 'decide', value: decided.value } }];
    default:
      return [];
  }
}

/** A local ask of a key decided here: its answer is the decision. */
export function decidedAnswer(key: string, decided: Decision): Effect[] {
  return [{ type: 'answer', key, value: decided.value }];
}
