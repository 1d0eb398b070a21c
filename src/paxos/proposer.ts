// The proposer's choices (Paxos Made Simple §2.2, phases 1a and 2a). Pure.
import { compareBallots, type Ballot } from './ballot.js';
import type { AcceptedProposal, PaxosValue } from './messages.js';

export interface PromiseReceived {
  readonly from: string;
  readonly accepted: AcceptedProposal | null;
}

/**
 * P2c: the value to propose is the one accepted in the highest ballot among the promises of a
 * quorum; only if no acceptor of that quorum accepted anything may the proposer use its own.
 * The original paxos_fsm always proposed its own value here, so it could overwrite a value
 * that was already chosen. Returns `undefined` when there is nothing to propose.
 */
export function chooseValue(
  promises: readonly PromiseReceived[],
  own: { readonly value: PaxosValue } | null,
): { readonly value: PaxosValue } | undefined {
  let best: AcceptedProposal | null = null;
  for (const promise of promises) {
    if (promise.accepted !== null && compareBallots(promise.accepted.ballot, best?.ballot ?? null) > 0) {
      best = promise.accepted;
    }
  }
  if (best !== null) return { value: best.value };
  return own ?? undefined;
}

/** The highest round mentioned by any of these ballots. */
export function highestRound(...ballots: readonly (Ballot | null | undefined)[]): number {
  let round = 0;
  for (const ballot of ballots) if (ballot && ballot.round > round) round = ballot.round;
  return round;
}
