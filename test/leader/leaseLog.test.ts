// The lease log's rules (src/leader/leaseLog.ts, R1–R6), step by step on one node's knowledge:
// pure, no clock, no network. Times are the node's own clock.
import { describe, expect, it } from 'vitest';
import { LeaseLog, type LeaseStep } from '../../src/leader/leaseLog.js';
import type { LeaseGrant, LeaseRecord } from '../../src/leader/leaseRecord.js';
import { guardIntervalMs, leaseTiming, type LeaseTiming } from '../../src/leader/leaseTiming.js';

const timing = leaseTiming({ leaseMs: 1000, driftBound: 0.01, takeoverStaggerMs: 10 }) as LeaseTiming;
const GUARD = guardIntervalMs(1000, 0.01); // 21

function log(self = 'a', options: { candidate?: boolean; rank?: number } = {}): LeaseLog {
  let n = 0;
  return new LeaseLog({
    group: 'g',
    self,
    candidate: options.candidate ?? true,
    rank: options.rank ?? 0,
    timing,
    newClaim: () => `${self}:t:${++n}`,
  });
}

type Ask = Extract<LeaseStep, { kind: 'ask' }>;

function asAsk(step: LeaseStep): Ask {
  if (step.kind !== 'ask') throw new Error(`expected an ask, got ${JSON.stringify(step)}`);
  return step;
}

function lease(slot: number, holder: string, epoch: number, claim = `${holder}:x:${slot}`): LeaseGrant {
  return { kind: 'lease', group: 'g', slot, holder, epoch, leaseMs: 1000, claim };
}

/** Asks the next step at `now` and answers it with `decided` (default: the asked value won). */
function round(l: LeaseLog, now: number, decided?: (asked: LeaseRecord) => LeaseRecord): Ask {
  const step = asAsk(l.next(now));
  l.asked(step, now);
  l.answered(step, decided ? decided(step.value) : step.value, now + 5);
  return step;
}

/** A node past its start-up probe, at the head of an empty log. */
function caughtUp(self = 'a', options: { candidate?: boolean; rank?: number } = {}): LeaseLog {
  const l = log(self, options);
  expect(round(l, 0).purpose).toBe('probe');
  return l;
}

