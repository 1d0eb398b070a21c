// The public API's contract: bad arguments are refused with stable codes, every kind of value
// msgpack carries round-trips, and stopping a node fails what is pending.
import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import {
  createMemoryNetwork,
  genPaxosNode,
  MemoryStorage,
  paxosFsm,
  startLink,
  type GenPaxosNodeReply,
} from '../../src/index.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('startLink', () => {
  const network = createMemoryNetwork();
  it.each([
    ['members without the node itself', { id: 'a', members: ['b', 'c'] }, 'PAXOS_ERR_BAD_MEMBERS'],
    ['duplicate member ids', { id: 'a', members: ['a', 'b', 'b'] }, 'PAXOS_ERR_BAD_MEMBERS'],
    ['no members', { id: 'a', members: [] }, 'PAXOS_ERR_BAD_MEMBERS'],
    ['a non-string member', { id: 'a', members: ['a', 7] }, 'PAXOS_ERR_BAD_MEMBERS'],
    ['an empty id', { id: '', members: ['a'] }, 'PAXOS_ERR_BAD_MEMBERS'],
    ['a zero ask timeout', { id: 'a', members: ['a'], askTimeoutMs: 0 }, 'PAXOS_ERR_BAD_OPTION'],
  ])('refuses %s', async (_what, options, code) => {
    await expect(
      startLink({ transport: network.connect('a'), ...(options as { id: string; members: string[] }) }),
    ).rejects.toMatchObject({ code });
  });

  it('refuses a transport that belongs to another node', async () => {
    await expect(
      startLink({ id: 'a', members: ['a', 'b'], transport: network.connect('b') }),
    ).rejects.toMatchObject({
      code: 'PAXOS_ERR_BAD_OPTION',
    });
  });
});

