// Membership changes over a lossy network (docs/membership.md §6): messages dropped, duplicated and
// delayed at random while a group grows from 3 to 4, shrinks back to 3 and replaces a member; each
// seed (printed, replayable) must keep every value decided before, and keep deciding. Liveness
// rests on the re-sends of every step: the chain push, the reports, the copies, the recoveries.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { runUntil } from '../support/settle.js';

const SEEDS = (process.env.MEMBERSHIP_SEEDS ?? '1,2,3,4,5').split(',').map(Number);

/**
 * A quorum read sends its queries once (docs/membership.md §8.3): on this lossy network it is
 * tried again after a timeout, as a client would.
 */
async function quorumRead(node: GenPaxosNode, key: string): Promise<PaxosValue | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await node.read(key, { quorum: true, timeoutMs: 5000 });
    } catch (error) {
      if ((error as { code?: string }).code !== 'PAXOS_ERR_TIMEOUT' || attempt === 5) throw error;
    }
  }
}

async function run(seed: number): Promise<void> {
  const clock = new VirtualClock();
  const network = createMemoryNetwork({
    clock,
    random: seededRandom(seed),
    faults: {
      dropRate: Number(process.env.MEMBERSHIP_DROP ?? 0.1),
      duplicateRate: 0.05,
      delayMs: { min: 1, max: 8 },
    },
  });
  const nodes = new Map<string, GenPaxosNode>();
  const start = async (id: string, join: boolean) => {
    const node = await startLink({
      id,
      members: join ? [id] : ['a', 'b', 'c'],
      join,
      transport: network.connect(id),
      storage: new MemoryStorage({ clock }),
      clock,
      random: seededRandom(seed * 100 + nodes.size),
      timing: { phaseTimeoutMs: 20, takeoverMs: 40, backoffMaxMs: 400 },
      catchup: false,
      askTimeoutMs: 60_000,
    });
    nodes.set(id, node);
    return node;
  };
  const settle = async <T>(promise: Promise<T>): Promise<T> => {
    let done = false;
    const result = promise.finally(() => (done = true));
    result.catch(() => {}); // rejected while the clock runs: handled by the caller's await
    await runUntil(clock, () => done, { maxVirtualMs: 300_000 });
    return result;
  };
  for (const id of ['a', 'b', 'c']) await start(id, false);
  const decided = new Map<string, PaxosValue>();
  const askSome = async (via: string, prefix: string) => {
    for (let i = 0; i < 8; i++) {
      const key = `${prefix}-${i}`;
      decided.set(key, await settle(nodes.get(via)!.ask(key, `${key}@${via}`)));
    }
  };
  const checkAll = async (via: string) => {
    for (const [key, value] of decided)
      expect(await settle(quorumRead(nodes.get(via)!, key)), `${key} at ${via}`).toEqual(value);
  };
  await askSome('a', 'one');
  await start('d', true);
  expect(await settle(nodes.get('b')!.changeMembers({ add: { id: 'd' } }))).toMatchObject({ config: 2 });
  await checkAll('d');
  await askSome('d', 'two');
  expect(await settle(nodes.get('d')!.changeMembers({ remove: 'a' }))).toMatchObject({ config: 3 });
  nodes.get('a')!.halt();
  nodes.delete('a');
  await checkAll('c');
  await start('e', true);
  expect(await settle(nodes.get('c')!.changeMembers({ remove: 'b', add: { id: 'e' } }))).toMatchObject({
    config: 4,
    complete: true,
  });
  nodes.get('b')!.halt();
  nodes.delete('b');
  await checkAll('e');
  await askSome('e', 'three');
  for (const node of nodes.values()) await node.stop();
}

describe('membership changes over a lossy network', () => {
  for (const seed of SEEDS)
    it(`seed ${seed} (replay: MEMBERSHIP_SEEDS=${seed})`, async () => {
      console.log(`membership lossy seed ${seed}`);
      await run(seed);
    });
});
