// The must-fail control of "one value per (key, ballot)" on real nodes: an owner crashes right
// after its ballot-0 propose left and comes back with the key fresh. The window (between the
// propose leaving and the owner's own acceptance reaching disk) is a few milliseconds wide, too
// narrow for the random schedules to hit in a test's budget, so this run crashes the owner in it
// on purpose: the broken owner then proposes ballot 0 again with a second value, and the checker,
// watching every message sent, must say so. The shipped owner, crashed at the same point, had
// sent nothing yet, so its second ballot 0 is its first.
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
  expect(storage(OWNER).uncommittedKeys).toBe(1);
  owner.halt();
  storage(OWNER).crash();
  await steps(20); // whatever left the owner reaches the others
  // Back with the key fresh on its disk, it is asked another value.
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

describe('one value per (key, ballot): an owner crashed between its ballot-0 propose and its write', () => {
  it('the broken owner proposes ballot 0 again with a second value, and the checker catches it', async () => {
    const { violations, conflictsRefused } = await crashOwnerAfterItsFirstPropose('owner-reuses-ballot-zero');
    expect(violations.join('\n')).toMatch(
      new RegExp(
        `one value per ballot: ${KEY} at 0\\.a got "second" \\(a→[bc] propose\\), but "first" before`,
      ),
    );
    // The acceptors that took the first value refused the second (defence in depth).
    expect(conflictsRefused).toBeGreaterThan(0);
  });

  it('the shipped owner sent nothing before its write, so the same crash leaves every invariant whole', async () => {
    expect(await crashOwnerAfterItsFirstPropose(undefined)).toEqual({ violations: [], conflictsRefused: 0 });
  });
});
