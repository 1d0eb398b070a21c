// Properties of the acceptor's step functions (Paxos Made Simple §2.2, phases 1b and 2b) over
// any sequence of requests: stale, duplicated and reordered ones included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handlePrepare, handlePropose, type AcceptorState } from '../../src/paxos/acceptor.js';
import { compareBallots } from '../../src/paxos/ballot.js';
import { stableStringify } from '../support/stableStringify.js';
import { assertProperty } from '../support/property.js';
import { acceptorRequest, type AcceptorRequest } from './arbitraries.js';

const EMPTY: AcceptorState = { promised: null, accepted: null };

function step(state: AcceptorState, request: AcceptorRequest) {
  return request.type === 'prepare'
    ? handlePrepare(state, request.ballot)
    : handlePropose(state, request.ballot, request.value);
}

describe('acceptor step functions (fast-check)', () => {
  it('the promised ballot never decreases, and accepted never goes above promised', () => {
    assertProperty(
      'promised never decreases',
      fc.property(fc.array(acceptorRequest, { maxLength: 40 }), (requests) => {
        let state = EMPTY;
        for (const request of requests) {
          const next = step(state, request).state;
          // §2.2: an acceptor's promise only ever rises.
          expect(compareBallots(next.promised, state.promised)).toBeGreaterThanOrEqual(0);
          // Accepting a ballot also promises it: nothing lower can be accepted later.
          if (next.accepted !== null)
            expect(compareBallots(next.accepted.ballot, next.promised)).toBeLessThanOrEqual(0);
          // The accepted ballot only rises too.
          expect(
            compareBallots(next.accepted?.ballot ?? null, state.accepted?.ballot ?? null),
          ).toBeGreaterThanOrEqual(0);
          state = next;
        }
      }),
    );
  });

  it('grants exactly the requests at or above the promise; a rejection names the promise', () => {
    assertProperty(
      'grant iff ballot >= promised',
      fc.property(fc.array(acceptorRequest, { maxLength: 20 }), acceptorRequest, (history, request) => {
        const state = history.reduce((s, r) => step(s, r).state, EMPTY);
        const result = step(state, request);
        const atLeastPromised = compareBallots(request.ballot, state.promised) >= 0;
        expect(result.outcome).toBe(atLeastPromised ? 'granted' : 'rejected');
        if (result.outcome === 'rejected') {
          expect(result.reply).toEqual({ type: 'reject', ballot: request.ballot, promised: state.promised });
          expect(result.state).toBe(state);
        }
      }),
    );
  });

  it('a promise carries what was accepted before it (phase 1b), and a grant of 2a accepts exactly (b, v)', () => {
    assertProperty(
      'promise carries accepted',
      fc.property(fc.array(acceptorRequest, { maxLength: 20 }), acceptorRequest, (history, request) => {
        const state = history.reduce((s, r) => step(s, r).state, EMPTY);
        const result = step(state, request);
        if (result.outcome !== 'granted') return;
        if (request.type === 'prepare') {
          expect(result.reply).toEqual({ type: 'promise', ballot: request.ballot, accepted: state.accepted });
          expect(result.state.accepted).toEqual(state.accepted);
        } else {
          expect(result.state).toEqual({
            promised: request.ballot,
            accepted: { ballot: request.ballot, value: request.value },
          });
        }
      }),
    );
  });

  it('`changed` says exactly whether there is something to persist, and a duplicate changes nothing', () => {
    assertProperty(
      'changed flag and duplicates',
      fc.property(fc.array(acceptorRequest, { maxLength: 20 }), acceptorRequest, (history, request) => {
        const state = history.reduce((s, r) => step(s, r).state, EMPTY);
        const first = step(state, request);
        expect(first.changed).toBe(stableStringify(first.state) !== stableStringify(state));
        const again = step(first.state, request);
        expect(again.changed).toBe(false);
        expect(again.reply).toEqual(first.reply);
      }),
    );
  });
});

describe('acceptor: a second value in a ballot already accepted (defence in depth)', () => {
  it('is rejected and the first value kept: an acknowledgement would count a vote never cast', () => {
    // Only a proposer reusing a ballot (one that lost its disk and rejoined as itself) can send
    // this. An acknowledgement does not say which value it is for, so acknowledging would let the
    // proposer count a vote for a value this acceptor does not hold.
    const b = { round: 1, node: 'n1' };
    const first = handlePropose(EMPTY, b, 'A');
    const second = handlePropose(first.state, b, 'C');
    expect(second.outcome).toBe('rejected');
    expect(second.changed).toBe(false);
    expect(second.state.accepted).toEqual({ ballot: b, value: 'A' });
    expect(second.reply).toEqual({ type: 'reject', ballot: b, promised: b });
    // The same value again is a duplicate: acknowledged, nothing to write.
    expect(handlePropose(first.state, b, 'A')).toMatchObject({ outcome: 'granted', changed: false });
  });
});
