// Catch-up's puller on a virtual clock, against peers whose decided logs are real MemoryStorage
// logs: it pages through each peer to its head, resumes from its saved cursor after a restart,
// keeps to its bandwidth, moves a cursor only over records durable here, and stops at the first
// disagreement. A peer that sends garbage costs an error, not the node.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { CatchupPuller, type CatchupLimits } from '../../src/node/catchup/catchupPuller.js';
import { checkPageReply } from '../../src/node/catchup/nodeCatchup.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { DecidedEntry } from '../../src/storage/decidedLog.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { runUntil } from '../support/settle.js';

const decided = (value: PaxosValue) => ({ promised: null, accepted: null, decided: { value } });

/** Keys of one length, so that pages of equal counts weigh the same. */
const keyName = (prefix: string, i: number) => `${prefix}${String(i).padStart(3, '0')}`;

async function peerWith(keys: number, prefix = 'k'): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  await storage.open();
  for (let i = 0; i < keys; i++) await storage.write(keyName(prefix, i), decided(keyName('v', i)));
  return storage;
}

interface Setup {
  readonly clock: VirtualClock;
  readonly local: MemoryStorage;
  readonly peers: Record<string, MemoryStorage>;
  readonly limits?: Partial<CatchupLimits>;
  readonly down?: Set<string>;
}

function puller(setup: Setup) {
  const { clock, local, peers } = setup;
  const fetches: Array<{ peer: string; since: number; atMs: number }> = [];
  const disagreements: Array<{ peer: string; key: string; local: PaxosValue }> = [];
  const p = new CatchupPuller({
    sources: () => Object.keys(peers),
    reachable: (peer) => !setup.down?.has(peer),
    fetch: async (peer, since, limits) => {
      fetches.push({ peer, since, atMs: clock.now() });
      return peers[peer]!.decidedSince(since, limits);
    },
    learn: (_peer, entries: readonly DecidedEntry[]) => {
      for (const { key, value } of entries) void local.write(key, decided(value));
    },
    decidedHere: (key) => local.load(key)?.decided,
    onDisagreement: (peer, entry, value) => disagreements.push({ peer, key: entry.key, local: value }),
    log: local,
    clock,
    ...(setup.limits ? { limits: setup.limits } : {}),
  });
  return { puller: p, fetches, disagreements };
}

