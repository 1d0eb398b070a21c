// Membership changes on running nodes (docs/membership.md §6, issue 15): a group grows from 3 to 4
// members, shrinks back to 3 and replaces one, keeping every decided key's value and deciding new
// keys; a larger store's rescan; a member on an older configuration, a removed one, adoption's
// durability and order, and a transition resumed after its rescanner died. In-process: one memory
// network, one virtual clock, seeded randomness (membershipCluster.ts).
import { describe, expect, it } from 'vitest';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { ownerOf } from '../../src/paxos/owner.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { runUntil } from '../support/settle.js';
import { Cluster, failure } from './membershipCluster.js';

describe('membership changes on running nodes', () => {
  it('3 → 4 → 3 members and a replacement keep every decided value and keep deciding', async () => {
    const cluster = new Cluster(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) await cluster.start(id);
    const a = cluster.node('a');
    const decided = new Map<string, PaxosValue>();
    const askAll = async (via: GenPaxosNode, prefix: string, count: number) => {
      for (let i = 0; i < count; i++) {
        const key = `${prefix}-${i}`;
        decided.set(key, await cluster.settle(via.ask(key, `${key}@${via.id}`)));
      }
    };
    await askAll(a, 'first', 12);
    await askAll(cluster.node('c'), 'second', 6);
    expect(await a.members()).toMatchObject({ config: 1, epoch: 0, complete: true });

    // 3 → 4: d joins.
    const d = await cluster.start('d', true);
    expect(await failure(d.ask('early', 1))).toMatchObject({ code: 'PAXOS_ERR_NOT_A_MEMBER' });
    const four = await cluster.settle(a.changeMembers({ add: { id: 'd', url: 'mem://d' } }));
    expect(four).toMatchObject({ config: 2, epoch: 1, complete: true });
    expect(four.members.map((m) => m.id)).toEqual(['a', 'b', 'c', 'd']);
    expect((await d.members()).config).toBe(2);
    for (const [key, value] of decided)
      expect(await cluster.settle(d.read(key, { quorum: true }))).toEqual(value);
    await askAll(d, 'third', 6);

    // 4 → 3: b leaves; b is refused from then on.
    await runUntil(cluster.clock, () => cluster.complete('b'));
    const three = await cluster.settle(cluster.node('c').changeMembers({ remove: 'b' }));
    expect(three).toMatchObject({ config: 3, epoch: 2, complete: true });
    expect(three.members.map((m) => m.id)).toEqual(['a', 'c', 'd']);
    await runUntil(cluster.clock, () => cluster.node('b').internals.membership.adopted === 3);
    expect(await failure(cluster.node('b').ask('late', 1))).toMatchObject({ code: 'PAXOS_ERR_REMOVED' });
    await cluster.node('b').stop();
    cluster.nodes.delete('b');
    for (const [key, value] of decided)
      expect(await cluster.settle(a.read(key, { quorum: true }))).toEqual(value);
    await askAll(cluster.node('c'), 'fourth', 6);

    // A replacement: c (lost with its disk) becomes e, in one change.
    cluster.loseDisk('c');
    const e = await cluster.start('e', true);
    const replaced = await cluster.settle(a.changeMembers({ remove: 'c', add: { id: 'e', url: 'mem://e' } }));
    expect(replaced).toMatchObject({ config: 4, epoch: 3, complete: true });
    expect(replaced.members.map((m) => m.id)).toEqual(['a', 'd', 'e']);
    await runUntil(cluster.clock, () => cluster.complete('e'));
    for (const [key, value] of decided)
      expect(await cluster.settle(e.read(key, { quorum: true }))).toEqual(value);
    // Every old key is held decided by a majority of the new voters: losing a second original
    // member (a) leaves d and e, which still answer every key and decide new ones.
    cluster.loseDisk('a');
    for (const [key, value] of decided) expect(await cluster.settle(e.ask(key, 'overwrite?'))).toEqual(value);
    expect(await cluster.settle(d.ask('after-all', 'yes'))).toBe('yes');

    // Refusals: a change while nothing is reachable enough, an id used before.
    expect(await failure(d.changeMembers({ add: { id: 'b' } }))).toMatchObject({
      code: 'PAXOS_ERR_MEMBER_EXISTS',
    });
    expect(await failure(d.changeMembers({ remove: 'zz' }))).toMatchObject({
      code: 'PAXOS_ERR_NOT_A_MEMBER',
    });
    expect(await failure(d.ask('\u0000cfg/9', 'x'))).toMatchObject({ code: 'PAXOS_ERR_BAD_KEY' });
    await cluster.stopAll();
  });
});

