// Quorum reads (docs/membership.md §8.3): what a member answers to a `query`, and what the reader
// concludes from the answers. Pure. The caller sends `query` to the voters, counts its own durable
// record as one answer, and calls `readOutcome` after each answer until it is not `waiting`.
import { compareBallots, epochOf } from './ballot.js';
import type { AcceptedProposal, PaxosValue, StateMessage } from './messages.js';
import { hasFastQuorum, hasQuorum } from './quorum.js';
import type { KeyRecord } from './record.js';
import { valuesEqual } from './valueEquality.js';

/** What one voter durably holds for the key, as its `state` reply says. */
export interface ReadReply {
  readonly from: string;
  readonly accepted: AcceptedProposal | null;
  readonly decided: { readonly value: PaxosValue } | null;
}

/**
 * Whose answers a read needs (§8.3): the voters of the reader's configuration and, while its epoch
 * is in transition, the previous voters, a majority of whom the read must include too (like phase
 * 1: a value the old voters chose may not have reached the new ones yet). A ConfigView is one.
 */
export interface ReadView {
  readonly voters: readonly string[];
  /** The epoch of the configuration (absent: 0). */
  readonly epoch?: number;
  /** The previous epoch's voters while the transition runs; absent or null otherwise. */
  readonly previousVoters?: readonly string[] | null;
}

/** Whose answers count: the voters, and the previous ones in transition. */
export function readers(view: ReadView): readonly string[] {
  const previous = view.previousVoters ?? [];
  return previous.length === 0 ? view.voters : [...new Set([...view.voters, ...previous])];
}

export type ReadOutcome =
  /** Not enough answers yet to conclude anything: wait for more (or time out). */
  | { readonly type: 'waiting' }
  /**
   * `value` is chosen: an answer holds it decided, or a phase-2 quorum of its ballot accepted it
   * (`proof`). Either proves the choice, so the read answers it at once.
   */
  | { readonly type: 'chosen'; readonly value: PaxosValue; readonly proof: 'decided' | 'accepted' }
  /** A phase-1 quorum answered and none of them accepted anything: no value can have been chosen. */
  | { readonly type: 'not-decided' }
  /**
   * A phase-1 quorum answered, some holding acceptances, none proving a choice: a value may have
   * been chosen by voters that did not answer. Run the key's instance to a decision (phase 1 and 2,
   * which adopt what P2c requires) and answer its value; `value` is the one to propose if phase 1
   * finds nothing — the highest-ballot acceptance seen, which some client asked for.
   */
  | { readonly type: 'recover'; readonly value: PaxosValue };

/** The `state` a member answers a `query` with: its record of the key, promise left out. */
export function stateReply(record: KeyRecord, read: number): StateMessage {
  return {
    type: 'state',
    read,
    accepted: record.accepted,
    decided: record.decided === null ? null : { value: record.decided.value },
  };
}

/**
 * The reader's conclusion from the answers so far (distinct voters; answers from others are
 * ignored). Linearizable: "not decided" needs a phase-1 quorum without an acceptance — any value
 * chosen before the read started was accepted by a phase-2 quorum, which meets every phase-1
 * quorum, and an acceptance is only ever replaced by a higher-ballot one of the chosen value
 * (Paxos Made Simple §2.2, P2c) or kept beside the decision.
 */
export function readOutcome(view: ReadView, replies: readonly ReadReply[]): ReadOutcome {
  const counted = readers(view);
  const answers = replies.filter(
    (reply, index) =>
      counted.includes(reply.from) && replies.findIndex((other) => other.from === reply.from) === index,
  );
  const decided = answers.find((reply) => reply.decided !== null);
  if (decided?.decided) return { type: 'chosen', value: decided.decided.value, proof: 'decided' };
  const proven = acceptedByPhase2Quorum(view, answers);
  if (proven !== null) return { type: 'chosen', value: proven.value, proof: 'accepted' };
  const sets = view.previousVoters ? [view.previousVoters, view.voters] : [view.voters];
  if (
    !hasQuorum(
      answers.map((reply) => reply.from),
      sets,
    )
  )
    return { type: 'waiting' };
  const highest = highestAcceptance(answers);
  return highest === null ? { type: 'not-decided' } : { type: 'recover', value: highest.value };
}

/**
 * A proposal that a phase-2 quorum of its ballot accepted, among the answers: a majority of the
 * voters for a ballot with a phase 1; every voter but the owner for the owner's round 0, where the
 * owner does not vote (quorum.ts) and a mere majority proves nothing.
 */
function acceptedByPhase2Quorum(view: ReadView, answers: readonly ReadReply[]): AcceptedProposal | null {
  for (const candidate of answers) {
    const proposal = candidate.accepted;
    if (proposal === null) continue;
    const senders = answers
      .filter(
        (reply) =>
          reply.accepted !== null &&
          compareBallots(reply.accepted.ballot, proposal.ballot) === 0 &&
          valuesEqual(reply.accepted.value, proposal.value),
      )
      .map((reply) => reply.from);
    // The ballot's own voters: the view's for its epoch, the previous ones for the epoch before
    // during a transition; an acceptance of any other epoch proves nothing here.
    const epoch = epochOf(proposal.ballot);
    const voters =
      epoch === (view.epoch ?? 0)
        ? view.voters
        : view.previousVoters && epoch === (view.epoch ?? 0) - 1
          ? view.previousVoters
          : null;
    if (voters === null) continue;
    const quorum =
      proposal.ballot.round === 0
        ? hasFastQuorum(senders, proposal.ballot.node, voters)
        : hasQuorum(senders, [voters]);
    if (quorum) return proposal;
  }
  return null;
}

function highestAcceptance(answers: readonly ReadReply[]): AcceptedProposal | null {
  let highest: AcceptedProposal | null = null;
  for (const { accepted } of answers)
    if (accepted !== null && (highest === null || compareBallots(accepted.ballot, highest.ballot) > 0))
      highest = accepted;
  return highest;
}
