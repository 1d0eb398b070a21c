// The in-memory network's fault hooks do what they say, deterministically for a seed.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/paxos/messages.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';

const PREPARE = { type: 'prepare', ballot: { round: 1, node: 'a' } } as const;

function setup(seed = 1, delivery: 'scheduled' | 'manual' = 'scheduled') {
  const clock = new VirtualClock();
  const network = createMemoryNetwork({ clock, random: seededRandom(seed), delivery });
  const inbox = new Map<string, Envelope[]>();
  const transports = ['a', 'b', 'c'].map((id) => {
    const transport = network.connect(id);
    inbox.set(id, []);
    transport.listen((envelope) => inbox.get(id)?.push(envelope));
    return transport;
  });
  const send = (from: number, to: string, key = 'k') =>
    transports[from]?.send({ from: '', to, key, message: PREPARE });
  return { clock, network, inbox, send };
}

describe('MemoryNetwork', () => {
  it('delivers asynchronously and stamps the sender', () => {
    const { clock, inbox, send } = setup();
    send(0, 'b');
    expect(inbox.get('b')).toEqual([]);
    clock.advance(0);
    expect(inbox.get('b')).toEqual([{ from: 'a', to: 'b', key: 'k', message: PREPARE }]);
  });

  it('partitions cut both ways and heal restores delivery', () => {
    const { clock, network, inbox, send } = setup();
    network.partition(['a'], ['b', 'c']);
    send(0, 'b');
    send(1, 'a');
    send(1, 'c');
    clock.advance(1);
    expect([inbox.get('a')?.length, inbox.get('b')?.length, inbox.get('c')?.length]).toEqual([0, 0, 1]);
    network.heal();
    send(0, 'b');
    clock.advance(1);
    expect(inbox.get('b')).toHaveLength(1);
  });

  it('blocks one direction only', () => {
    const { clock, network, inbox, send } = setup();
    network.block('a', 'b');
    send(0, 'b');
    send(1, 'a');
    clock.advance(1);
    expect(inbox.get('b')).toHaveLength(0);
    expect(inbox.get('a')).toHaveLength(1);
  });

  it('drops, duplicates and reorders by seed, the same way every time', () => {
    const run = (seed: number) => {
      const { clock, network, inbox, send } = setup(seed);
      network.setFaults({ dropRate: 0.3, duplicateRate: 0.3, delayMs: { min: 0, max: 50 } });
      for (let i = 0; i < 200; i++) send(0, 'b', `k${i}`);
      clock.advance(100);
      return { keys: inbox.get('b')?.map((e) => e.key), stats: { ...network.stats } };
    };
    const first = run(42);
    expect(run(42)).toEqual(first);
    expect(first.stats.dropped).toBeGreaterThan(20);
    expect(first.stats.duplicated).toBeGreaterThan(20);
    const keys = first.keys as string[];
    const order = keys.map((k) => Number(k.slice(1)));
    expect(order).not.toEqual([...order].sort((x, y) => x - y)); // reordered
    expect(new Set(keys).size).toBeLessThan(keys.length); // duplicated
  });

  it('filters can drop chosen envelopes', () => {
    const { clock, network, inbox, send } = setup();
    const remove = network.addFilter((e) => (e.key === 'secret' ? 'drop' : 'deliver'));
    send(0, 'b', 'secret');
    send(0, 'b', 'public');
    clock.advance(1);
    expect(inbox.get('b')?.map((e) => e.key)).toEqual(['public']);
    remove();
    send(0, 'b', 'secret');
    clock.advance(1);
    expect(inbox.get('b')?.map((e) => e.key)).toEqual(['public', 'secret']);
  });

  it('manual delivery holds messages until delivered, oldest first or by choice; partitions still cut them', () => {
    const { clock, network, inbox, send } = setup(1, 'manual');
    send(0, 'b', 'k1');
    send(0, 'c', 'k2');
    send(1, 'c', 'k3');
    clock.advance(1_000);
    expect(inbox.get('b')).toEqual([]);
    expect(network.inFlight().map((e) => e.key)).toEqual(['k1', 'k2', 'k3']);
    // By choice: the first message on the link b → c, then the oldest of the rest.
    expect(network.deliverNext((e) => e.from === 'b')?.key).toBe('k3');
    expect(network.deliverNext()?.key).toBe('k1');
    expect(inbox.get('c')?.map((e) => e.key)).toEqual(['k3']);
    expect(inbox.get('b')?.map((e) => e.key)).toEqual(['k1']);
    network.partition(['a'], ['b', 'c']);
    expect(network.deliverNext()?.key).toBe('k2');
    expect(inbox.get('c')?.map((e) => e.key)).toEqual(['k3']);
    expect(network.stats.dropped).toBe(1);
    expect(network.deliverNext()).toBeUndefined();
  });
});