describe('catch-up: pulling peers’ decided logs', () => {
  it('pages through every peer to its head, and reports its progress', async () => {
    const clock = new VirtualClock();
    const local = new MemoryStorage();
    await local.open();
    const peers = { b: await peerWith(25, 'b'), c: await peerWith(7, 'c') };
    const { puller: p, fetches } = puller({ clock, local, peers, limits: { maxKeysPerPage: 10 } });
    expect(p.progress().caughtUp).toBe(false);
    p.start();
    await runUntil(clock, () => p.progress().caughtUp, { maxVirtualMs: 10_000 });
    p.stop();
    for (let i = 0; i < 25; i++) expect(local.load(keyName('b', i))?.decided?.value).toBe(keyName('v', i));
    for (let i = 0; i < 7; i++) expect(local.load(keyName('c', i))?.decided?.value).toBe(keyName('v', i));
    expect(fetches.filter((f) => f.peer === 'b').map((f) => f.since)).toEqual([0, 10, 20, 25]); // the last finds nothing new
    const progress = p.progress();
    expect(progress.sources.b).toMatchObject({ cursor: 25, head: 25, lagKeys: 0, keys: 25, pages: 4 });
    expect(progress.sources.c).toMatchObject({ cursor: 7, head: 7, lagKeys: 0, keys: 7, pages: 2 });
    expect(local.catchupCursor('b')).toBe(25);
    expect(local.decidedHead()).toBe(32);
  });

  it('pulls from a source a new configuration adds after it started (a joining node, a new voter)', async () => {
    const clock = new VirtualClock();
    const local = new MemoryStorage();
    await local.open();
    // A joining node starts with no source; its first configuration brings b, a change later c.
    const all = { b: await peerWith(5, 'b'), c: await peerWith(3, 'c') };
    const peers: Record<string, MemoryStorage> = {};
    const { puller: p, fetches } = puller({ clock, local, peers });
    p.start();
    await runUntil(clock, () => clock.now() >= 5000, { maxVirtualMs: 10_000 });
    expect(fetches).toEqual([]);
    peers.b = all.b;
    await runUntil(clock, () => p.progress().caughtUp, { maxVirtualMs: 10_000 });
    peers.c = all.c;
    expect(p.progress().caughtUp).toBe(false);
    await runUntil(clock, () => p.progress().caughtUp, { maxVirtualMs: 10_000 });
    p.stop();
    for (let i = 0; i < 5; i++) expect(local.load(keyName('b', i))?.decided?.value).toBe(keyName('v', i));
    for (let i = 0; i < 3; i++) expect(local.load(keyName('c', i))?.decided?.value).toBe(keyName('v', i));
  });

  it('resumes from its saved cursors after a restart, and pulls again when a link comes back up', async () => {
    const clock = new VirtualClock();
    const local = new MemoryStorage();
    await local.open();
    const peers = { b: await peerWith(30) };
    // One page a second, so the node can be stopped between pages.
    const perPage = peers.b.decidedSince(0, { maxKeys: 10, maxBytes: 1 << 20 }).bytes;
    const slow = { maxKeysPerPage: 10, maxBytesPerPage: perPage, bytesPerSecond: perPage };
    const first = puller({ clock, local, peers, limits: slow });
    first.puller.start();
    await runUntil(clock, () => local.catchupCursor('b') >= 10, { maxVirtualMs: 10_000 });
    first.puller.stop(); // the node stops part way
    const cursor = local.catchupCursor('b');
    expect(cursor).toBeGreaterThanOrEqual(10);
    expect(cursor).toBeLessThan(30);

    const second = puller({ clock, local, peers, limits: { maxKeysPerPage: 10, pollMs: 500 } });
    second.puller.start();
    await runUntil(clock, () => second.puller.progress().caughtUp, { maxVirtualMs: 10_000 });
    expect(second.fetches[0]?.since).toBe(cursor); // not from 0 again
    for (let i = 30; i < 33; i++) await peers.b.write(keyName('k', i), decided(`v${i}`));
    // While b's link stays up its decisions arrive over it: a caught-up peer is not asked again…
    await runUntil(clock, () => clock.now() >= 5_000, { maxVirtualMs: 10_000 }); // one pull finds nothing new
    const asked = second.fetches.length;
    clock.advance(10_000);
    await runUntil(clock, () => clock.now() >= 20_000, { maxVirtualMs: 30_000 });
    expect(second.fetches).toHaveLength(asked);
    // …until its link comes back up after being down: what it decided meanwhile is pulled.
    second.puller.peerUp('b');
    await runUntil(clock, () => local.load(keyName('k', 32))?.decided != null, { maxVirtualMs: 10_000 });
    second.puller.stop();
    expect(local.catchupCursor('b')).toBe(33);
  });

  it('keeps to its bandwidth: pages wait for the token bucket', async () => {
    const clock = new VirtualClock();
    const local = new MemoryStorage();
    await local.open();
    const peers = { b: await peerWith(40) };
    const perPage = peers.b.decidedSince(0, { maxKeys: 4, maxBytes: 1 << 20 }).bytes;
    // A bucket that refills one page a second and holds one: after the first page's burst, ten
    // pages take at least eight seconds more.
    const limits = { maxKeysPerPage: 4, maxBytesPerPage: perPage, bytesPerSecond: perPage };
    const { puller: p, fetches } = puller({ clock, local, peers, limits });
    p.start();
    await runUntil(clock, () => p.progress().caughtUp, { maxVirtualMs: 60_000 });
    p.stop();
    expect(fetches).toHaveLength(11); // ten pages, and a last pull that finds nothing new
    expect(fetches[9]!.atMs - fetches[0]!.atMs).toBeGreaterThanOrEqual(8000);
    expect(local.decidedHead()).toBe(40);
  });

  it('moves no cursor over records that are not durable here', async () => {
    const clock = new VirtualClock();
    const local = new MemoryStorage();
    await local.open();
    const peers = { b: await peerWith(5) };
    let learnt = 0;
    const p = new CatchupPuller({
      sources: () => ['b'],
      reachable: () => true,
      fetch: async (_peer, since, limits) => peers.b.decidedSince(since, limits),
      learn: () => void learnt++, // a node that stopped voting writes nothing
      decidedHere: () => undefined,
      onDisagreement: () => {},
      log: local,
      clock,
    });
    p.start();
    await runUntil(clock, () => learnt >= 2, { maxVirtualMs: 10_000 });
    p.stop();
    expect(local.catchupCursor('b')).toBe(0);
    expect(p.progress().sources.b).toMatchObject({ cursor: 0, reachedHead: false });
  });

  it('stops at a disagreement and reports it', async () => {
    const clock = new VirtualClock();
    const local = new MemoryStorage();
    await local.open();
    await local.write(keyName('k', 3), decided('mine'));
    const peers = { b: await peerWith(10) };
    const { puller: p, disagreements, fetches } = puller({ clock, local, peers });
    p.start();
    await runUntil(clock, () => disagreements.length > 0, { maxVirtualMs: 10_000 });
    expect(disagreements).toEqual([{ peer: 'b', key: keyName('k', 3), local: 'mine' }]);
    expect(p.progress().disagreements).toBe(1);
    expect(local.load(keyName('k', 0))).toBeUndefined();
    clock.advance(60_000);
    expect(fetches).toHaveLength(1); // and it pulls no more
  });

  it('counts a peer that is down or fails as an error and tries it again later', async () => {
    const clock = new VirtualClock();
    const local = new MemoryStorage();
    await local.open();
    let failures = 2;
    const b = await peerWith(3);
    const p = new CatchupPuller({
      sources: () => ['b'],
      reachable: () => true,
      fetch: async (_peer, since, limits) => {
        if (failures-- > 0) throw new Error('timeout');
        return b.decidedSince(since, limits);
      },
      learn: (_peer, entries) => entries.forEach((e) => void local.write(e.key, decided(e.value))),
      decidedHere: (key) => local.load(key)?.decided,
      onDisagreement: () => {},
      log: local,
      clock,
      limits: { pollMs: 1000 },
    });
    p.start();
    await runUntil(clock, () => p.progress().caughtUp, { maxVirtualMs: 10_000 });
    p.stop();
    expect(p.progress().sources.b).toMatchObject({ errors: 2, lastError: 'timeout', cursor: 3 });
    expect(clock.now()).toBeGreaterThanOrEqual(2000);
  });
});

