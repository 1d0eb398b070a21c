// Fault injection on real links, driven through the client protocol: a node started with it
// allowed can be cut off (both directions), lose or delay messages, and heal; it can hold every
// outbound message (its timers standing still) until each is delivered, dropped or duplicated
// by hand; a node without it refuses, and bad specs are refused with their codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkNode } from '../../src/server/networkNode.js';
import { startLoopbackCluster } from '../fixtures/loopbackCluster.js';
import { connectClient, type GenPaxosClient } from '../../src/transport/client/client.js';
import { CLUSTER, CLIENT_SECRET, waitFor } from '../wire/helpers.js';
import { WebSocket } from 'ws';
import type { HeldEvent, ReleaseEvent, ViewEvent } from '../../src/inspect/view/model/viewEvents.js';
import { ownerOf } from '../../src/paxos/owner.js';

const ids = ['a', 'b', 'c'];
const nodes: NetworkNode[] = [];
const clients: GenPaxosClient[] = [];

beforeAll(async () => {
  nodes.push(...(await startLoopbackCluster(ids, (id) => ({ allowFaultInjection: id !== 'c' }))));
  for (const node of nodes)
    clients.push(await connectClient(node.url, { secret: CLIENT_SECRET, cluster: CLUSTER }));
});

/** Polls an async condition every 20 ms, for up to 10 s. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('fault injection over the client protocol', () => {
  it('cuts a node off in both directions, and heals it', async () => {
    const [a, b] = clients as [GenPaxosClient, GenPaxosClient];
    expect(await a.setFaults({ blockOut: ['b', 'c'], blockIn: ['b', 'c'] })).toEqual({
      blockOut: ['b', 'c'],
      blockIn: ['b', 'c'],
      dropRate: 0,
      delayMs: 0,
      jitterMs: 0,
      hold: false,
    });
    await expect(a.ask('cut', 'from a', { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'PAXOS_ERR_TIMEOUT',
    });
    expect(await b.ask('cut', 'from b')).toBe('from b');
    const status = await a.status();
    expect(status.counters['faults.blockedOut']).toBeGreaterThan(0);
    await a.setFaults({});
    // a's instance keeps trying and now learns the decision.
    await waitFor(() => nodes[0]?.node.read('cut') === 'from b', 'a learns after healing');
  });

  it('drops and delays messages at the rates asked, and still decides', async () => {
    const [a] = clients as [GenPaxosClient];
    await a.setFaults({ dropRate: 0.3, delayMs: 5, jitterMs: 10 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => a.ask(`lossy-${i}`, i, { timeoutMs: 20_000 })),
    );
    expect(answers).toEqual(Array.from({ length: 10 }, (_, i) => i));
    const status = await a.status();
    expect(status.counters['faults.delayed']).toBeGreaterThan(0);
    expect(status.counters['faults.dropped']).toBeGreaterThan(0);
    await a.setFaults({});
  });

  it('is refused by a node without it, and bad specs are refused with their codes', async () => {
    const [a, , c] = clients as [GenPaxosClient, GenPaxosClient, GenPaxosClient];
    await expect(c.setFaults({ blockOut: ['a'] })).rejects.toMatchObject({
      code: 'PAXOS_ERR_FAULTS_DISABLED',
    });
    await expect(a.setFaults({ dropRate: 2 })).rejects.toMatchObject({ code: 'WIRE_ERR_OUT_OF_RANGE' });
    await expect(a.setFaults({ blockIn: ['mallory'] })).rejects.toMatchObject({
      code: 'PAXOS_ERR_BAD_OPTION',
    });
    await expect(a.setFaults({ delayMs: 3_600_000 })).rejects.toMatchObject({
      code: 'WIRE_ERR_OUT_OF_RANGE',
    });
    await expect(c.release(1, 'deliver')).rejects.toMatchObject({ code: 'PAXOS_ERR_FAULTS_DISABLED' });
    await expect(a.release('all', 'duplicate')).rejects.toMatchObject({ code: 'WIRE_ERR_BAD_FIELD' });
    await expect(a.release(1, 'explode' as 'drop')).rejects.toMatchObject({ code: 'WIRE_ERR_BAD_FIELD' });
  });
});

describe('delivery by hand', () => {
  // A cluster of its own, with a's view feed: the test follows its own key's messages only.
  const hand: NetworkNode[] = [];
  const events: ViewEvent[] = [];
  let a: GenPaxosClient;
  let feed: WebSocket;

  beforeAll(async () => {
    hand.push(
      ...(await startLoopbackCluster(ids, (id) => ({
        allowFaultInjection: true,
        ...(id === 'a' ? { view: { port: 0 } } : {}),
      }))),
    );
    feed = new WebSocket(hand[0]?.viewUrl as string);
    feed.on('message', (data) => events.push(...(JSON.parse(String(data)) as ViewEvent[])));
    await new Promise((resolve) => feed.once('open', resolve));
    a = await connectClient(hand[0]?.url as string, { secret: CLIENT_SECRET, cluster: CLUSTER });
  });

  afterAll(async () => {
    feed.close();
    await a.close();
    await Promise.all(hand.map((n) => n.stop()));
  });

  /** The messages a holds for `key`, as its feed reported them. */
  const heldFor = (key: string) => events.filter((e): e is HeldEvent => e.type === 'held' && e.key === key);

  it('holds every message until released by hand, and the node’s timers stand still meanwhile', async () => {
    expect(await a.setFaults({ hold: true })).toMatchObject({ hold: true });
    const asked = a.ask('by-hand', 'slowly', { timeoutMs: 60_000 });
    await waitFor(() => heldFor('by-hand').length > 0, 'the first message held');
    const first = heldFor('by-hand').length;
    // 1 s is several phase timeouts and takeovers: with timers running, retries would be held too.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(heldFor('by-hand')).toHaveLength(first);
    expect(hand[0]?.node.read('by-hand')).toBeUndefined();

    // A duplicate leaves the message held; delivering it releases it; it cannot go twice.
    const id = (heldFor('by-hand')[0] as HeldEvent).id;
    expect(await a.release(id, 'duplicate')).toBe(1);
    expect(await a.release(id, 'deliver')).toBe(1);
    expect(await a.release(id, 'deliver')).toBe(0);
    const released = events.filter((e): e is ReleaseEvent => e.type === 'release' && e.id === id);
    expect(released.map((e) => e.how)).toEqual(['duplicate', 'deliver']);
    // Whatever else waits (or comes while we deliver): deliver it all until the key is decided.
    await until(async () => {
      await a.release('all', 'deliver');
      return hand[0]?.node.read('by-hand') === 'slowly';
    }, 'decided by hand');
    expect(await asked).toBe('slowly');
    expect(await a.setFaults({})).toMatchObject({ hold: false });
  });

  it('a phase run by hand takes no time on the node’s clock, so its adaptive timeouts stay short', async () => {
    // A key a owns: a runs its phase (round 0) itself, and only a holds.
    const key = Array.from({ length: 100 }, (_, i) => `a-owns-${i}`).find((k) => ownerOf(k, ids) === 'a');
    if (key === undefined) throw new Error('no key owned by a among 100');
    const phaseTimeoutMs = () => hand[0]?.node.internals.timing.timing().phaseTimeoutMs ?? NaN;
    await a.setFaults({ hold: true });
    const asked = a.ask(key, 'read slowly', { timeoutMs: 60_000 });
    await waitFor(() => heldFor(key).length > 0, 'held');
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a person reading
    await until(async () => {
      await a.release('all', 'deliver');
      return hand[0]?.node.read(key) === 'read slowly';
    }, 'decided by hand');
    await a.setFaults({});
    expect(await asked).toBe('read slowly');
    // Counting the second held, the phase would set a timeout of twice that or more (RFC 6298's
    // smoothed time plus four deviations, doubled); on loopback a phase takes milliseconds.
    expect(phaseTimeoutMs()).toBeLessThan(1000);
  });

  it('delivers what waits, in order, when holding ends', async () => {
    await a.setFaults({ hold: true });
    const asked = a.ask('released-by-heal', 'at last', { timeoutMs: 60_000 });
    await waitFor(() => heldFor('released-by-heal').length > 0, 'held');
    await a.setFaults({});
    expect(await asked).toBe('at last');
    const ids = heldFor('released-by-heal').map((e) => e.id);
    const delivered = events.filter((e): e is ReleaseEvent => e.type === 'release' && ids.includes(e.id));
    expect(delivered.map((e) => [e.id, e.how])).toEqual(ids.map((id) => [id, 'deliver']));
  });
});
