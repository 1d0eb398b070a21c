// The acceptor (Paxos Made Simple §2.2, phases 1b and 2b). Pure. One step serves every path that
// votes: the instance machine's all-state handlers and a key with no instance (keyStep.ts).
// The caller must persist the new record before the reply leaves the node: a reply reveals a
// promise or an acceptance, and a node that forgot it after a crash could break agreement. The
// effects `acceptorStep` returns are in that order (persist, then send).
import { compareBallots, epochOf, type Ballot } from './ballot.js';
import type { Effect, RefusalReason } from './effects.js';
import type {
  AcknowledgeMessage,
  PaxosValue,
  PrepareMessage,
  PromiseMessage,
  ProposeMessage,
  RejectMessage,
} from './messages.js';
import type { KeyRecord } from './record.js';
import { valuesEqual } from './valueEquality.js';

export type AcceptorState = Pick<KeyRecord, 'promised' | 'accepted'>;

export type AcceptorStep<TReply> =
  | {
      readonly outcome: 'granted';
      readonly state: AcceptorState;
      readonly changed: boolean;
      readonly reply: TReply;
    }
  | {
      readonly outcome: 'rejected';
      readonly state: AcceptorState;
      readonly changed: false;
      readonly reply: RejectMessage;
    };

/**
 * Phase 1b. Promise `ballot` iff it is at least the promised one; the promise carries the
 * highest-ballot proposal accepted so far, which the proposer must adopt (P2c).
 * `≥` rather than `>` makes a duplicated prepare harmless: the same promise is repeated.
 */
export function handlePrepare(state: AcceptorState, ballot: Ballot): AcceptorStep<PromiseMessage> {
  if (state.promised !== null && compareBallots(ballot, state.promised) < 0) {
    return reject(state, ballot, state.promised);
  }
  const changed = compareBallots(ballot, state.promised) !== 0;
  return {
    outcome: 'granted',
    state: changed ? { promised: ballot, accepted: state.accepted } : state,
    changed,
    reply: { type: 'promise', ballot, accepted: state.accepted },
  };
}

/**
 * Phase 2b. Accept (`ballot`, `value`) iff `ballot` is at least the promised one. Accepting
 * also promises `ballot`, so no lower ballot can be accepted afterwards. A second propose of the
 * ballot already accepted is acknowledged again only with the same value (a duplicate); another
 * value in the same ballot is rejected, since an acknowledgement does not say which value it is
 * for and the proposer would count a vote the acceptor never cast.
 */
export function handlePropose(
  state: AcceptorState,
  ballot: Ballot,
  value: PaxosValue,
  boot?: number,
): AcceptorStep<AcknowledgeMessage> {
  if (state.promised !== null && compareBallots(ballot, state.promised) < 0) {
    return reject(state, ballot, state.promised);
  }
  const accepted = state.accepted;
  const sameBallot = accepted !== null && compareBallots(ballot, accepted.ballot) === 0;
  if (sameBallot && !valuesEqual(value, accepted.value)) return reject(state, ballot, ballot);
  const changed = compareBallots(ballot, state.promised) !== 0 || !sameBallot;
  return {
    outcome: 'granted',
    state: changed ? { promised: ballot, accepted: { ballot, value } } : state,
    changed,
    reply: boot === undefined ? { type: 'acknowledge', ballot } : { type: 'acknowledge', ballot, boot },
  };
}

function reject(state: AcceptorState, ballot: Ballot, promised: Ballot): AcceptorStep<never> {
  return { outcome: 'rejected', state, changed: false, reply: { type: 'reject', ballot, promised } };
}

/** What the acceptor knows besides its record: the key, and who may use round 0 for it. */
export interface AcceptorContext {
  readonly key: string;
  /**
   * The key's owner (owner.ts) in the ballot's epoch, the only member that may skip phase 1;
   * null: nobody may.
   */
  readonly owner: string | null;
  /**
   * The node's epoch fence (config.ts `adopt`): ballots of a lower epoch are refused. Absent
   * means 0, which refuses nothing (one configuration, as before epochs).
   */
  readonly fence?: number;
}

export interface AcceptorOutcome {
  /** True when the acceptor promised or accepted the ballot (now or before, for a duplicate). */
  readonly granted: boolean;
  /** The acceptor's part of the record after the step (the decision is not the acceptor's). */
  readonly state: AcceptorState;
  /** In order: the write of a changed vote, then the reply or the refusal. */
  readonly effects: readonly Effect[];
}

/**
 * One acceptor step for a prepare or propose from member `from`. First the epoch fence: a node
 * that adopted epoch e never votes on a ballot of an older epoch again (docs/membership.md I3).
 * Then three checks a correct member never trips (defence in depth, each counted as a refusal):
 * the ballot must be the sender's own; a round-0 ballot, which skips phase 1, is the key owner's
 * alone; and a ballot accepted with one value never takes another.
 */
export function acceptorStep(
  context: AcceptorContext,
  record: KeyRecord,
  from: string,
  message: PrepareMessage | ProposeMessage,
): AcceptorOutcome {
  const { key } = context;
  const refusal = refusalOf(context, record, from, message);
  if (refusal !== null) {
    const refused: Effect = { type: 'refused', key, from, message: message.type, reason: refusal };
    // A conflicting value comes from a member that lost track of its ballot: tell it to move on.
    const effects: Effect[] =
      refusal === 'conflicting-value'
        ? [
            refused,
            {
              type: 'send',
              key,
              to: from,
              message: { type: 'reject', ballot: message.ballot, promised: message.ballot },
            },
          ]
        : [refused];
    return { granted: false, state: record, effects };
  }
  const step =
    message.type === 'prepare'
      ? handlePrepare(record, message.ballot)
      : handlePropose(record, message.ballot, message.value, message.boot);
  const effects: Effect[] = [];
  // Paxos Made Simple §2.2: the vote is on disk before the reply that reveals it.
  if (step.changed) effects.push({ type: 'persist', key, record: { ...record, ...step.state } });
  effects.push({ type: 'send', key, to: from, message: step.reply });
  return { granted: step.outcome === 'granted', state: step.state, effects };
}

function refusalOf(
  context: AcceptorContext,
  record: AcceptorState,
  from: string,
  message: PrepareMessage | ProposeMessage,
): RefusalReason | null {
  const { ballot } = message;
  if (epochOf(ballot) < (context.fence ?? 0)) return 'below-fence';
  if (ballot.node !== from) return 'forged-ballot';
  if (ballot.round === 0 && from !== context.owner) return 'round-zero-not-owner';
  if (
    message.type === 'propose' &&
    record.accepted !== null &&
    compareBallots(ballot, record.accepted.ballot) === 0 &&
    !valuesEqual(message.value, record.accepted.value)
  )
    return 'conflicting-value';
  return null;
}