describe('catch-up: a peer’s page is checked before anything in it is used', () => {
  const limits = { maxKeys: 10, maxBytes: 1 << 20 };
  const page = (over: Record<string, unknown>) => ({
    type: 'paxos.page',
    page: { entries: [{ seq: 4, key: 'k', value: 'v' }], next: 4, head: 9, bytes: 2, ...over },
  });

  it('accepts a well-formed page', () => {
    expect(checkPageReply('b', page({}), 3, limits).entries).toEqual([{ seq: 4, key: 'k', value: 'v' }]);
  });

  it.each([
    ['no page', { type: 'paxos.page' }, /no page/],
    ['a refusal', { type: 'paxos.failed', error: { message: 'no log' } }, /refused.*no log/],
    ['numbers not above since', page({ entries: [{ seq: 3, key: 'k', value: 'v' }], next: 3 }), /numbers/],
    ['an entry past the head', page({ entries: [{ seq: 10, key: 'k', value: 'v' }], next: 10 }), /numbers/],
    ['a bad key', page({ entries: [{ seq: 4, key: 7, value: 'v' }] }), /bad key/],
    ['a missing value', page({ entries: [{ seq: 4, key: 'k' }] }), /bad value/],
    ['a wrong next', page({ next: 5 }), /next/],
    ['a negative head', page({ head: -1 }), /counts/],
    [
      'too many entries',
      page({ entries: Array.from({ length: 11 }, (_, i) => ({ seq: 4 + i, key: 'k', value: 'v' })) }),
      /maxKeys/,
    ],
  ])('refuses %s with a clear error', (_what, reply, message) => {
    expect(() => checkPageReply('b', reply, 3, limits)).toThrow(message);
  });
});