describe('ask and read', () => {
  it.each([
    ['a non-string key', 42, 'v', 'PAXOS_ERR_BAD_KEY'],
    ['an empty key', '', 'v', 'PAXOS_ERR_BAD_KEY'],
    ['a key longer than 1024 characters', 'k'.repeat(1025), 'v', 'PAXOS_ERR_BAD_KEY'],
    ['an undefined value', 'k', undefined, 'PAXOS_ERR_BAD_VALUE'],
    ['NaN', 'k', Number.NaN, 'PAXOS_ERR_BAD_VALUE'],
    ['a function', 'k', () => 1, 'PAXOS_ERR_BAD_VALUE'],
    ['a Map', 'k', new Map(), 'PAXOS_ERR_BAD_VALUE'],
    ['a bigint', 'k', 10n, 'PAXOS_ERR_BAD_VALUE'],
    ['an undefined field', 'k', { a: undefined }, 'PAXOS_ERR_BAD_VALUE'],
    ['nesting deeper than 64', 'k', JSON.parse('['.repeat(70) + ']'.repeat(70)), 'PAXOS_ERR_BAD_VALUE'],
  ])('ask refuses %s', async (_what, key, value, code) => {
    cluster = await startCluster({ size: 1 });
    await expect(cluster.node('a').ask(key as string, value as string)).rejects.toMatchObject({ code });
  });

  it('ask refuses a cyclic value', async () => {
    cluster = await startCluster({ size: 1 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(cluster.node('a').ask('k', cyclic as never)).rejects.toMatchObject({
      code: 'PAXOS_ERR_BAD_VALUE',
    });
  });

  it('ask refuses a non-positive timeout', async () => {
    cluster = await startCluster({ size: 1 });
    await expect(cluster.node('a').ask('k', 'v', { timeoutMs: -1 })).rejects.toMatchObject({
      code: 'PAXOS_ERR_BAD_OPTION',
    });
  });

  it('read refuses a bad key by throwing', async () => {
    cluster = await startCluster({ size: 1 });
    expect(() => cluster!.node('a').read(5 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'PAXOS_ERR_BAD_KEY' }),
    );
  });

  it.each([
    ['a string', 'text'],
    ['a number', -12.5],
    ['a boolean', false],
    ['null', null],
    ['an array', [1, 'two', [3]]],
    ['a plain object', { name: 'x', tags: ['a'], nested: { ok: true } }],
    ['bytes', new Uint8Array([0, 1, 255])],
  ])('decides and reads back %s', async (_what, value) => {
    cluster = await startCluster({ size: 3 });
    expect(await cluster.ask('a', 'k', value)).toEqual(value);
    await cluster.runUntil(() => cluster!.decisions('k').size === 3);
    for (const node of cluster.running) expect(node.read('k')).toEqual(value);
  });

  it('read returns undefined for a key not decided here', async () => {
    cluster = await startCluster({ size: 3 });
    expect(cluster.node('b').read('never asked')).toBeUndefined();
  });
});

describe('pending', () => {
  it('lists the keys a node is working on, with their states, until they are decided', async () => {
    cluster = await startCluster({ size: 3 });
    const a = cluster.node('a');
    expect(a.pending()).toEqual({ total: 0, keys: [] });
    // Cut off from the majority, a cannot decide: its asks stay pending.
    cluster.network.partition(['a'], ['b', 'c']);
    const asks = ['k1', 'k2', 'k3'].map((key) => a.ask(key, `${key}-value`, { timeoutMs: 60_000 }));
    await cluster.runUntil(() => a.pending().total === 3);
    const pending = a.pending();
    expect(pending.keys.map(({ key }) => key).sort()).toEqual(['k1', 'k2', 'k3']);
    for (const { key, state } of pending.keys) expect(state, key).toBe(a.stateOf(key));
    for (const { state } of pending.keys) expect(['preparing', 'proposing', 'acknowledged']).toContain(state);
    expect(a.pending(2)).toMatchObject({ total: 3, keys: [expect.anything(), expect.anything()] });
    expect(cluster.node('b').pending().total).toBe(0);

    cluster.network.heal();
    await cluster.settle(asks);
    await cluster.runUntil(() => a.pending().total === 0);
    expect(a.pending()).toEqual({ total: 0, keys: [] });
  });
});

describe('stop', () => {
  it('fails pending asks with PAXOS_ERR_STOPPED, and refuses asks and reads afterwards', async () => {
    cluster = await startCluster({ size: 3 });
    expect(await cluster.ask('a', 'decided', 'v')).toBe('v');
    cluster.network.partition(['a'], ['b', 'c']);
    const pending = cluster.node('a').ask('k', 'v');
    await cluster.node('a').stop();
    await expect(pending).rejects.toMatchObject({ code: 'PAXOS_ERR_STOPPED' });
    await expect(cluster.node('a').ask('k', 'v')).rejects.toMatchObject({ code: 'PAXOS_ERR_STOPPED' });
    // The same with any store: an LMDB one is closed by stop() and could not answer.
    expect(() => cluster?.node('a').read('decided')).toThrow(
      expect.objectContaining({ code: 'PAXOS_ERR_STOPPED' }),
    );
  });
});

describe('genPaxosNode events', () => {
  it('answers a bad ask with paxos.failed carrying the code, and a read with paxos.read', async () => {
    const replies: GenPaxosNodeReply[] = [];
    const replyTo = { send: (reply: GenPaxosNodeReply) => void replies.push(reply) };
    const network = createMemoryNetwork();
    const node = createActor(genPaxosNode, {
      input: { id: 'a', members: ['a'], transport: network.connect('a'), storage: new MemoryStorage() },
    }).start();
    node.send({ type: 'ask', key: '', value: 'v', replyTo });
    node.send({ type: 'read', key: 'k', replyTo });
    expect(replies).toEqual([
      {
        type: 'paxos.failed',
        key: '',
        error: { code: 'PAXOS_ERR_BAD_KEY', message: 'a key must not be empty' },
      },
      { type: 'paxos.read', key: 'k', decided: false, value: null },
    ]);
    node.stop();
  });
});

describe('paxosFsm arguments', () => {
  it('refuses bad arguments and unknown or duplicate subjects with codes', () => {
    expect(() => paxosFsm.start('s', -1, 'v', ['t'])).toThrow(
      expect.objectContaining({ code: 'PAXOS_ERR_BAD_OPTION' }),
    );
    expect(() => paxosFsm.start('s', 0, undefined as never, ['t'])).toThrow(
      expect.objectContaining({ code: 'PAXOS_ERR_BAD_VALUE' }),
    );
    expect(() => paxosFsm.start('s', 0, 'v', ['s'])).toThrow(
      expect.objectContaining({ code: 'PAXOS_ERR_BAD_MEMBERS' }),
    );
    expect(() => paxosFsm.getResult('nobody')).toThrow(
      expect.objectContaining({ code: 'PAXOS_ERR_NO_SUCH_INSTANCE' }),
    );
    paxosFsm.start('s', 0, 'v', ['t']);
    try {
      expect(() => paxosFsm.start('s', 0, 'v', ['t'])).toThrow(
        expect.objectContaining({ code: 'PAXOS_ERR_ALREADY_STARTED' }),
      );
    } finally {
      paxosFsm.stop('s');
    }
    expect(() => paxosFsm.stop('s')).toThrow(expect.objectContaining({ code: 'PAXOS_ERR_NO_SUCH_INSTANCE' }));
  });
});