describe('lease log', () => {
  it('guard interval: ⌈2ρL/(1−ρ)⌉', () => {
    expect(guardIntervalMs(1000, 0.01)).toBe(21);
    expect(guardIntervalMs(1000, 0.05)).toBe(106);
    expect(guardIntervalMs(10_000, 0.0001)).toBe(3);
    expect(guardIntervalMs(1000, 0)).toBe(0);
    expect(leaseTiming({ leaseMs: 1000, driftBound: 0.6 })).toMatch(/driftBound/);
    expect(leaseTiming({ leaseMs: 1000, driftBound: 0.01, renewAfterMs: 1000 })).toMatch(/renewAfterMs/);
  });

  it('(R5) starts by probing the head; its own probe winning ends the catch-up', () => {
    const l = log();
    const probe = round(l, 0, (asked) => ({ ...asked, by: 'b', claim: 'b:other' })); // someone else's probe won slot 1
    expect(probe.value.kind).toBe('vacant');
    expect(l.view().probing).toBe(true);
    const second = round(l, 10);
    expect(second).toMatchObject({ slot: 2, purpose: 'probe' });
    expect(l.view().probing).toBe(false);
  });

  it('an empty log is taken at once, in epoch 1; the holder leads from its first ask for leaseMs', () => {
    const l = caughtUp();
    const step = asAsk(l.next(100));
    expect(step).toMatchObject({
      slot: 2,
      purpose: 'takeover',
      value: { kind: 'lease', holder: 'a', epoch: 1 },
    });
    l.asked(step, 100);
    expect(l.role(101).kind).toBe('follower'); // an ask is not a lease: only the decision is
    l.answered(step, step.value, 130);
    expect(l.role(130)).toEqual({ kind: 'leader', epoch: 1, slot: 2, untilMs: 1100 });
    expect(l.role(1099.9).kind).toBe('leader');
    expect(l.role(1100)).toEqual({ kind: 'follower', leader: null });
  });

  it('(R4) renews at renewAfterMs with the same epoch; the new lease counts from the renewal ask', () => {
    const l = caughtUp();
    round(l, 100);
    expect(l.next(300)).toEqual({ kind: 'wait', untilMs: 600 });
    const renewal = round(l, 600);
    expect(renewal).toMatchObject({ slot: 3, purpose: 'renew', value: { holder: 'a', epoch: 1 } });
    expect(l.role(1500)).toEqual({ kind: 'leader', epoch: 1, slot: 3, untilMs: 1600 });
  });

  it('(R2) a timed-out ask is retried with the same value, and its lease still counts from the first ask', () => {
    const l = caughtUp();
    const first = asAsk(l.next(100));
    l.asked(first, 100); // …and it times out: nothing is believed
    expect(l.role(700).kind).toBe('follower');
    const retry = asAsk(l.next(700));
    expect(retry.value).toEqual(first.value);
    l.asked(retry, 700);
    l.answered(retry, retry.value, 720);
    expect(l.role(720)).toEqual({ kind: 'leader', epoch: 1, slot: 2, untilMs: 1100 });
    // Decided so late that the lease is over when it is learned: not leader, but renewing at once.
    const late = caughtUp();
    const ask = asAsk(late.next(0));
    late.asked(ask, 0);
    late.answered(ask, ask.value, 1500);
    expect(late.role(1500).kind).toBe('follower');
    expect(late.next(1500)).toMatchObject({ purpose: 'renew', value: { epoch: 1 } });
  });

  it("(R3) waits leaseMs + guard from learning another's lease, then takes over with epoch + 1", () => {
    const l = caughtUp('b', { rank: 2 });
    l.learn(2, lease(2, 'a', 4), 1000);
    expect(l.role(1500)).toEqual({
      kind: 'follower',
      leader: { node: 'a', epoch: 4, slot: 2, untilMs: 1000 + 1000 + GUARD },
    });
    const takeoverAt = 1000 + 1000 + GUARD + 2 * 10; // rank 2 waits two staggers more
    expect(l.next(1500)).toEqual({ kind: 'wait', untilMs: takeoverAt });
    expect(l.role(1000 + 1000 + GUARD)).toEqual({ kind: 'follower', leader: null });
    expect(l.next(takeoverAt)).toMatchObject({
      slot: 3,
      purpose: 'takeover',
      value: { holder: 'b', epoch: 5 },
    });
  });

  it('a renewal learned while waiting restarts the wait from the new learning', () => {
    const l = caughtUp('b');
    l.learn(2, lease(2, 'a', 1), 0);
    l.learn(3, lease(3, 'a', 1), 500);
    expect(l.next(1100)).toEqual({ kind: 'wait', untilMs: 500 + 1000 + GUARD });
  });

  it('never takes over as a non-candidate', () => {
    const l = caughtUp('z', { candidate: false });
    l.learn(2, lease(2, 'a', 1), 0);
    expect(l.next(10_000)).toEqual({ kind: 'wait', untilMs: null });
    expect(l.role(10_000)).toEqual({ kind: 'follower', leader: null });
  });

  it("(R2) its own name on a lease it did not claim (an earlier incarnation's) is waited out like anyone's", () => {
    const l = caughtUp('a');
    l.learn(2, lease(2, 'a', 3, 'a:earlier:9'), 50);
    expect(l.role(60)).toEqual({ kind: 'follower', leader: null });
    expect(l.next(60)).toEqual({ kind: 'wait', untilMs: 50 + 1000 + GUARD });
    expect(l.next(50 + 1000 + GUARD)).toMatchObject({ purpose: 'takeover', value: { epoch: 4 } });
  });

  it('(R1) a known slot beyond the frontier makes it read the slots below first', () => {
    const l = caughtUp('b');
    l.learn(5, lease(5, 'a', 2), 10);
    expect(l.next(20)).toMatchObject({ slot: 2, purpose: 'fill', value: { kind: 'vacant' } });
    // Even before the gap is filled, the later lease is believed: a follows a.
    expect(l.role(20)).toMatchObject({ kind: 'follower', leader: { node: 'a', epoch: 2 } });
    for (const slot of [2, 3, 4]) l.learn(slot, lease(slot, 'a', 2), 30);
    expect(l.view().frontier).toBe(6);
    expect(l.next(40)).toEqual({ kind: 'wait', untilMs: 10 + 1000 + GUARD });
  });

  it('(R5) a takeover answered by a renewal means it was behind: it probes again', () => {
    const l = caughtUp('b');
    l.learn(2, lease(2, 'a', 1), 0);
    round(l, 2000, () => lease(3, 'a', 1)); // the renewal it had missed
    expect(l.view().probing).toBe(true);
    expect(l.next(2010)).toMatchObject({ slot: 4, purpose: 'probe' });
    // A rival's takeover of the same lease is no sign of being behind.
    const m = caughtUp('b');
    m.learn(2, lease(2, 'a', 1), 0);
    round(m, 2000, () => lease(3, 'c', 2));
    expect(m.view().probing).toBe(false);
  });

  it('(R6) a slot decided to a value that is no record of its own reads as vacant', () => {
    const l = caughtUp('b');
    l.learn(2, 'hello', 0);
    l.learn(3, { ...lease(3, 'a', 1), slot: 99 }, 0);
    l.learn(4, { ...lease(4, 'a', 1), group: 'other' }, 0);
    expect(l.recordOf(2)?.kind).toBe('vacant');
    expect(l.view().latest).toBeNull();
    expect(l.next(0)).toMatchObject({ slot: 5, purpose: 'takeover', value: { epoch: 1 } });
  });

  it('resigning stops leading at once and asks a release; a release is taken over at once', () => {
    const a = caughtUp('a');
    round(a, 100);
    a.resign();
    expect(a.role(200)).toEqual({ kind: 'follower', leader: null });
    const release = round(a, 200);
    expect(release).toMatchObject({
      slot: 3,
      purpose: 'release',
      value: { kind: 'release', holder: 'a', epoch: 1 },
    });
    expect(a.holdsUnreleased).toBe(false);
    const b = caughtUp('b');
    b.learn(2, lease(2, 'a', 1), 150);
    b.learn(3, release.value, 210);
    expect(b.next(211)).toMatchObject({ slot: 4, purpose: 'takeover', value: { epoch: 2 } });
  });

  it('restores from durable knowledge: the last lease below the frontier is in force, learned now', () => {
    const l = log('b');
    l.restore(7, [lease(7, 'a', 3), { kind: 'vacant', group: 'g', slot: 8, by: 'c', claim: 'c:1' }], 5000);
    expect(l.view()).toMatchObject({ frontier: 9, latest: { slot: 7 } });
    expect(l.next(5000)).toMatchObject({ slot: 9, purpose: 'probe' });
  });
});
