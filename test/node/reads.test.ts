// Reads on a 3-node in-process cluster (docs/membership.md §8, issue 15 item 3): read-your-writes on
// one node while its decided record is still in flight, and quorum reads on a node that missed the
// decide, on one with nothing, and on one whose lone acceptance must be run to a decision.
import { afterEach, describe, expect, it } from 'vitest';
import { ownerAmongSorted } from '../../src/paxos/owner.js';
import type { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { runToSettle } from '../support/settle.js';

const MEMBERS = ['a', 'b', 'c'];
/** The first key `prefix-N` that `owner` owns under the owner fast path. */
function keyOwnedBy(owner: string, prefix: string): string {
  for (let i = 0; ; i++) if (ownerAmongSorted(`${prefix}-${i}`, MEMBERS) === owner) return `${prefix}-${i}`;
}

let cluster: TestCluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

describe('read-your-writes on one node (§8.2)', () => {
  it("a node's read returns what its own ask returned while its decided record is not durable", async () => {
    cluster = await startCluster({ size: 3, seed: 5 });
    const c = cluster;
    // a forwards the ask to b, the owner; a votes in b's round 0, then its disk turns slow, so
    // its decided record (from b's decide) stays in flight.
    const key = keyOwnedBy('b', 'ryw');
    const diskA = c.storages.get('a') as MemoryStorage;
    c.network.observe((kind, e) => {
      if (kind === 'sent' && e.from === 'a' && e.message.type === 'acknowledge')
        diskA.commitDelayMs = 1_000_000;
    });
    const answer = await c.ask('a', key, 'mine', { maxVirtualMs: 10_000 });
    expect(answer).toBe('mine');
    expect(diskA.loadDurable(key)?.decided ?? null).toBeNull(); // the decision is not on a's disk yet…
    expect(c.node('a').read(key)).toBe('mine'); // …and a's read returns it (before the fix: undefined)
    expect(await runToSettle(c.clock, c.node('a').read(key, {}))).toBe('mine');
  });

  it('a restarted node resolves a key it accepted but never saw decided with a quorum read (rule 3)', async () => {
    cluster = await startCluster({ size: 3, seed: 6 });
    const c = cluster;
    const key = keyOwnedBy('b', 'restart');
    // c votes in b's round 0 but never hears the decide; then c crashes and comes back.
    const dropDecides = c.network.addFilter((e) =>
      e.to === 'c' && e.message.type === 'decide' ? 'drop' : 'deliver',
    );
    expect(await c.ask('a', key, 'v', { maxVirtualMs: 10_000 })).toBe('v');
    dropDecides();
    c.crash('c');
    const restarted = await c.restart('c');
    expect(restarted.read(key)).toBeUndefined(); // what c knows: an acceptance, no decision
    expect(await runToSettle(c.clock, restarted.read(key, {}))).toBe('v'); // resolved by a quorum
  });
});

describe('quorum reads (§8.3)', () => {
  it('a node that missed the decide answers the decided value; a key nobody asked is not decided', async () => {
    cluster = await startCluster({ size: 3, seed: 7 });
    const c = cluster;
    const key = keyOwnedBy('a', 'missed');
    // c hears nothing of the key: a and b decide it without c (the owner falls back to a majority).
    const cutC = c.network.addFilter((e) => (e.key === key && e.to === 'c' ? 'drop' : 'deliver'));
    expect(await c.ask('a', key, 'v', { maxVirtualMs: 60_000 })).toBe('v');
    expect(c.node('c').read(key)).toBeUndefined();
    cutC();
    expect(await runToSettle(c.clock, c.node('c').read(key, { quorum: true }))).toBe('v');
    expect(await runToSettle(c.clock, c.node('c').read('never-asked', { quorum: true }))).toBeUndefined();
    expect(c.node('c').stats.quorumReads).toMatchObject({ decided: 1, 'not-decided': 1 });
  });

  it('a read whose queries are lost asks again, and answers', async () => {
    cluster = await startCluster({ size: 3, seed: 9 });
    const c = cluster;
    const key = keyOwnedBy('a', 'lossy-read');
    const cutC = c.network.addFilter((e) => (e.key === key && e.to === 'c' ? 'drop' : 'deliver'));
    expect(await c.ask('a', key, 'v', { maxVirtualMs: 60_000 })).toBe('v');
    cutC();
    // c's first two rounds of queries are lost: only the third reaches a and b.
    let queriesLost = 0;
    c.network.addFilter((e) => {
      if (e.from !== 'c' || e.message.type !== 'query' || queriesLost >= 4) return 'deliver';
      queriesLost++;
      return 'drop';
    });
    const read = c.node('c').read(key, { quorum: true, timeoutMs: 30_000 });
    expect(await runToSettle(c.clock, read, { maxVirtualMs: 30_000 })).toBe('v');
    expect(queriesLost).toBe(4);
    expect(c.node('c').stats.quorumReads).toMatchObject({ decided: 1 });
  });

  it('a lone acceptance is not "not decided" to its holder: the read runs the key to a decision', async () => {
    cluster = await startCluster({ size: 3, seed: 8, ownerFastPath: false });
    const c = cluster;
    const key = 'lone';
    // c wins phase 1, then its proposes are lost: only c accepted 'v'.
    const dropProposes = c.network.addFilter((e) =>
      e.from === 'c' && e.message.type === 'propose' ? 'drop' : 'deliver',
    );
    const asked = c.node('c').ask(key, 'v', { timeoutMs: 5 });
    await expect(runToSettle(c.clock, asked)).rejects.toMatchObject({ code: 'PAXOS_ERR_TIMEOUT' });
    await c.runUntil(() => c.storages.get('c')?.loadDurable(key)?.accepted !== null, { maxVirtualMs: 1_000 });
    dropProposes();
    // a and b hold nothing: their quorum proves that nothing was chosen, and a's read says so.
    expect(await runToSettle(c.clock, c.node('a').read(key, { quorum: true }))).toBeUndefined();
    expect(c.node('a').stats.quorumReads).toEqual({ 'not-decided': 1 });
    // c's quorum includes its own acceptance: no proof of a choice, and no proof against one
    // either (to c, a voter that did not answer might hold it too). c runs the key to a decision.
    const atC = await runToSettle(c.clock, c.node('c').read(key, { quorum: true }), { maxVirtualMs: 60_000 });
    expect(atC).toBe('v');
    expect(c.node('c').stats.quorumReads).toEqual({ recovered: 1 });
    // The read linearizes at that decision: every later ask gets v.
    expect(await c.ask('b', key, 'other', { maxVirtualMs: 60_000 })).toBe('v');
  });

  it('the node actor answers a read event with quorum: true (embedding, docs/embedding.md)', async () => {
    cluster = await startCluster({ size: 3, seed: 11 });
    const c = cluster;
    expect(await c.ask('b', 'k', 'v', { maxVirtualMs: 10_000 })).toBe('v');
    const replies: unknown[] = [];
    const replyTo = { send: (reply: unknown) => replies.push(reply) };
    c.node('c').actor.send({ type: 'read', key: 'k', quorum: true, replyTo });
    c.node('c').actor.send({ type: 'read', key: 'other', quorum: true, replyTo });
    await c.runUntil(() => replies.length === 2, { maxVirtualMs: 10_000 });
    expect(replies).toEqual(
      expect.arrayContaining([
        { type: 'paxos.read', key: 'k', decided: true, value: 'v' },
        { type: 'paxos.read', key: 'other', decided: false, value: null },
      ]),
    );
  });

  it('a quorum read without a quorum times out with PAXOS_ERR_TIMEOUT', async () => {
    cluster = await startCluster({ size: 3, seed: 9 });
    const c = cluster;
    c.network.partition(['a'], ['b', 'c']);
    const read = c.node('a').read('k', { quorum: true, timeoutMs: 500 });
    await expect(runToSettle(c.clock, read)).rejects.toMatchObject({ code: 'PAXOS_ERR_TIMEOUT' });
  });

  it('bad arguments get coded errors', async () => {
    cluster = await startCluster({ size: 3, seed: 10 });
    const node = cluster.node('a');
    await expect(node.read('', { quorum: true })).rejects.toMatchObject({ code: 'PAXOS_ERR_BAD_KEY' });
    await expect(node.read('k', { quorum: 'yes' as unknown as boolean })).rejects.toMatchObject({
      code: 'PAXOS_ERR_BAD_OPTION',
    });
    await expect(node.read('k', { timeoutMs: -1 })).rejects.toMatchObject({ code: 'PAXOS_ERR_BAD_OPTION' });
  });
});
