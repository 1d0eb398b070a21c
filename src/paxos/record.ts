// The durable state of one key on one node: what its acceptor promised and accepted, and
// what its learner knows to be decided. Pure data; the storage layer writes it whole.
import type { Ballot } from './ballot.js';
import type { AcceptedProposal, PaxosValue } from './messages.js';

export interface Decision {
  readonly value: PaxosValue;
}

export interface KeyRecord {
  /** The highest ballot this acceptor promised (phase 1b); also bounds the node's own rounds. */
  readonly promised: Ballot | null;
  /** The highest-ballot proposal this acceptor accepted (phase 2b). */
  readonly accepted: AcceptedProposal | null;
  /** The chosen value, once this node has learned it. */
  readonly decided: Decision | null;
}

export const EMPTY_RECORD: KeyRecord = { promised: null, accepted: null, decided: null };

/** Nothing promised, accepted or decided: the key is fresh on this node. */
export function isFresh(record: KeyRecord): boolean {
  return record.promised === null && record.accepted === null && record.decided === null;
}
