// Catch-up's puller on a virtual clock, against peers whose decided logs are real MemoryStorage
// logs: it pages through each peer to its head, resumes from its saved cursor after a restart,
// keeps to its bandwidth, moves a cursor only over records durable here, and stops at the first
// disagreement. A peer that sends garbage costs an error, not the node.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { CatchupPuller, type CatchupLimits } from '../../src/node/catchup/catchupPuller.js';
import { checkKeyOrderReply, checkPageReply } from '../../src/node/catchup/nodeCatchup.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { DecidedFact } from '../../src/storage/decidedLog.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { runUntil } from '../support/settle.js';

const decided = (value: PaxosValue) => ({ promised: null, accepted: null, decided: { value } });

/** Keys of one length, so that pages of equal counts weigh the same. */
const keyName = (prefix: string, i: number) => `${prefix}${String(i).padStart(3, '0')}`;

async function peerWith(keys: number, prefix = 'k', decidedLogEntries?: number): Promise<MemoryStorage> {
  const storage = new MemoryStorage(decidedLogEntries ? { decidedLogEntries } : {});
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
  /** Instead of writing what the puller learns to `local`. */
  readonly learn?: () => void;
  /** Runs after each key-order page is read from `peer`, before the puller sees it. */
  readonly afterKeyPage?: (peer: string) => Promise<void>;
}

