// Issue 15's counterexample as a regression test (docs/membership.md §11): v1 decided by {a, c},
// every c→b message lost, c's disk gone, c replaced by f — an ask for the key on f must return v1,
// in the owner-fast-path and the classic variant, each with its must-fail control (the same run
// with the rescan skipped decides v2). In-process (membershipCluster.ts).
import { describe, expect, it } from 'vitest';
import { ownerOf } from '../../src/paxos/owner.js';
import { runUntil } from '../support/settle.js';
import { Cluster } from './membershipCluster.js';

/** A key owned by c under [a, b, c] and by f under [a, b, f] (the fast-path variant). */
function counterexampleKey(): string {
  for (let i = 0; ; i++) {
    const key = `k${i}`;
    if (ownerOf(key, ['a', 'b', 'c']) === 'c' && ownerOf(key, ['a', 'b', 'f']) === 'f') return key;
  }
}

/**
 * Issue 15's counterexample: c proposes v1 for k, a accepts and c decides, every c→b message is
 * lost; c loses its disk; c is replaced by f (with the rescan, or — the control — without); then
 * a is cut off from f and f is asked k with v2. Returns what f's ask decided, and b's record.
 */
async function counterexample(ownerFastPath: boolean, skipRescan: boolean) {
  const cluster = new Cluster(['a', 'b', 'c'], ownerFastPath);
  for (const id of ['a', 'b', 'c']) await cluster.start(id);
  const key = counterexampleKey();
  cluster.network.block('c', 'b');
  expect(await cluster.settle(cluster.node('c').ask(key, 'v1'))).toBe('v1');
  await runUntil(cluster.clock, () => cluster.storages.get('a')!.load(key)?.decided != null);
  expect(cluster.storages.get('b')!.load(key)).toBeUndefined(); // b knows nothing of k
  cluster.loseDisk('c');
  cluster.network.heal();

  const f = await cluster.start('f', true);
  const a = cluster.node('a');
  // The rescan's copies never reach f: f's record of k stays fresh, so its ask must learn v1 from
  // b (the copy the rescan made there), through round 0 or phase 1, not from its own store.
  cluster.network.addFilter((envelope) =>
    envelope.to === 'f' && (envelope.message as { value?: { type?: string } }).value?.type === 'cfg.learn'
      ? 'drop'
      : 'deliver',
  );
  const change = { remove: 'c', add: { id: 'f', url: 'mem://f' } };
  const view = await cluster.settle(
    skipRescan ? a.changeMembersSkippingRescan(change) : a.changeMembers(change),
  );
  expect(view).toMatchObject({ config: 2, epoch: 1, complete: true });
  await runUntil(cluster.clock, () => cluster.complete('f') && cluster.complete('b'));

  cluster.network.block('a', 'f');
  cluster.network.block('f', 'a');
  expect(cluster.storages.get('f')!.load(key)).toBeUndefined();
  const answer = await cluster.settle(f.ask(key, 'v2'));
  await runUntil(cluster.clock, () => cluster.storages.get('b')!.load(key)?.decided != null);
  const onB = cluster.storages.get('b')!.load(key);
  await cluster.stopAll();
  return { answer, onB };
}

describe('issue 15: replacing a member never decides a second value', () => {
  it('owner fast path: f (the new owner of k) answers v1', async () => {
    const { answer, onB } = await counterexample(true, false);
    expect(answer).toBe('v1');
    expect(onB?.decided?.value).toBe('v1'); // the rescan's copy
  });

  it('owner fast path, must-fail control: without the rescan f decides v2', async () => {
    const { answer, onB } = await counterexample(true, true);
    expect(answer).toBe('v2');
    expect(onB?.decided?.value).toBe('v2');
  });

  it('classic (no fast path): f answers v1', async () => {
    const { answer, onB } = await counterexample(false, false);
    expect(answer).toBe('v1');
    expect(onB?.decided?.value).toBe('v1');
  });

  it('classic, must-fail control: without the rescan f decides v2', async () => {
    const { answer, onB } = await counterexample(false, true);
    expect(answer).toBe('v2');
    expect(onB?.decided?.value).toBe('v2');
  });
});
