// Properties of ballots and quorums: the total order every comparison relies on, and the
// intersection of any two quorums that all of Paxos Made Simple §2.2's safety rests on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ballotsEqual, compareBallots, nextBallot } from '../../src/paxos/ballot.js';
import { addSender, hasQuorum, majority } from '../../src/paxos/quorum.js';
import { assertProperty } from '../support/property.js';
import { ballot, node, NODES, optionalBallot } from './arbitraries.js';

const sign = (n: number): number => Math.sign(n);

describe('ballots (fast-check)', () => {
  it('compareBallots is a total order with ⊥ below everything', () => {
    assertProperty(
      'ballot total order',
      fc.property(optionalBallot, optionalBallot, optionalBallot, (a, b, c) => {
        expect(sign(compareBallots(a, b)) + sign(compareBallots(b, a))).toBe(0);
        if (compareBallots(a, b) <= 0 && compareBallots(b, c) <= 0)
          expect(compareBallots(a, c)).toBeLessThanOrEqual(0);
        expect(ballotsEqual(a, b)).toBe(
          a === null ? b === null : b !== null && a.round === b.round && a.node === b.node,
        );
        if (a !== null) expect(compareBallots(null, a)).toBeLessThan(0);
      }),
    );
  });

  it('nextBallot is above every ballot of the rounds seen, whoever owns it', () => {
    assertProperty(
      'nextBallot above seen',
      fc.property(node, fc.array(ballot), (owner, seen) => {
        const highest = Math.max(0, ...seen.map((b) => b.round));
        const next = nextBallot(owner, highest);
        for (const b of seen) expect(compareBallots(next, b)).toBeGreaterThan(0);
        expect(next.node).toBe(owner);
      }),
    );
  });
});

describe('quorums (fast-check)', () => {
  it('any two quorums of the same membership intersect', () => {
    assertProperty(
      'quorum intersection',
      fc.property(
        fc.integer({ min: 1, max: NODES.length }).chain((size) => {
          const members = NODES.slice(0, size);
          return fc.tuple(fc.constant(members), fc.subarray(members), fc.subarray(members));
        }),
        ([members, q1, q2]) => {
          if (!hasQuorum(q1, members.length) || !hasQuorum(q2, members.length)) return;
          expect(q1.some((m) => q2.includes(m))).toBe(true);
        },
      ),
    );
    for (let n = 1; n <= 9; n++) expect(2 * majority(n)).toBeGreaterThan(n);
  });

  it('duplicated replies are not votes: senders are counted once', () => {
    assertProperty(
      'distinct senders',
      fc.property(fc.array(node, { maxLength: 30 }), (replies) => {
        const senders = replies.reduce<readonly string[]>((acc, from) => addSender(acc, from), []);
        expect(senders.length).toBe(new Set(replies).size);
        for (const from of senders) expect(addSender(senders, from)).toBe(senders);
        expect(hasQuorum(senders, NODES.length)).toBe(new Set(replies).size >= majority(NODES.length));
      }),
    );
  });
});
