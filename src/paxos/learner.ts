// The learner (Paxos Made Simple §2.3) and what a decided key answers. Pure. One set of rules for
// every path: the instance machine's `decided` state and a retired key answered from its record
// (keyStep.ts) reply alike.
import type { Effect } from './effects.js';
import type { PaxosMessage, PaxosValue } from './messages.js';
import type { Decision, KeyRecord } from './record.js';

/**
 * The chosen value is learned here: the decision is written, so the node answers from its record
 * after a restart, and the asks waiting for it are answered (the `decided` effect; the runner holds
 * it behind the key's writes issued before it).
 *
 * Read-your-writes (docs/membership.md §8.2, rule 2): an ask is answered only once this node's
 * durable record implies the answer, so that its reads return the value after a crash too. If the
 * record holds an acceptance, it does once that acceptance is durable: after a crash a local read
 * of a key accepted but not decided is resolved with a quorum read, which finds the chosen value.
 * Otherwise (a member outside the deciding majority, learning from a `decide`) the answer waits for
 * the decided record itself. The one exception is `ownFastRound`: the owner deciding its round 0,
 * where it does not vote (fast-path.md). Its answer rests on every other member's durable vote and
 * leaves at once — waiting for its own decided write would put a second commit on the critical path
 * the fast round exists to avoid — so until that write lands a crash of the owner loses
 * read-your-writes there (a quorum read still finds the value).
 */
export function learnEffects(
  key: string,
  record: KeyRecord,
  value: PaxosValue,
  options: { readonly ownFastRound?: boolean } = {},
): Effect[] {
  const decided: Decision = { value };
  const persist: Effect = {
    type: 'persist',
    key,
    record: { promised: record.promised, accepted: record.accepted, decided },
  };
  const answer: Effect = { type: 'decided', key, value };
  return record.accepted !== null || options.ownFastRound === true ? [answer, persist] : [persist, answer];
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

/**
 * What a local ask of a key decided here is answered with: the decision, whatever else the key is
 * doing (a decided value never changes). The key's step answers so (`decidedAnswer`); a node may
 * also answer so before any step, from what it knows chosen (node/keyReads.ts), and skip a trip
 * through its mailbox.
 */
export function answerOfDecided(decided: Decision): PaxosValue {
  return decided.value;
}

/** A local ask of a key decided here, as its step's effects: `answerOfDecided`. */
export function decidedAnswer(key: string, decided: Decision): Effect[] {
  return [{ type: 'answer', key, value: answerOfDecided(decided) }];
}
