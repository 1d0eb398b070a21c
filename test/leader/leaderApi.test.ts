// The gen_leader-style API over three in-process nodes on one virtual clock: options checked,
// one leader and everyone agreeing on it, the events, leaderCall / leaderCast routed through the
// runtime's RemoteRouter to whoever leads, refusals with stable codes, failover after a crash,
// hand-over by release, and stepping down when the Paxos node stops.
import { afterEach, describe, expect, it } from 'vitest';
import { startLeader } from '../../src/leader/startLeader.js';
import { LEADER_ERROR_CODES } from '../../src/leader/leaderError.js';
import type { LeaderCallReply } from '../../src/leader/genLeaderLogic.js';
import { guardIntervalMs } from '../../src/leader/leaseTiming.js';
import { startLink } from '../../src/node/genPaxos.js';
import { createActorNode } from '../../src/runtime/actorNode.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { codeOf } from '../runtime/helpers.js';
import { GROUP, LeaderCluster, type LeaderOptions } from './leaderCluster.js';

let open: LeaderCluster[] = [];

async function cluster(options: LeaderOptions = {}): Promise<LeaderCluster> {
  const c = await new LeaderCluster(3, options).start();
  open.push(c);
  return c;
}

afterEach(async () => {
  for (const c of open) await c.stop();
  open = [];
});

async function codeOfSettled(c: LeaderCluster, promise: Promise<unknown>): Promise<string> {
  return c.settle(codeOf(promise));
}

describe('startLeader', () => {
  it('refuses options that cannot work, with LEADER_ERR_BAD_OPTION', async () => {
    const clock = new VirtualClock();
    const paxos = await startLink({
      id: 'a',
      members: ['a'],
      transport: createMemoryNetwork({ clock }).connect('a'),
      clock,
    });
    const base = { paxos, candidates: ['a'], leaseMs: 1000, driftBound: 0.01, clock };
    const bad = [
      () => startLeader('', base),
      () => startLeader('g', { ...base, leaseMs: 0 }),
      () => startLeader('g', { ...base, driftBound: 0.9 }),
      () => startLeader('g', { ...base, renewAfterMs: 2000 }),
      () => startLeader('g', { ...base, candidates: [] }),
      () => startLeader('g', { ...base, node: createActorNode({ name: 'x', clock }) }),
    ];
    for (const start of bad)
      expect(() => start()).toThrow(expect.objectContaining({ code: LEADER_ERROR_CODES.BAD_OPTION }));
    const node = createActorNode({ name: 'a', clock });
    const first = startLeader('g', { ...base, node });
    expect(() => startLeader('g', { ...base, node })).toThrow(
      expect.objectContaining({ code: LEADER_ERROR_CODES.ALREADY_STARTED }),
    );
    first.halt();
    await paxos.stop();
  });
});

