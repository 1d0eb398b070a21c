// fast-check generators for the Paxos core's plain data: small rounds and a few nodes, so
// equal and colliding ballots are common (that is where ordering bugs live).
import fc from 'fast-check';
import type { Ballot } from '../../src/paxos/ballot.js';
import type { AcceptedProposal } from '../../src/paxos/messages.js';

export const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;

export const node = fc.constantFrom(...NODES);

export const ballot: fc.Arbitrary<Ballot> = fc.record({ round: fc.integer({ min: 0, max: 6 }), node });

export const optionalBallot: fc.Arbitrary<Ballot | null> = fc.option(ballot, { nil: null });

export const value = fc.constantFrom('A', 'B', 'C');

export const accepted: fc.Arbitrary<AcceptedProposal | null> = fc.option(fc.record({ ballot, value }), {
  nil: null,
});

/** One request an acceptor may receive, in any order, duplicated or stale. */
export type AcceptorRequest =
  | { readonly type: 'prepare'; readonly ballot: Ballot }
  | { readonly type: 'propose'; readonly ballot: Ballot; readonly value: string };

/**
 * The value a correct proposer sends in `ballot`. Paxos assumes one value per ballot (a
 * proposer computes its phase 2a value once per ballot and never reuses a ballot), and the
 * acceptor relies on it: a second propose of the same ballot with another value is
 * acknowledged without replacing the value (see acceptor.property.test.ts).
 */
export function valueOfBallot(b: Ballot): string {
  return ['A', 'B', 'C'][(b.round + NODES.indexOf(b.node as (typeof NODES)[number])) % 3] as string;
}

export const acceptorRequest: fc.Arbitrary<AcceptorRequest> = fc.oneof(
  fc.record({ type: fc.constant('prepare' as const), ballot }),
  ballot.map((b) => ({ type: 'propose' as const, ballot: b, value: valueOfBallot(b) })),
);