describe('the rescan on a larger store', () => {
  it('pages the reports (512 keys a page) and copies every key into a majority of the new voters', async () => {
    const cluster = new Cluster(['a', 'b', 'c']);
    // 1300 keys decided before: on a and b only (c missed them all), written before the start.
    const keys = Array.from({ length: 1300 }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
    for (const id of ['a', 'b', 'c']) cluster.storages.set(id, new MemoryStorage({ clock: cluster.clock }));
    for (const id of ['a', 'b'])
      for (const key of keys)
        void cluster.storages
          .get(id)!
          .write(key, { promised: null, accepted: null, decided: { value: key } });
    for (const id of ['a', 'b', 'c']) await cluster.start(id);
    const pages: number[] = [];
    cluster.network.observe((kind, envelope) => {
      const value = (envelope.message as { value?: { type?: string; entries?: unknown[] } }).value;
      if (kind === 'delivered' && value?.type === 'cfg.reported') pages.push(value.entries?.length ?? 0);
    });
    await cluster.start('d', true);
    const view = await cluster.settle(cluster.node('a').changeMembers({ add: { id: 'd' } }));
    expect(view).toMatchObject({ config: 2, epoch: 1, complete: true });
    expect(Math.max(...pages)).toBe(512); // paged
    // Every key is held decided by at least 3 of [a, b, c, d] (a majority of the new voters).
    for (const key of keys) {
      const holders = ['a', 'b', 'c', 'd'].filter(
        (id) => cluster.storages.get(id)!.load(key)?.decided?.value === key,
      );
      expect(holders.length, key).toBeGreaterThanOrEqual(3);
    }
    await cluster.stopAll();
  });
});

describe('a member on an older configuration', () => {
  it('is sent the chain when its ballot is fenced, adopts it, and decides under the new epoch', async () => {
    const cluster = new Cluster(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) await cluster.start(id);
    const c = cluster.node('c');
    expect(await cluster.settle(c.ask('before', 1))).toBe(1);
    // c hears nothing while d is added: it stays on configuration 1, epoch 0.
    for (const from of ['a', 'b', 'd']) cluster.network.block(from, 'c');
    await cluster.start('d', true);
    const view = await cluster.settle(cluster.node('a').changeMembers({ add: { id: 'd' } }));
    expect(view).toMatchObject({ config: 2, epoch: 1, complete: true });
    expect(c.internals.membership.adopted).toBe(1);
    cluster.network.heal();
    // A key c owns in its (old) view: c proposes it itself, in epoch 0, and is refused below the
    // fence; the refusal brings it the chain (§5.3), and its instance moves to epoch 1.
    let key = 'after';
    for (let i = 0; ownerOf(key, ['a', 'b', 'c']) !== 'c'; i++) key = `after-${i}`;
    expect(await cluster.settle(c.ask(key, 2))).toBe(2);
    expect(await c.members()).toMatchObject({ config: 2, epoch: 1, complete: true });
    const refusedBelowFence = ['a', 'b', 'd'].map(
      (id) => cluster.node(id).stats.refusedByReason['below-fence'] ?? 0,
    );
    expect(Math.max(...refusedBelowFence)).toBeGreaterThan(0);
    await cluster.stopAll();
  });

  it('asks a peer that is ahead (or unknown) for the chain when it receives a request it cannot vote on', async () => {
    const cluster = new Cluster(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) await cluster.start(id);
    for (const from of ['a', 'b', 'd']) cluster.network.block(from, 'c');
    await cluster.start('d', true);
    await cluster.settle(cluster.node('a').changeMembers({ add: { id: 'd' } }));
    cluster.network.heal();
    const c = cluster.node('c');
    // a proposes in epoch 1; c (epoch 0) does not vote on it, fetches the chain, adopts it.
    expect(await cluster.settle(cluster.node('a').ask('from-a', 'x'))).toBe('x');
    await runUntil(cluster.clock, () => c.internals.membership.adopted === 2);
    // d, a member c never heard of, and epoch-1 ballots: refused, and c fetched the chain.
    expect(
      (c.stats.refusedByReason['ahead-of-config'] ?? 0) + (c.stats.refusedByReason['not-member'] ?? 0),
    ).toBeGreaterThan(0);
    await cluster.stopAll();
  });
});

describe('a removed member', () => {
  it('that was away during its removal learns it when it comes back, and is refused with PAXOS_ERR_REMOVED', async () => {
    const cluster = new Cluster(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) await cluster.start(id);
    expect(await cluster.settle(cluster.node('a').ask('k', 1))).toBe(1);
    // c is cut off (a partition, not a crash) while the others remove it.
    cluster.network.partition(['a', 'b'], ['c']);
    const view = await cluster.settle(cluster.node('a').changeMembers({ remove: 'c' }));
    expect(view).toMatchObject({ config: 2, epoch: 1, complete: true });
    const c = cluster.node('c');
    expect(c.internals.membership.adopted).toBe(1);
    cluster.network.heal();
    // c still believes it is a member: its ask runs epoch-0 ballots, refused below the fence, which
    // brings it the chain; it adopts it, finds itself removed, and fails the ask with the code.
    let key = 'c-owns';
    for (let i = 0; ownerOf(key, ['a', 'b', 'c']) !== 'c'; i++) key = `c-owns-${i}`;
    expect(await cluster.settle(failure(c.ask(key, 2)))).toMatchObject({ code: 'PAXOS_ERR_REMOVED' });
    expect(await c.members()).toMatchObject({ config: 2, complete: true });
    expect((await c.members()).members.map((m) => m.id)).toEqual(['a', 'b']);
    expect(await cluster.settle(failure(c.ask('other', 3)))).toMatchObject({ code: 'PAXOS_ERR_REMOVED' });
    // Its messages count for nothing; the group decides without it.
    expect(await cluster.settle(cluster.node('b').ask(key, 'from-b'))).toBe('from-b');
    await cluster.stopAll();
  });
});

describe('adoption is durable, and comes before any vote in the new epoch', () => {
  it('a member restarted after a change runs the adopted chain, whatever members it is given', async () => {
    const cluster = new Cluster(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) await cluster.start(id);
    await cluster.start('d', true);
    await cluster.settle(cluster.node('a').changeMembers({ add: { id: 'd' } }));
    await runUntil(cluster.clock, () => cluster.complete('b'));
    // b crashes (what its store committed survives) and restarts with the old member list.
    cluster.node('b').halt();
    cluster.storages.get('b')!.crash();
    const b = await cluster.start('b');
    expect(await b.members()).toMatchObject({ config: 2, epoch: 1, complete: true });
    expect(b.internals.membership.fence).toBe(1);
    expect(await cluster.settle(b.ask('after-restart', 'ok'))).toBe('ok');
    await cluster.stopAll();
  });

  it('a member sends nothing of the new epoch before its fence is durable (I3)', async () => {
    const cluster = new Cluster(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) await cluster.start(id);
    await cluster.start('d', true);
    // b's disk is slow: its adoption of configuration 2 takes 200 ms to become durable.
    const storage = cluster.storages.get('b')!;
    storage.commitDelayMs = 200;
    let fenceDurableAt = Infinity;
    const save = storage.saveMembership.bind(storage);
    storage.saveMembership = (state) =>
      save(state).then(() => {
        if (state.fence === 1) fenceDurableAt = Math.min(fenceDurableAt, cluster.clock.now());
      });
    let firstEpochOneFromB = Infinity;
    cluster.network.observe((kind, envelope) => {
      const ballot = (envelope.message as { ballot?: { epoch?: number } }).ballot;
      if (kind === 'sent' && envelope.from === 'b' && ballot?.epoch === 1)
        firstEpochOneFromB = Math.min(firstEpochOneFromB, cluster.clock.now());
    });
    // c is silent, so every quorum of the change needs b: its report, its promises, its votes.
    for (const to of ['a', 'b', 'd']) cluster.network.block('c', to);
    await cluster.settle(cluster.node('a').changeMembers({ add: { id: 'd' } }));
    expect(firstEpochOneFromB).toBeLessThan(Infinity); // b took part in epoch 1 (\0done/1 at least)
    expect(firstEpochOneFromB).toBeGreaterThanOrEqual(fenceDurableAt);
    await cluster.stopAll();
  });
});

describe('a transition whose rescanner dies', () => {
  it('is completed by another voter after its rescan timeout, and the group changes again', async () => {
    const cluster = new Cluster(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) await cluster.start(id);
    const a = cluster.node('a');
    for (let i = 0; i < 5; i++) await cluster.settle(a.ask(`key-${i}`, i));
    await cluster.start('d', true);
    // The reports never reach a: its rescan waits, and a dies in the middle of it.
    cluster.network.addFilter((envelope) =>
      envelope.to === 'a' &&
      (envelope.message as { value?: { type?: string } }).value?.type === 'cfg.reported'
        ? 'drop'
        : 'deliver',
    );
    const abandoned = a.changeMembers({ add: { id: 'd' } }).catch((error: { code: string }) => error.code);
    await runUntil(cluster.clock, () => cluster.node('b').internals.membership.adopted === 2);
    expect(cluster.complete('b')).toBe(false);
    cluster.loseDisk('a');
    // b, c and d are voters of epoch 1: one of them resumes the rescan (default timeout 10 s).
    await runUntil(cluster.clock, () => ['b', 'c', 'd'].every((id) => cluster.complete(id)), {
      maxVirtualMs: 60_000,
    });
    expect(await cluster.node('d').members()).toMatchObject({ config: 2, epoch: 1, complete: true });
    for (let i = 0; i < 5; i++)
      expect(await cluster.settle(cluster.node('d').read(`key-${i}`, { quorum: true }))).toBe(i);
    // Complete, so the next change may start: a (gone with its disk) is removed.
    const next = await cluster.settle(cluster.node('b').changeMembers({ remove: 'a' }));
    expect(next).toMatchObject({ config: 3, epoch: 2, complete: true });
    expect(await cluster.settle(abandoned)).toBe('PAXOS_ERR_STOPPED');
    await cluster.stopAll();
  });
});

describe('changes that meet', () => {
  it('two changes at once: one configuration is decided, the other change fails with PAXOS_ERR_CHANGE_CONFLICT', async () => {
    const cluster = new Cluster(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await cluster.start(id, id === 'd' || id === 'e');
    const [one, two] = await cluster.settle(
      Promise.all([
        failure(cluster.node('a').changeMembers({ add: { id: 'd' } })),
        failure(cluster.node('b').changeMembers({ add: { id: 'e' } })),
      ]),
    );
    const outcomes = [one, two];
    const won = outcomes.filter((outcome) => 'value' in outcome);
    const lost = outcomes.filter((outcome) => 'code' in outcome);
    expect(won).toHaveLength(1);
    expect(lost).toEqual([
      { code: 'PAXOS_ERR_CHANGE_CONFLICT', message: expect.stringContaining('configuration 2 first') },
    ]);
    const config = (await cluster.node('c').members()).members.map((m) => m.id);
    expect([
      ['a', 'b', 'c', 'd'],
      ['a', 'b', 'c', 'e'],
    ]).toContainEqual(config);
    await cluster.stopAll();
  });

  it('a member removes itself: the change completes, and its asks fail with PAXOS_ERR_REMOVED', async () => {
    const cluster = new Cluster(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) await cluster.start(id);
    expect(await cluster.settle(cluster.node('a').ask('k', 1))).toBe(1);
    const view = await cluster.settle(cluster.node('a').changeMembers({ remove: 'a' }));
    expect(view).toMatchObject({ config: 2, epoch: 1, complete: true });
    expect(view.members.map((m) => m.id)).toEqual(['b', 'c']);
    expect(await cluster.settle(failure(cluster.node('a').ask('x', 1)))).toMatchObject({
      code: 'PAXOS_ERR_REMOVED',
    });
    expect(await cluster.settle(cluster.node('b').read('k', { quorum: true }))).toBe(1);
    expect(await cluster.settle(cluster.node('c').ask('y', 2))).toBe(2);
    await cluster.stopAll();
  });
});

describe('a joining node', () => {
  it('restarted without join before its group added it, still joins: it never decides alone', async () => {
    const storage = new MemoryStorage();
    const network = createMemoryNetwork();
    const joining = await startLink({
      id: 'f',
      members: ['f'],
      join: true,
      transport: network.connect('f'),
      storage,
    });
    await expect(joining.ask('k', 'v', { timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'PAXOS_ERR_NOT_A_MEMBER',
    });
    await joining.stop();
    // The same data, started as if it were a group of one (join forgotten on the command line).
    const again = await startLink({ id: 'f', members: ['f'], transport: network.connect('f'), storage });
    await expect(again.ask('k', 'v', { timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'PAXOS_ERR_NOT_A_MEMBER',
    });
    expect(await again.members()).toMatchObject({ config: 0, members: [] });
    await again.stop();
  });
});