describe('election and the events', () => {
  it('elects one leader; every node names it; elected, surrendered and leaderChanged say so', async () => {
    const c = await cluster();
    const leader = await c.leader();
    await c.run(50);
    expect(c.leaders()).toEqual([leader]);
    const epoch = leader.leader.epoch() as number;
    expect(epoch).toBe(1);
    for (const n of c.nodes) expect(n.leader.leader()).toEqual({ node: leader.id, epoch });
    expect(c.events.filter((e) => e.type === 'elected')).toEqual([
      expect.objectContaining({ node: leader.id, epoch, group: GROUP }),
    ]);
    const followers = c.ids.filter((id) => id !== leader.id);
    expect(
      c.events
        .filter((e) => e.type === 'surrendered')
        .map((e) => e.node)
        .sort(),
    ).toEqual(followers);
    expect(c.events.filter((e) => e.type === 'leaderChanged')).toHaveLength(3);
    // The actor's snapshot is plain data.
    expect(leader.leader.actor.getSnapshot().context).toMatchObject({
      group: GROUP,
      node: leader.id,
      isLeader: true,
      leader: { node: leader.id, epoch },
    });
    await c.run(5_000);
    expect(c.events.filter((e) => e.type === 'renewed').length).toBeGreaterThanOrEqual(9);
    expect(c.events.filter((e) => e.type === 'elected')).toHaveLength(1);
  });

  it('a crashed leader is replaced after its lease and the guard; the new epoch is higher', async () => {
    const c = await cluster();
    const old = await c.leader();
    await c.run(200);
    const crashedAt = c.clock.now();
    c.crash(old.id);
    const next = await c.leader();
    const failoverMs = c.clock.now() - crashedAt;
    expect(next.id).not.toBe(old.id);
    expect(next.leader.epoch()).toBe(2);
    // The followers learned the last renewal before the crash: at most a lease + guard + stagger + a few messages.
    expect(failoverMs).toBeLessThanOrEqual(1000 + guardIntervalMs(1000, 0.01) + 2 * 50 + 20);
    expect(c.events).toContainEqual(expect.objectContaining({ type: 'elected', node: next.id, epoch: 2 }));
  });

  it('stop({ release: true }) hands over at once instead of after a lease', async () => {
    const c = await cluster();
    const old = await c.leader();
    await c.run(100);
    const stoppedAt = c.clock.now();
    await c.settle(old.leader.stop({ release: true }));
    expect(old.leader.isLeader()).toBe(false);
    expect(c.events).toContainEqual(
      expect.objectContaining({ type: 'steppedDown', node: old.id, reason: 'stopped' }),
    );
    const next = await c.leader(c.ids.filter((id) => id !== old.id));
    expect(next.id).not.toBe(old.id);
    expect(c.clock.now() - stoppedAt).toBeLessThan(200); // a lease is 1000 ms
  });

  it('a restarted node resumes from its store: it reads the log from near the head, and follows', async () => {
    const c = await cluster();
    const leader = await c.leader();
    await c.run(5_000); // ten renewals: the log is a dozen slots long
    const follower = c.ids.find((id) => id !== leader.id) as string;
    c.crash(follower);
    await c.run(1_000);
    const back = await c.startNode(follower);
    await c.leader();
    expect(back.leader.leader()).toEqual({ node: leader.id, epoch: 1 });
    expect(back.leader.isLeader()).toBe(false);
    const { frontier, stats } = back.leader.actor.getSnapshot().context;
    expect(frontier).toBeGreaterThan(12);
    // It asked only the few slots decided while it was down, and its own probe at the head.
    expect(stats.asks).toBeLessThanOrEqual(4);
    expect(Object.keys(stats.byPurpose)).toEqual(['probe']);
  });

  it('a leader whose Paxos node stops steps down at once', async () => {
    const c = await cluster();
    const leader = await c.leader();
    await leader.paxos.stop();
    await c.run(600); // its next renewal fails with PAXOS_ERR_STOPPED
    expect(leader.leader.isLeader()).toBe(false);
    expect(c.events).toContainEqual(expect.objectContaining({ type: 'steppedDown', node: leader.id }));
  });

  it('a leader cut off from the majority steps down by its lease; the majority elects another', async () => {
    const c = await cluster();
    const old = await c.leader();
    const rest = c.ids.filter((id) => id !== old.id);
    c.partition([old.id], rest);
    await c.run(1_000);
    expect(old.leader.isLeader()).toBe(false);
    expect(c.events).toContainEqual(
      expect.objectContaining({ type: 'steppedDown', node: old.id, reason: 'expired' }),
    );
    const next = await c.leader(rest);
    expect(rest).toContain(next.id);
    c.heal();
    await c.run(2_000);
    expect(c.leaders()).toEqual([next]);
    expect(old.leader.leader()).toEqual({ node: next.id, epoch: 2 });
  });
});

