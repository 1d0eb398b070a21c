// Cluster scenarios on the in-memory network (3 and 5 nodes), deterministic: each run is
// fixed by its seed, printed on failure through the test name.
import { afterEach, describe, expect, it } from 'vitest';
import type { GenPaxosError } from '../../src/base/errors.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

function fulfilled<T>(results: PromiseSettledResult<T>[]): T[] {
  return results.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
}

describe.each([3, 5])('a %i-node cluster', (size) => {
  it('concurrent asks of different values for one key from every node: one value, asked by one of them', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      cluster = await startCluster({ size, seed, faults: { delayMs: { min: 1, max: 10 } } });
      const answers = fulfilled(
        await cluster.settle(cluster.running.map((node) => node.ask('k', `from-${node.id}`))),
      );
      expect(new Set(answers).size, `seed ${seed}`).toBe(1);
      expect(
        cluster.members.map((id) => `from-${id}`),
        `seed ${seed}`,
      ).toContain(answers[0]);
      await cluster.stop();
    }
  });

  it('a partitioned minority times out, the majority decides, and the minority learns after healing', async () => {
    cluster = await startCluster({ size, seed: 11 });
    const minority = cluster.members.slice(0, Math.floor((size - 1) / 2));
    const majority = cluster.members.slice(minority.length);
    cluster.network.partition(minority, majority);
    const lonely = minority[0] as string;
    const leader = majority[0] as string;

    const outcome = await cluster.ask(lonely, 'k', 'minority value', { timeoutMs: 2_000 }).then(
      () => 'decided',
      (error: GenPaxosError) => error.code,
    );
    expect(outcome).toBe('PAXOS_ERR_TIMEOUT');
    expect(await cluster.ask(leader, 'k', 'majority value')).toBe('majority value');
    expect(cluster.node(lonely).read('k')).toBeUndefined();

    cluster.network.heal();
    // The minority's instance is still trying (backing off); after healing it learns the decision.
    await cluster.runUntil(() => cluster!.node(lonely).read('k') !== undefined, { maxVirtualMs: 30_000 });
    expect(cluster.node(lonely).read('k')).toBe('majority value');
  });

  it('under message loss and duplication, every key decides and all nodes agree', async () => {
    cluster = await startCluster({
      size,
      seed: 12,
      faults: { dropRate: 0.2, duplicateRate: 0.2, delayMs: { min: 1, max: 15 } },
      askTimeoutMs: 120_000,
    });
    const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
    const asks = keys.flatMap((key, i) => {
      const askers = i % 3 === 0 ? cluster!.running : [cluster!.running[i % size]!];
      return askers.map((node) => node.ask(key, `${node.id}:${key}`));
    });
    fulfilled(await cluster.settle(asks, { maxVirtualMs: 600_000 }));
    // Decide messages may be lost: every node learns eventually by taking over or by asking.
    cluster.network.setFaults({ dropRate: 0, duplicateRate: 0 });
    for (const key of keys) {
      const values = fulfilled(
        await cluster.settle(cluster.running.map((node) => node.ask(key, 'late ask'))),
      );
      expect(new Set(values).size, key).toBe(1);
      expect(values[0]).not.toBe('late ask');
    }
    expect(cluster.network.stats.dropped).toBeGreaterThan(0);
    expect(cluster.network.stats.duplicated).toBeGreaterThan(0);
  });
});

describe('failures mid-protocol', () => {
  it('a proposer that stops mid-phase-2: another node finishes the instance with the accepted value', async () => {
    cluster = await startCluster({ size: 3, seed: 13 });
    // a's propose reaches b only; then a crashes before hearing anything back.
    cluster.network.addFilter((env) =>
      env.from === 'a' && env.to === 'c' && env.message.type === 'propose' ? 'drop' : 'deliver',
    );
    const stopA = cluster.network.addFilter((env) =>
      env.to === 'a' && env.message.type === 'acknowledge' ? 'drop' : 'deliver',
    );
    void cluster
      .node('a')
      .ask('k', 'from a')
      .catch(() => {});
    await cluster.runUntil(() => cluster!.storages.get('b')?.loadDurable('k')?.accepted != null);
    cluster.crash('a');
    stopA();
    // Nobody asks again: b takes over on its own (acknowledged → preparing) and pushes 'from a'.
    await cluster.runUntil(() => cluster!.decisions('k').size === 2, { maxVirtualMs: 30_000 });
    expect([...cluster.decisions('k').values()]).toEqual(['from a', 'from a']);
    expect(await cluster.ask('c', 'k', 'from c')).toBe('from a');
  });

  it('a restarted node answers decided keys from storage and never reuses a ballot', async () => {
    // Phase 1 ballots, so the classic protocol (the owner's ballot 0 is covered by the model check).
    cluster = await startCluster({ size: 3, seed: 14, ownerFastPath: false });
    expect(await cluster.ask('a', 'k1', 'one')).toBe('one');
    await cluster.runUntil(() => cluster!.storages.get('b')?.loadDurable('k1')?.decided != null);
    const promisedBefore = cluster.storages.get('b')?.load('k1');
    cluster.crash('b');
    await cluster.restart('b');
    expect(cluster.node('b').read('k1')).toBe('one');
    expect(cluster.storages.get('b')?.load('k1')?.decided).toEqual(promisedBefore?.decided);
    // b prepares a fresh key while cut off (its prepares are lost), then crashes and restarts.
    const roundsByB: number[] = [];
    cluster.network.observe((kind, env) => {
      if (kind === 'sent' && env.from === 'b' && env.key === 'kx' && env.message.type === 'prepare') {
        roundsByB.push(env.message.ballot.round);
      }
    });
    cluster.network.partition(['b'], ['a', 'c']);
    void cluster
      .node('b')
      .ask('kx', 'lost', { timeoutMs: 1_000 })
      .catch(() => {});
    await cluster.runUntil(() => new Set(roundsByB).size >= 3);
    const usedBeforeCrash = Math.max(...roundsByB);
    cluster.crash('b');
    await cluster.restart('b');
    cluster.network.heal();
    roundsByB.length = 0;
    expect(await cluster.ask('b', 'kx', 'after restart')).toBe('after restart');
    expect(Math.min(...roundsByB)).toBeGreaterThan(usedBeforeCrash);
  });
});

