// The acceptor's two step functions (Paxos Made Simple §2.2). Pure.
// The caller must persist `state` (when `changed`) before `reply` leaves the node: a reply
// reveals a promise or an acceptance, and a node that forgot it after a crash could break
// agreement.
import { compareBallots, type Ballot } from './ballot.js';
import type { AcknowledgeMessage, PaxosValue, PromiseMessage, RejectMessage } from './messages.js';
import type { KeyRecord } from './record.js';

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
 * also promises `ballot`, so no lower ballot can be accepted afterwards.
 */
export function handlePropose(
  state: AcceptorState,
  ballot: Ballot,
  value: PaxosValue,
): AcceptorStep<AcknowledgeMessage> {
  if (state.promised !== null && compareBallots(ballot, state.promised) < 0) {
    return reject(state, ballot, state.promised);
  }
  const changed =
    compareBallots(ballot, state.promised) !== 0 ||
    state.accepted === null ||
    compareBallots(ballot, state.accepted.ballot) !== 0;
  return {
    outcome: 'granted',
    state: changed ? { promised: ballot, accepted: { ballot, value } } : state,
    changed,
    reply: { type: 'acknowledge', ballot },
  };
}

function reject(state: AcceptorState, ballot: Ballot, promised: Ballot): AcceptorStep<never> {
  return { outcome: 'rejected', state, changed: false, reply: { type: 'reject', ballot, promised } };
}
