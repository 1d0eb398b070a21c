// Regression tests, one per defect of the original gen_paxos/paxos_fsm (DESIGN.md §1). Each
// would fail against the original's behaviour. Deterministic: VirtualClock, seeded network.
import { assign } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import { GenPaxosError } from '../../src/base/errors.js';
import { DEFAULT_TIMING, instanceMachine } from '../../src/paxos/instanceMachine.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { paxosFsm } from '../../src/node/paxosFsm.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { ballot, start, step } from '../support/machine.js';
import { runUntil } from '../support/settle.js';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('defects of the original, now absent', () => {
  it('every decision waited for the 3 s timeout: an uncontended ask decides before any timer fires', async () => {
    cluster = await startCluster({ size: 3, seed: 1 });
    const value = await cluster.ask('a', 'k', 'v');
    expect(value).toBe('v');
    // Two round trips of 1 ms each on the simulated network; the first retry timer is at least
    // phaseTimeoutMs / 2 away, so no timeout was involved.
    expect(cluster.clock.now()).toBeLessThan(DEFAULT_TIMING.phaseTimeoutMs / 2);
    expect(cluster.clock.now()).toBeLessThanOrEqual(5);
  });

  it('proposers ignored accepted values (P2c): a chosen value survives a proposer that did not learn it', async () => {
    cluster = await startCluster({ size: 3, seed: 2 });
    // a's value is chosen by a and b, but nobody tells c.
    const hideDecide = cluster.network.addFilter((env) =>
      env.message.type === 'decide' ? 'drop' : 'deliver',
    );
    const dropToC = cluster.network.addFilter((env) => (env.to === 'c' ? 'drop' : 'deliver'));
    expect(await cluster.ask('a', 'k', 'first')).toBe('first');
    dropToC();
    hideDecide();
    expect(cluster.node('c').read('k')).toBeUndefined();
    // c asks for another value; its prepare reaches a quorum that accepted 'first'.
    expect(await cluster.ask('c', 'k', 'second')).toBe('first');
  });

  it('a value accepted by a minority is carried forward by the next proposer (P2c)', () => {
    // Machine level: b promised c's ballot 2.c and reports a's value accepted in 1.a.
    let s = step(start({ node: 'c' }), { type: 'ask', value: 'vc' });
    expect(s.snapshot.context.ballot).toEqual(ballot(1, 'c'));
    s = step(s, {
      type: 'promise',
      from: 'b',
      ballot: ballot(1, 'c'),
      accepted: { ballot: ballot(1, 'a'), value: 'va' },
    });
    expect(s.snapshot.value).toBe('proposing');
    expect(s.effects[0]).toMatchObject({ type: 'broadcast', message: { type: 'propose', value: 'va' } });
  });

  it('replies were counted, not deduplicated: duplicates from one sender are not a quorum', async () => {
    // Five members need three promises: ours and two distinct others.
    let s = step(start({ members: ['a', 'b', 'c', 'd', 'e'] }), { type: 'ask', value: 'v' });
    const promiseFromB = { type: 'promise', from: 'b', ballot: ballot(1, 'a'), accepted: null } as const;
    s = step(s, promiseFromB);
    s = step(s, promiseFromB);
    s = step(s, promiseFromB);
    expect(s.snapshot.value).toBe('preparing');
    s = step(s, { ...promiseFromB, from: 'd' });
    expect(s.snapshot.value).toBe('proposing');
    // And at cluster level, with every message duplicated, five nodes still agree.
    cluster = await startCluster({ size: 5, seed: 3, faults: { duplicateRate: 1 } });
    const answers = await cluster.settle(cluster.running.map((node) => node.ask('k', node.id)));
    const values = answers.map((a) => (a.status === 'fulfilled' ? a.value : a.reason));
    expect(new Set(values).size).toBe(1);
  });

  it('two decided instances sent decide to each other for ever: decided nodes answer no decide', async () => {
    cluster = await startCluster({ size: 3, seed: 4 });
    await cluster.settle(cluster.running.map((node) => node.ask('k', node.id)));
    await cluster.runUntil(() => cluster!.decisions('k').size === 3);
    await cluster.runUntil(() => cluster!.clock.pendingTimers === 0, { maxVirtualMs: 10_000 });
    const sentWhenQuiet = cluster.network.stats.sent;
    // A stray decide reaching every decided node produces no reply at all.
    for (const to of ['b', 'c'])
      cluster.node('a').internals.runner.run({
        type: 'send',
        to,
        key: 'k',
        message: { type: 'decide', value: 'x' },
      });
    await cluster.runUntil(() => cluster!.clock.pendingTimers === 0);
    expect(cluster.network.stats.sent).toBe(sentWhenQuiet + 2);
    expect(cluster.decisions('k').get('b')).not.toBe('x');
  });

  it('a second ask for an in-flight key hung: both asks resolve with the same decision', async () => {
    cluster = await startCluster({ size: 3, seed: 5 });
    const first = cluster.node('a').ask('k', 'one');
    const second = cluster.node('a').ask('k', 'two');
    const results = await cluster.settle([first, second]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 'one' },
      { status: 'fulfilled', value: 'one' },
    ]);
  });

  it('different values on different nodes crashed acceptors: one decision everywhere, no restarts', async () => {
    for (const size of [3, 5]) {
      cluster = await startCluster({ size, seed: 6 + size });
      const keys = ['x', 'y', 'z'];
      const asks = keys.flatMap((key) => cluster!.running.map((node) => node.ask(key, `${node.id}:${key}`)));
      const results = await cluster.settle(asks);
      for (const [i, key] of keys.entries()) {
        const answers = results
          .slice(i * size, (i + 1) * size)
          .map((r) => (r.status === 'fulfilled' ? r.value : r.reason));
        expect(new Set(answers).size).toBe(1);
        expect(cluster.members.map((id) => `${id}:${key}`)).toContain(answers[0]);
      }
      for (const node of cluster.running) expect(node.stats.restarted).toBe(0);
      await cluster.stop();
      cluster = undefined;
    }
  });

  it('get_result/1 crashed: getResult answers in every state an instance goes through', async () => {
    const clock = new VirtualClock();
    const network = createMemoryNetwork({ clock, faults: { delayMs: { min: 1, max: 3 } } });
    const subjects = ['fa', 'fb', 'fc'];
    const seen = new Set<string>();
    const observe = () => {
      for (const subject of subjects)
        if (paxosFsm.running().includes(subject)) seen.add(paxosFsm.getResult(subject).state);
    };
    try {
      // fa starts alone: it prepares, but nobody answers.
      paxosFsm.start('fa', 0, 'red', ['fb', 'fc'], { network, clock });
      observe();
      // fb and fc join with their own values: someone pre-empts someone (acknowledged).
      paxosFsm.start('fb', 1, 'blue', ['fa', 'fc'], { network, clock });
      paxosFsm.start('fc', 2, 'green', ['fa', 'fb'], { network, clock });
      await runUntil(clock, () => {
        observe();
        return subjects.every((s) => paxosFsm.getResult(s).state === 'decided');
      });
      expect([...seen].sort()).toEqual(['acknowledged', 'decided', 'preparing', 'proposing']);
      const results = subjects.map((s) => paxosFsm.getResult(s));
      expect(new Set(results.map((r) => r.value)).size).toBe(1);
      expect(['red', 'blue', 'green']).toContain(results[0]?.value);
    } finally {
      for (const subject of subjects) if (paxosFsm.running().includes(subject)) paxosFsm.stop(subject);
    }
    expect(() => paxosFsm.getResult('fa')).toThrow(GenPaxosError);
  });

  it('one crashing instance took the whole node down: other keys keep deciding, the bad key is given up', async () => {
    // An instance that throws whenever it is asked for the value 'poison'.
    const fragile = instanceMachine.provide({
      actions: {
        recordAsk: assign(({ context, event }) => {
          const value = (event as { value: PaxosValue }).value;
          if (value === 'poison') throw new Error('poisoned');
          return context.proposal === null ? { proposal: { value } } : {};
        }),
      },
    });
    cluster = await startCluster({
      size: 3,
      seed: 9,
      instanceLogic: fragile,
      restartIntensity: { maxRestarts: 2, periodMs: 10_000 },
    });
    const bad = cluster.ask('a', 'bad', 'poison').then(
      () => 'resolved',
      (error: GenPaxosError) => error.code,
    );
    expect(await bad).toBe('PAXOS_ERR_INSTANCE_FAILED');
    expect(cluster.node('a').stats.restarted).toBe(2);
    expect(cluster.node('a').stateOf('bad')).toBe('failed');
    // The node still serves other keys, and asks for the failed key fail fast.
    expect(await cluster.ask('a', 'good', 'fine')).toBe('fine');
    await expect(cluster.ask('a', 'bad', 'other')).rejects.toMatchObject({
      code: 'PAXOS_ERR_INSTANCE_FAILED',
    });
  });

  it('no jitter let duelling proposers livelock: contended keys always finish, with jittered retries', async () => {
    const finishedAt: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      cluster = await startCluster({ size: 3, seed, faults: { delayMs: { min: 1, max: 20 } } });
      const asks = cluster.running.map((node) => node.ask('duel', node.id));
      const results = await cluster.settle(asks, { maxVirtualMs: 60_000 });
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      expect(new Set(results.map((r) => (r as PromiseFulfilledResult<unknown>).value)).size).toBe(1);
      finishedAt.push(cluster.clock.now());
      await cluster.stop();
      cluster = undefined;
    }
    expect(Math.max(...finishedAt)).toBeLessThan(60_000);
    // Two nodes that failed the same number of times wait different, random amounts.
    const waits = ['a', 'b'].map((node) => {
      const s = step(start({ node, seed: node === 'a' ? 1 : 2 }), { type: 'ask', value: 'v' });
      return s.timers[0]?.delayMs;
    });
    expect(waits[0]).not.toBe(waits[1]);
  });
});