describe('the supervisor', () => {
  it('retires decided instances: live actors do not grow with decided keys', async () => {
    cluster = await startCluster({ size: 3, seed: 15 });
    const asks = Array.from({ length: 200 }, (_, i) => cluster!.running[i % 3]!.ask(`key-${i}`, i));
    fulfilled(await cluster.settle(asks));
    // Without acceptor instances, "none live" comes before every decide has arrived: wait for both.
    await cluster.runUntil(
      () =>
        cluster!.running.every(
          (node) => node.stats.liveInstances === 0 && node.read('key-199') !== undefined,
        ),
      { maxVirtualMs: 30_000 },
    );
    for (const node of cluster.running) {
      expect(node.stats.liveInstances).toBe(0);
      expect(node.stats.retired).toBe(node.stats.spawned);
      expect(node.read('key-199')).toBe(199);
    }
  });

  it('answers a late prepare for a retired key with decide, without spawning an instance', async () => {
    cluster = await startCluster({ size: 3, seed: 16 });
    await cluster.ask('a', 'k', 'v');
    await cluster.runUntil(
      () => cluster!.decisions('k').size === 3 && cluster!.node('b').stats.liveInstances === 0,
    );
    const replies: string[] = [];
    cluster.network.observe((kind, env) => {
      if (kind === 'delivered' && env.to === 'c') replies.push(`${env.from}:${env.message.type}`);
    });
    const spawnedBefore = cluster.node('b').stats.spawned;
    // c (pretending to have forgotten) sends a prepare straight to b.
    cluster.node('c').internals.runner.run({
      type: 'send',
      to: 'b',
      key: 'k',
      message: { type: 'prepare', ballot: { round: 99, node: 'c' } },
    });
    await cluster.runUntil(() => replies.length > 0);
    expect(replies).toEqual(['b:decide']);
    expect(cluster.node('b').stats.spawned).toBe(spawnedBefore);
  });

  it('answers votes on the fast path without spawning instances, and shows the vote as acknowledged', async () => {
    cluster = await startCluster({ size: 3, seed: 18 });
    expect(await cluster.ask('a', 'k', 'v')).toBe('v');
    await cluster.runUntil(() => cluster!.decisions('k').size === 3);
    expect(cluster.node('a').stats.spawned).toBe(1);
    expect(cluster.node('b').stats.spawned).toBe(0);
    expect(cluster.node('c').stats.spawned).toBe(0);
    // A vote whose outcome b has not learned yet reads as acknowledged.
    cluster.network.addFilter((env) =>
      env.message.type === 'decide' || env.to === 'c' ? 'drop' : 'deliver',
    );
    void cluster
      .node('a')
      .ask('pending', 'p')
      .catch(() => {});
    await cluster.runUntil(() => cluster!.storages.get('b')?.loadDurable('pending')?.accepted != null);
    expect(cluster.node('b').stateOf('pending')).toBe('acknowledged');
    expect(cluster.node('b').stats.liveInstances).toBe(0);
  });

  it('with acceptorFastPath off, every node runs an instance for the key', async () => {
    cluster = await startCluster({ size: 3, seed: 18, acceptorFastPath: false });
    expect(await cluster.ask('a', 'k', 'v')).toBe('v');
    await cluster.runUntil(() => cluster!.decisions('k').size === 3);
    for (const id of ['a', 'b', 'c']) expect(cluster.node(id).stats.spawned).toBe(1);
  });

  it('refuses messages from non-members', async () => {
    cluster = await startCluster({ size: 3, seed: 17 });
    const intruder = cluster.network.connect('mallory');
    intruder.send({
      from: 'mallory',
      to: 'a',
      key: 'k',
      message: { type: 'prepare', ballot: { round: 1, node: 'mallory' } },
    });
    await cluster.runUntil(() => cluster!.node('a').stats.messagesRefused === 1);
    expect(cluster.node('a').stats.spawned).toBe(0);
  });
});