describe('leaderCall and leaderCast', () => {
  const counter = () => {
    let n = 0;
    return {
      handleLeaderCall: (request: unknown, context: { node: string; epoch: number }) => ({
        n: ++n,
        request,
        served: context.node,
        epoch: context.epoch,
      }),
    };
  };

  it('routes a call from any node to the leader, whose reply carries its epoch', async () => {
    const c = await cluster(counter());
    const leader = await c.leader();
    for (const n of c.nodes) {
      const reply = await c.settle(n.leader.leaderCall({ from: n.id }));
      expect(reply).toMatchObject({ request: { from: n.id }, served: leader.id, epoch: 1 });
    }
  });

  it('a cast reaches the leader only', async () => {
    const seen: string[] = [];
    const c = await cluster({
      handleLeaderCast: (request, { node }) => seen.push(`${node}:${String(request)}`),
    });
    const leader = await c.leader();
    const follower = c.nodes.find((n) => n !== leader);
    expect(follower?.leader.leaderCast('hello')).toBe(true);
    await c.run(20);
    expect(seen).toEqual([`${leader.id}:hello`]);
  });

  it('a node that does not lead refuses with LEADER_ERR_NOT_LEADER and its hint', async () => {
    const c = await cluster(counter());
    const leader = await c.leader();
    const follower = c.nodes.find((n) => n !== leader);
    const reply = await c.settle(
      leader.node.call<LeaderCallReply>(
        { name: `leader/${GROUP}`, node: follower?.id as string },
        { type: 'leader.call', request: 1 },
      ),
    );
    expect(reply).toEqual({
      type: 'leader.reply',
      ok: false,
      code: LEADER_ERROR_CODES.NOT_LEADER,
      message: expect.any(String),
      leader: { node: leader.id, epoch: 1 },
    });
  });

  it('says why a call fails: no leader, no handler, a handler that throws, an unreachable leader', async () => {
    const c = await cluster();
    expect(await codeOf(c.nodes[0]?.leader.leaderCall('early') as Promise<unknown>)).toBe(
      LEADER_ERROR_CODES.NO_LEADER,
    );
    const leader = await c.leader();
    expect(await codeOfSettled(c, leader.leader.leaderCall('x'))).toBe(LEADER_ERROR_CODES.NO_HANDLER);

    const failing = await cluster({
      handleLeaderCall: () => {
        throw new Error('boom');
      },
    });
    const l2 = await failing.leader();
    const error = await failing.settle(l2.leader.leaderCall('x').catch((e: unknown) => e));
    expect(error).toMatchObject({ code: LEADER_ERROR_CODES.CALL_FAILED, message: 'boom' });

    const c3 = await cluster(counter());
    const l3 = await c3.leader();
    const follower = c3.nodes.find((n) => n !== l3) as (typeof c3.nodes)[number];
    c3.partition(
      [l3.id],
      c3.ids.filter((id) => id !== l3.id),
    );
    expect(await codeOfSettled(c3, follower.leader.leaderCall('x', { timeoutMs: 200 }))).toMatch(
      /LEADER_ERR_(UNREACHABLE|TIMEOUT)/,
    );
  });

  it('after the leader crashes, calls fail until a new leader is elected, then reach it', async () => {
    const c = await cluster(counter());
    const old = await c.leader();
    c.crash(old.id);
    const caller = c.nodes[0] as (typeof c.nodes)[number];
    expect(await codeOfSettled(c, caller.leader.leaderCall('during'))).toMatch(
      /LEADER_ERR_(UNREACHABLE|NO_LEADER)/,
    );
    const next = await c.leader();
    expect(await c.settle(caller.leader.leaderCall('after'))).toMatchObject({ served: next.id, epoch: 2 });
  });

  it('a stopped leader process refuses calls with LEADER_ERR_STOPPED', async () => {
    const c = await cluster(counter());
    const leader = await c.leader();
    await c.settle(leader.leader.stop());
    expect(await codeOf(leader.leader.leaderCall('x'))).toBe(LEADER_ERROR_CODES.STOPPED);
  });
});
