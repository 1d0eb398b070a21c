// The instance machine under a configuration (docs/membership.md §4.3, §5.2, §6.4): ballots in
// the view's epoch, phase 1 over both voter sets while the epoch is in transition, phase 2 on the
// new voters, no round 0 before the epoch is complete, the fence, requests of an epoch the node has
// not adopted, and `config.adopted` moving a ballot in flight into the new epoch.
import { describe, expect, it } from 'vitest';
import type { ConfigView } from '../../src/paxos/config.js';
import { start, step } from '../support/machine.js';

/** Node a, in the transition from [a, b, c] to [a, b, f] (epoch 1). */
const TRANSITION: ConfigView = {
  epoch: 1,
  voters: ['a', 'b', 'f'],
  previousVoters: ['a', 'b', 'c'],
  complete: false,
};
const COMPLETE: ConfigView = { ...TRANSITION, previousVoters: null, complete: true };
const e1 = (round: number, node: string) => ({ epoch: 1, round, node });

describe('instance machine under a configuration', () => {
  it('phase 1 in transition needs a majority of the old voters and of the new ones', () => {
    const asked = step(start({ config: TRANSITION, fence: 1 }), { type: 'ask', value: 'v' });
    expect(asked.snapshot.context.ballot).toEqual(e1(1, 'a'));
    // f is a new voter only: {a, f} is a majority of [a, b, f] but not of [a, b, c].
    const fromF = step(asked, { type: 'promise', from: 'f', ballot: e1(1, 'a'), accepted: null });
    expect(fromF.snapshot.value).toBe('preparing');
    // c is an old voter only: {a, f, c} has both majorities.
    const fromC = step(fromF, { type: 'promise', from: 'c', ballot: e1(1, 'a'), accepted: null });
    expect(fromC.snapshot.value).toBe('proposing');
    // Phase 2 counts the new voters only: c's acknowledgement does not decide.
    const ackC = step(fromC, { type: 'acknowledge', from: 'c', ballot: e1(1, 'a') });
    expect(ackC.snapshot.value).toBe('proposing');
    const ackF = step(ackC, { type: 'acknowledge', from: 'f', ballot: e1(1, 'a') });
    expect(ackF.snapshot.value).toBe('decided');
  });

  it('the owner takes round 0 only once the epoch is complete (I7)', () => {
    const owner = { ownerFastPath: true, owner: 'a' } as const;
    const during = step(start({ config: TRANSITION, fence: 1, ...owner }), { type: 'ask', value: 'v' });
    expect(during.snapshot.value).toBe('preparing');
    const after = step(start({ config: COMPLETE, fence: 1, ...owner }), { type: 'ask', value: 'v' });
    expect(after.snapshot.value).toBe('proposing');
    expect(after.snapshot.context.ballot).toEqual(e1(0, 'a'));
  });

  it('the fence refuses a ballot of an older epoch; a ballot of an epoch not adopted gets no vote', () => {
    const fenced = step(start({ config: COMPLETE, fence: 1 }), {
      type: 'prepare',
      from: 'b',
      ballot: { round: 9, node: 'b' },
    });
    expect(fenced.snapshot.value).toBe('nil');
    expect(fenced.effects).toEqual([
      { type: 'refused', key: 'k', from: 'b', message: 'prepare', reason: 'below-fence' },
    ]);
    const ahead = step(start({ config: COMPLETE, fence: 1 }), {
      type: 'prepare',
      from: 'b',
      ballot: { epoch: 2, round: 1, node: 'b' },
    });
    expect(ahead.snapshot.value).toBe('nil');
    expect(ahead.effects).toEqual([
      { type: 'refused', key: 'k', from: 'b', message: 'prepare', reason: 'ahead-of-config' },
    ]);
    expect(ahead.snapshot.context.promised).toBeNull();
  });

  it('config.adopted moves a ballot of an older epoch into the new one, at round ≥ 1', () => {
    const epoch0: ConfigView = { epoch: 0, voters: ['a', 'b', 'c'], previousVoters: null, complete: true };
    const asked = step(start({ config: epoch0 }), { type: 'ask', value: 'v' });
    expect(asked.snapshot.context.ballot).toEqual({ round: 1, node: 'a' });
    const adopted = step(asked, { type: 'config.adopted', config: TRANSITION, fence: 1, owner: null });
    expect(adopted.snapshot.value).toBe('preparing');
    expect(adopted.snapshot.context.ballot).toEqual(e1(2, 'a'));
    expect(adopted.effects.at(-1)).toEqual({
      type: 'broadcast',
      key: 'k',
      message: { type: 'prepare', ballot: e1(2, 'a') },
    });
    // The old epoch's promises do not count in the new one.
    expect(adopted.snapshot.context.promises).toEqual([{ from: 'a', accepted: null }]);
  });
});
