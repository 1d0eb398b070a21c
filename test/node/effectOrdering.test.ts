// Persist before send, with a slow or failing disk: no reply leaves before the write it depends
// on is committed, none after a failed write. First the EffectRunner alone, then whole nodes.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/base/errors.js';
import type { Effect } from '../../src/paxos/effects.js';
import type { Envelope, PaxosValue } from '../../src/paxos/messages.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { EffectRunner } from '../../src/node/effectRunner.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import type { Transport } from '../../src/transport/transport.js';
import { CrashCluster, settle } from './crashCluster.js';

const promised: KeyRecord = { promised: { round: 1, node: 'a' }, accepted: null, decided: null };

function recordingTransport(): Transport & { readonly sent: Envelope[]; readonly lazy: Envelope[] } {
  const sent: Envelope[] = [];
  const lazy: Envelope[] = [];
  return {
    nodeId: 'b',
    sent,
    lazy,
    send: (envelope, options) => {
      sent.push(envelope);
      if (options?.lazy === true) lazy.push(envelope);
    },
    listen: () => {},
    close: async () => {},
  };
}

function runnerOn(storage: MemoryStorage) {
  const transport = recordingTransport();
  const decided: [string, PaxosValue][] = [];
  const failures: Error[] = [];
  const runner = new EffectRunner({
    self: 'b',
    members: ['a', 'b', 'c'],
    storage,
    transport,
    onDecided: (key, value) => void decided.push([key, value]),
    onStorageFailure: (error) => void failures.push(error),
  });
  return { runner, sent: transport.sent, lazy: transport.lazy, decided, failures };
}

const persist = (key: string, record: KeyRecord = promised): Effect => ({ type: 'persist', key, record });
const reply = (key: string, round = 1): Effect => ({
  type: 'send',
  key,
  to: 'a',
  message: { type: 'promise', ballot: { round, node: 'a' }, accepted: null },
});

describe('EffectRunner, lazy broadcasts', () => {
  it('hands a lazy broadcast to the transport as lazy, to every other member, and nothing else', async () => {
    const { runner, sent, lazy } = runnerOn(new MemoryStorage());
    const decide = { type: 'decide' as const, value: 'v' };
    runner.run({ type: 'broadcast', key: 'k', message: decide, lazy: true });
    runner.run({ type: 'broadcast', key: 'j', message: decide });
    expect(sent.map((e) => `${e.key}->${e.to}`)).toEqual(['k->a', 'k->c', 'j->a', 'j->c']);
    expect(lazy.map((e) => `${e.key}->${e.to}`)).toEqual(['k->a', 'k->c']);
  });
});

describe('EffectRunner with a slow disk', () => {
  it('holds a reply until the write before it is committed, and no longer', async () => {
    const clock = new VirtualClock();
    const storage = new MemoryStorage({ clock, commitDelayMs: 10 });
    const { runner, sent } = runnerOn(storage);
    runner.run(persist('k'));
    runner.run(reply('k'));
    clock.advance(9);
    await settle();
    expect(sent).toEqual([]);
    expect(storage.loadDurable('k')).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(storage.loadDurable('k')).toEqual(promised);
    expect(sent).toHaveLength(1);
  });

  it('holds only the key that waits for a write; other keys go at once', async () => {
    const clock = new VirtualClock();
    const { runner, sent } = runnerOn(new MemoryStorage({ clock, commitDelayMs: 10 }));
    runner.run(persist('slow'));
    runner.run(reply('slow'));
    runner.run(reply('other'));
    expect(sent.map((e) => e.key)).toEqual(['other']);
    clock.advance(10);
    await settle();
    expect(sent.map((e) => e.key)).toEqual(['other', 'slow']);
  });

  it('keeps emission order across several writes and replies of one key, decisions included', async () => {
    const clock = new VirtualClock();
    const storage = new MemoryStorage({ clock, commitDelayMs: 10 });
    const { runner, sent, decided } = runnerOn(storage);
    runner.run(persist('k'));
    runner.run(reply('k', 1));
    clock.advance(5);
    runner.run(persist('k', { ...promised, promised: { round: 2, node: 'a' } }));
    runner.run(reply('k', 2));
    runner.run({ type: 'decided', key: 'k', value: 'v' });
    clock.advance(4);
    await settle();
    expect(sent).toEqual([]);
    expect(decided).toEqual([]);
    clock.advance(1); // one commit carries both writes (group commit); then everything, in order
    await settle();
    expect(sent.map((e) => (e.message.type === 'promise' ? e.message.ballot.round : 0))).toEqual([1, 2]);
    expect(decided).toEqual([['k', 'v']]);
  });
});

