// Found while building the model check (issue 5): the supervisor answered asks and reads from
// a decision that was not yet durable. A crash then lost the decision *and* the proposer's own
// acceptance it rested on, and the group went on to choose another value: a client was told
// A, the group decided B. Paxos Made Simple §2.2 counts an acceptance only once the acceptor
// will remember it; an answer may reveal a decision only once everything it rests on is durable.
import { describe, expect, it } from 'vitest';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { MemoryNetwork } from '../../src/transport/memoryNetwork.js';

const members = ['n1', 'n2', 'n3'];
// Timers well beyond the scripted first phase (a few virtual ms), so nothing retries in it.
const timing = { phaseTimeoutMs: 1_000, takeoverMs: 1_000, backoffMaxMs: 4_000 };

/** Lets promises settle and virtual time pass, `stepMs` at a time. */
async function settle(clock: VirtualClock, rounds: number, stepMs = 1): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(stepMs);
  }
}

describe('a decision is revealed only once it is durable', () => {
  it('a crash right after an answer cannot let the group decide another value', async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock });
    const storage = Object.fromEntries(members.map((id) => [id, new MemoryStorage({ clock })]));
    const start = (id: string): Promise<GenPaxosNode> =>
      startLink({
        id,
        members,
        transport: network.connect(id),
        storage: storage[id] as MemoryStorage,
        clock,
        random: seededRandom(1),
        timing,
        askTimeoutMs: 10_000_000,
        // The scripted interleaving is the classic protocol's (phase 1, then phase 2).
        ownerFastPath: false,
      });
    const n1 = await start('n1');
    const n2 = await start('n2');
    const n3 = await start('n3');

    // n3 never sees n1's phase 2a: only n2 will accept A besides n1 itself.
    network.addFilter((e) =>
      e.from === 'n1' && e.to === 'n3' && e.message.type === 'propose' ? 'drop' : 'deliver',
    );
    // Once n1's prepare is out (its promise is durable), n1's disk turns slow.
    network.observe((kind, e) => {
      if (kind === 'sent' && e.from === 'n1' && e.message.type === 'prepare')
        (storage.n1 as MemoryStorage).commitDelayMs = 1_000_000;
    });

    const answers: unknown[] = [];
    void n1.ask('k', 'A').then(
      (value) => answers.push(value),
      () => answers.push('rejected'),
    );
    await settle(clock, 20);
    // n1 holds acknowledgements from itself and n2: a quorum, but its own acceptance (and the
    // decision) are still waiting for the slow disk.
    expect((storage.n1 as MemoryStorage).loadDurable('k')?.accepted ?? null).toBeNull();

    const read = n1.read('k');
    void n1.ask('k', 'X').then(
      (value) => answers.push(value),
      () => answers.push('rejected'),
    );
    await settle(clock, 5);

    // kill -9: n1's pending writes are lost; it restarts from its durable record.
    (storage.n1 as MemoryStorage).crash();
    n1.halt();
    (storage.n1 as MemoryStorage).commitDelayMs = 0;
    const n1b = await start('n1');
    // n3 proposes B and only n1 (restarted) answers it: n2, which accepted A, is cut off.
    network.partition(['n1', 'n3'], ['n2']);
    const decidedB = n3.ask('k', 'B');
    await settle(clock, 400, 50);
    const decided = await decidedB;

    // Whatever the group decided, no client may have been told anything else.
    expect(decided).toBe('B');
    expect(read === undefined || read === decided).toBe(true); // before the fix: read was A
    for (const answer of answers) expect([decided, 'rejected']).toContain(answer);

    await Promise.all([n1b.stop(), n2.stop(), n3.stop()]);
  });
});
