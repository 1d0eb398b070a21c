// The owner's round 0 across a crash, on real nodes (owner.ts): the owner writes nothing for its
// round-0 propose, so after a crash right after it left, the key is fresh again and the restarted
// owner proposes ballot 0 a second time, with another value. The window is a few milliseconds
// wide, too narrow for the random schedules to hit in a test's budget, so this run crashes the
// owner in it on purpose. The shipped owner's second propose carries its new boot: acceptors that
// hold the first value refuse the second, and their acknowledgements of the first (an older boot)
// do not count for it, so no invariant breaks. The control counts them anyway, and the checker
// must catch the decision that rests on votes never cast.
import { describe, expect, it } from 'vitest';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { ownerOf } from '../../src/paxos/owner.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { drainMicrotasks } from '../support/settle.js';
import { instanceLogicFor, type BrokenVariant } from './brokenVariants.js';
import { InvariantChecker } from './invariants.js';

const MEMBERS = ['a', 'b', 'c'];
const OWNER = 'a';
/** A key the owner fast path gives to `OWNER`. */
const KEY = Array.from({ length: 64 }, (_, i) => `k${i}`).find(
  (k) => ownerOf(k, MEMBERS) === OWNER,
) as string;

interface Outcome {
  readonly violations: readonly string[];
  /** Messages the other members refused as `conflicting-value` (acceptor.ts). */
  readonly conflictsRefused: number;
}

async function crashOwnerAfterItsFirstPropose(variant: BrokenVariant | undefined): Promise<Outcome> {
  const clock = new VirtualClock();
  const network = createMemoryNetwork({ clock, random: seededRandom(7) });
  const storages = new Map(MEMBERS.map((id) => [id, new MemoryStorage({ clock, commitDelayMs: 5 })]));
  const storage = (id: string) => storages.get(id) as MemoryStorage;
  const checker = new InvariantChecker(
    () => clock.now(),
    (key) => MEMBERS.map((id) => storage(id).loadDurable(key)),
    (key) => ownerOf(key, MEMBERS),
  );
  network.observe((kind, envelope) => {
    if (kind === 'sent') checker.checkSent(envelope, storage(envelope.from));
  });
  const start = (id: string, incarnation: number) => {
    const logic = instanceLogicFor(variant, id);
    return startLink({
      id,
      members: MEMBERS,
      transport: network.connect(id),
      storage: storage(id),
      clock,
      random: seededRandom(incarnation * 31 + id.charCodeAt(0)),
      askTimeoutMs: 1_000,
      ...(logic ? { instanceLogic: logic } : {}),
    });
  };
  const nodes = new Map<string, GenPaxosNode>();
  for (const id of MEMBERS) nodes.set(id, await start(id, 0));
  const steps = async (ms: number) => {
    const until = clock.now() + ms;
    while ((clock.nextDueMs() ?? Infinity) <= until) {
      clock.runNext();
      await drainMicrotasks();
    }
  };

  // The owner is asked, and crashes before its first write of the key is on disk.
  const owner = nodes.get(OWNER) as GenPaxosNode;
  checker.noteProposed(KEY, 'first');
  checker.noteProposed(KEY, 'second');
  owner.ask(KEY, 'first').catch(() => {});
  await drainMicrotasks();
  // The owner writes nothing for its round 0 (it does not vote in it): its propose is out already.
  expect(storage(OWNER).uncommittedKeys).toBe(0);
  owner.halt();
  storage(OWNER).crash();
  // The refusals of the second value are lost (the network may lose anything), so the restarted
  // owner hears only the acknowledgements of the first.
  network.addFilter((envelope) => (envelope.message.type === 'reject' ? 'drop' : 'deliver'));
  // Back at once with the key fresh on its disk, it is asked another value, while its first
  // propose is still on the way.
  const restarted = await start(OWNER, 1);
  restarted.ask(KEY, 'second').catch(() => {});
  await steps(50);
  for (const id of MEMBERS) checker.checkStorage(id, storage(id), [KEY]);
  const others = MEMBERS.filter((id) => id !== OWNER).map((id) => nodes.get(id) as GenPaxosNode);
  const conflictsRefused = others.reduce(
    (n, node) => n + (node.stats.refusedByReason['conflicting-value'] ?? 0),
    0,
  );
  await restarted.stop();
  for (const node of others) await node.stop();
  return { violations: checker.violations, conflictsRefused };
}

describe('an owner crashed right after its round-0 propose left', () => {
  it('the shipped owner proposes again under its new boot: the second value is refused, every invariant holds', async () => {
    const { violations, conflictsRefused } = await crashOwnerAfterItsFirstPropose(undefined);
    expect(violations).toEqual([]);
    // The acceptors that took the first value refused the second (acceptor.ts, conflicting-value).
    expect(conflictsRefused).toBeGreaterThan(0);
  });

  it('control: an owner counting acknowledgements of its earlier boot decides a value nobody holds', async () => {
    const { violations } = await crashOwnerAfterItsFirstPropose('owner-counts-stale-acks');
    expect(violations.join('\n')).toMatch(
      /persist before reply: a→[bc] decide for .* "second" but only 0 of 3/,
    );
  });
});
