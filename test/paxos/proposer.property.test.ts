// Properties of the proposer's choices (Paxos Made Simple §2.2, P2c): the value proposed in
// phase 2a is the one accepted in the highest ballot among the quorum's promises, else its own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBallots, formatBallot } from '../../src/paxos/ballot.js';
import type { AcceptedProposal } from '../../src/paxos/messages.js';
import { chooseValue, highestRound, type PromiseReceived } from '../../src/paxos/proposer.js';
import { assertProperty } from '../support/property.js';
import { accepted, NODES, optionalBallot, value } from './arbitraries.js';

/**
 * Promises from distinct senders. In Paxos one ballot carries one value, so proposals that
 * share a ballot are given the same value (the first one generated).
 */
const promises: fc.Arbitrary<PromiseReceived[]> = fc
  .subarray([...NODES], { minLength: 1 })
  .chain((senders) =>
    fc.tuple(
      fc.constant(senders),
      fc.array(accepted, { minLength: senders.length, maxLength: senders.length }),
    ),
  )
  .map(([senders, proposals]) => {
    const valueOf = new Map<string, AcceptedProposal['value']>();
    return senders.map((from, i) => {
      const proposal = proposals[i] ?? null;
      if (proposal === null) return { from, accepted: null };
      const key = formatBallot(proposal.ballot);
      if (!valueOf.has(key)) valueOf.set(key, proposal.value);
      return { from, accepted: { ballot: proposal.ballot, value: valueOf.get(key) ?? proposal.value } };
    });
  });

describe('proposer choices (fast-check)', () => {
  it('P2c: the highest-ballot accepted value wins; the own value only when nothing was accepted', () => {
    assertProperty(
      'P2c choice',
      fc.property(promises, fc.option(fc.record({ value }), { nil: null }), (received, own) => {
        const proposals = received.flatMap((p) => (p.accepted === null ? [] : [p.accepted]));
        const chosen = chooseValue(received, own);
        if (proposals.length === 0) {
          expect(chosen).toEqual(own ?? undefined);
          return;
        }
        const highest = [...proposals].sort((a, b) =>
          compareBallots(b.ballot, a.ballot),
        )[0] as AcceptedProposal;
        expect(chosen).toEqual({ value: highest.value });
      }),
    );
  });

  it('the choice does not depend on the order the promises arrived in', () => {
    assertProperty(
      'order independence',
      fc.property(
        promises.chain((received) =>
          fc.tuple(fc.constant(received), fc.shuffledSubarray(received, { minLength: received.length })),
        ),
        fc.option(fc.record({ value }), { nil: null }),
        ([received, shuffled], own) => {
          expect(chooseValue(shuffled, own)).toEqual(chooseValue(received, own));
        },
      ),
    );
  });

  it('highestRound is the largest round mentioned, 0 for none', () => {
    assertProperty(
      'highestRound',
      fc.property(fc.array(optionalBallot), (ballots) => {
        const rounds = ballots.flatMap((b) => (b === null ? [] : [b.round]));
        expect(highestRound(...ballots)).toBe(Math.max(0, ...rounds));
      }),
    );
  });
});