describe('EffectRunner: the write of a decided record holds nothing up', () => {
  it('lets later effects of the key go while it is in flight, but not past an earlier vote', async () => {
    const clock = new VirtualClock();
    const storage = new MemoryStorage({ clock, commitDelayMs: 10 });
    const { runner, sent, decided } = runnerOn(storage);
    const learned: KeyRecord = { promised: null, accepted: null, decided: { value: 'v' } };
    runner.run(persist('k', learned));
    runner.run(reply('k'));
    runner.run({ type: 'decided', key: 'k', value: 'v' });
    expect(sent).toHaveLength(1);
    expect(decided).toEqual([['k', 'v']]);
    expect(runner.hasPendingWrites('k')).toBe(false);

    // A vote written first still holds what follows it, decided record or not.
    runner.run(persist('j'));
    runner.run(persist('j', learned));
    runner.run({ type: 'decided', key: 'j', value: 'v' });
    expect(decided).toEqual([['k', 'v']]);
    expect(runner.hasPendingWrites('j')).toBe(true);
    clock.advance(10);
    await settle();
    expect(decided).toEqual([
      ['k', 'v'],
      ['j', 'v'],
    ]);
    expect(storage.loadDurable('k')).toEqual(learned);
    expect(runner.keysAwaitingWrites()).toEqual([]);
  });
});

describe('EffectRunner with a failing disk', () => {
  it('drops the held reply and everything after a failed write, and reports the failure once', async () => {
    const clock = new VirtualClock();
    const storage = new MemoryStorage({ clock, commitDelayMs: 10 });
    const { runner, sent, decided, failures } = runnerOn(storage);
    storage.failCommits(Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
    runner.run(persist('k'));
    runner.run(reply('k'));
    runner.run(persist('j'));
    runner.run({ type: 'decided', key: 'j', value: 'v' });
    clock.advance(10);
    await settle();
    expect(sent).toEqual([]);
    expect(decided).toEqual([]);
    expect(failures.map((e) => e.message)).toEqual(['disk full']);
    expect(runner.storageFailed).toBe(true);
    runner.run(reply('unrelated'));
    runner.run({ type: 'send', to: 'a', key: 'x', message: { type: 'decide', value: 1 } });
    expect(sent).toEqual([]);
    expect(runner.stats.droppedAfterFailure).toBeGreaterThanOrEqual(3);
  });
});

describe('nodes with slow and failing disks', () => {
  it('no node reveals a promise or acceptance before it is durable, however slow its disk', async () => {
    const cluster = new CrashCluster({
      members: ['a', 'b', 'c'],
      seed: 11,
      commitDelayMs: { a: 7, b: 13, c: 29 },
    });
    await cluster.startAll();
    const asks = ['a', 'b', 'c'].flatMap((id) =>
      ['x', 'y', 'z'].map((key) => cluster.ask(id, key, `${id}-${key}`)),
    );
    await cluster.runUntil(() => asks.every((ask) => ask.answer !== undefined));
    const replies = cluster.sent.filter(
      (e) => e.message.type === 'promise' || e.message.type === 'acknowledge',
    );
    expect(replies.length).toBeGreaterThan(6); // the monitor checked each against the disk
    expect(cluster.violations).toEqual([]);
  });

  it('a node whose disk fails stops voting: its asks fail, it sends nothing more, the others decide', async () => {
    const cluster = new CrashCluster({
      members: ['a', 'b', 'c'],
      seed: 12,
      commitDelayMs: { a: 1, b: 1, c: 5 },
    });
    await cluster.startAll();
    const failures: string[] = [];
    cluster.nodes.get('c')?.actor.on('storage.failed', (event) => void failures.push(event.error.message));
    cluster.storage('c').failCommits(new Error('I/O error'));
    const onC = cluster.ask('c', 'x', 'from c');
    await cluster.runUntil(() => onC.error !== undefined);
    expect(onC.error).toBe(ERROR_CODES.STORAGE_FAILED);
    expect(failures).toEqual(['I/O error']);
    const sentByCBefore = cluster.sent.filter((e) => e.from === 'c').length;

    const onA = cluster.ask('a', 'y', 'from a');
    const laterOnC = cluster.ask('c', 'z', 'again');
    await cluster.runUntil(() => onA.answer !== undefined && laterOnC.error !== undefined);
    expect(onA.answer).toBe('from a');
    expect(laterOnC.error).toBe(ERROR_CODES.STORAGE_FAILED);
    expect(cluster.sent.filter((e) => e.from === 'c').length).toBe(sentByCBefore);
    // Nothing c sent reveals a vote: its prepare never left (its own promise was never durable);
    // at most it forwarded its first ask to the key's owner, which reveals nothing.
    expect(cluster.sent.filter((e) => e.from === 'c' && e.message.type !== 'forward')).toEqual([]);
    expect(cluster.violations).toEqual([]);
  });
});