function puller(setup: Setup) {
  const { clock, local, peers } = setup;
  const fetches: Array<{ peer: string; since: number; atMs: number }> = [];
  const keyFetches: Array<{ peer: string; after: string | null }> = [];
  const disagreements: Array<{ peer: string; key: string; local: PaxosValue }> = [];
  const p = new CatchupPuller({
    sources: () => Object.keys(peers),
    reachable: (peer) => !setup.down?.has(peer),
    fetch: async (peer, since, limits) => {
      fetches.push({ peer, since, atMs: clock.now() });
      return peers[peer]!.decidedSince(since, limits);
    },
    fetchKeys: async (peer, after, limits) => {
      keyFetches.push({ peer, after });
      const page = peers[peer]!.decidedInKeyOrder(after, limits);
      await setup.afterKeyPage?.(peer);
      return page;
    },
    learn:
      setup.learn ??
      ((_peer, entries: readonly DecidedFact[]) => {
        for (const { key, value } of entries) void local.write(key, decided(value));
      }),
    decidedHere: (key) => local.load(key)?.decided,
    onDisagreement: (peer, entry, value) => disagreements.push({ peer, key: entry.key, local: value }),
    log: local,
    clock,
    ...(setup.limits ? { limits: setup.limits } : {}),
  });
  return { puller: p, fetches, keyFetches, disagreements };
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

  it.each([
    ['pages of the log', undefined, 0],
    ['a read in key order', 2, 1],
  ])(
    'moves no cursor over records that are not durable here, and asks for the page again (%s)',
    async (_how, decidedLogEntries, keyOrderReads) => {
      const clock = new VirtualClock();
      const local = new MemoryStorage();
      await local.open();
      const peers = { b: await peerWith(6, 'k', decidedLogEntries) };
      let learnt = 0;
      const learn = () => void learnt++; // a node that stopped voting writes nothing
      const { puller: p, fetches, keyFetches } = puller({ clock, local, peers, learn });
      p.start();
      await runUntil(clock, () => learnt >= 2, { maxVirtualMs: 10_000 });
      p.stop();
      expect(local.catchupCursor('b')).toBe(0);
      expect(p.progress().sources.b).toMatchObject({ cursor: 0, reachedHead: false, keyOrderReads });
      if (keyOrderReads === 0) expect(fetches.map((f) => f.since)).toEqual([0, 0]);
      else expect(keyFetches.map((f) => f.after)).toEqual([null, null]);
    },
  );

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

  it('reads a peer in key order when its cursor is below the floor of the peer’s log, then moves to the log', async () => {
    const clock = new VirtualClock();
    const local = new MemoryStorage();
    await local.open();
    const peers = { b: await peerWith(20, 'k', 5) }; // b's log keeps numbers 16 to 20
    expect(peers.b.decidedSince(0, { maxKeys: 10, maxBytes: 1 << 20 }).floor).toBe(15);
    const { puller: p, fetches, keyFetches } = puller({ clock, local, peers, limits: { maxKeysPerPage: 8 } });
    p.start();
    await runUntil(clock, () => p.progress().caughtUp, { maxVirtualMs: 10_000 });
    for (let i = 0; i < 20; i++) expect(local.load(keyName('k', i))?.decided?.value).toBe(keyName('v', i));
    expect(keyFetches.map((f) => f.after)).toEqual([null, keyName('k', 7), keyName('k', 15)]);
    expect(fetches.map((f) => f.since)).toEqual([0, 20]); // below the floor; then from the head the read began at
    expect(local.catchupCursor('b')).toBe(20);
    expect(p.progress().sources.b).toMatchObject({ cursor: 20, head: 20, lagKeys: 0, keyOrderReads: 1 });

    // Later decisions within what b's log keeps come from the log.
    for (const i of [20, 21]) await peers.b.write(keyName('k', i), decided(keyName('v', i)));
    p.peerUp('b');
    await runUntil(clock, () => local.load(keyName('k', 21)) !== undefined, { maxVirtualMs: 10_000 });
    p.stop();
    expect(p.progress().sources.b!.keyOrderReads).toBe(1);
    expect(fetches.at(-1)!.since).toBe(20);
  });

  it('misses no key decided while it reads in key order, wherever the key falls', async () => {
    const clock = new VirtualClock();
    const local = new MemoryStorage();
    await local.open();
    const peers = { b: await peerWith(12, 'm', 10) };
    let extra = 0;
    const afterKeyPage = async () => {
      // Behind the read's position ('a…') and ahead of it ('z…'), after the page was read.
      for (const prefix of ['a', 'z'])
        await peers.b.write(keyName(prefix, extra), decided(keyName('v', extra)));
      extra++;
    };
    const { puller: p } = puller({ clock, local, peers, limits: { maxKeysPerPage: 5 }, afterKeyPage });
    p.start();
    await runUntil(clock, () => p.progress().caughtUp, { maxVirtualMs: 10_000 });
    p.stop();
    expect(extra).toBe(3); // one pair after each of the read's three pages
    expect(p.progress().sources.b!.keyOrderReads).toBe(1);
    for (let i = 0; i < 12; i++) expect(local.load(keyName('m', i))).toBeDefined();
    for (let i = 0; i < extra; i++) {
      expect(local.load(keyName('a', i))?.decided?.value).toBe(keyName('v', i));
      expect(local.load(keyName('z', i))?.decided?.value).toBe(keyName('v', i));
    }
  });

  it('reads again from the first key when the log moved past where its read in key order began', async () => {
    const clock = new VirtualClock();
    const local = new MemoryStorage();
    await local.open();
    const peers = { b: await peerWith(10, 'k', 2) };
    let pages = 0;
    // While the first read runs, b decides more keys than its log keeps: the head it began at falls below the floor.
    const afterKeyPage = async () => {
      if (pages++ === 0)
        for (let i = 0; i < 4; i++) await peers.b.write(keyName('n', i), decided(keyName('v', i)));
    };
    const { puller: p } = puller({ clock, local, peers, limits: { maxKeysPerPage: 4 }, afterKeyPage });
    p.start();
    await runUntil(clock, () => p.progress().caughtUp, { maxVirtualMs: 10_000 });
    p.stop();
    expect(p.progress().sources.b!.keyOrderReads).toBe(2);
    for (let i = 0; i < 4; i++) expect(local.load(keyName('n', i))).toBeDefined();
    expect(local.catchupCursor('b')).toBe(14);
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
      fetchKeys: async (_peer, after, limits) => b.decidedInKeyOrder(after, limits),
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
    page: { entries: [{ seq: 4, key: 'k', value: 'v' }], next: 4, head: 9, bytes: 2, floor: 0, ...over },
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

describe('catch-up: a peer’s page in key order is checked before anything in it is used', () => {
  const limits = { maxKeys: 10, maxBytes: 1 << 20 };
  const page = (over: Record<string, unknown>) => ({
    type: 'paxos.keys',
    page: { entries: [{ key: 'k', value: 'v' }], last: 'k', done: false, head: 9, bytes: 2, ...over },
  });

  it('accepts a well-formed page, and an empty last one', () => {
    expect(checkKeyOrderReply('b', page({}), 'j', limits).entries).toEqual([{ key: 'k', value: 'v' }]);
    expect(checkKeyOrderReply('b', page({ entries: [], last: 'j', done: true }), 'j', limits).done).toBe(
      true,
    );
  });

  it.each([
    ['no page', { type: 'paxos.keys' }, /no page/],
    ['a log page', { type: 'paxos.page', page: {} }, /no page/],
    ['a refusal', { type: 'paxos.failed', error: { message: 'no log' } }, /refused a decided.keys.*no log/],
    ['the key it follows', page({ entries: [{ key: 'j', value: 'v' }], last: 'j' }), /follow after/],
    ['a wrong last', page({ last: 'x' }), /last/],
    ['done that is no boolean', page({ done: 'yes' }), /done/],
    ['an empty page short of the end', page({ entries: [], last: 'j' }), /hold one/],
    ['a bad key', page({ entries: [{ key: '', value: 'v' }], last: '' }), /bad key/],
    ['a missing value', page({ entries: [{ key: 'k' }] }), /bad value/],
    ['a negative head', page({ head: -1 }), /counts/],
  ])('refuses %s with a clear error', (_what, reply, message) => {
    expect(() => checkKeyOrderReply('b', reply, 'j', limits)).toThrow(message);
  });
});
