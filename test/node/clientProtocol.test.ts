// The client protocol against three in-process network nodes (real WebSockets on 127.0.0.1):
// ask / read / status through any node, errors with their codes, bad requests answered with an
// error reply, and the original's "paxos mediation done" line at debug level.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkNode } from '../../src/server/networkNode.js';
import { startLoopbackCluster } from '../fixtures/loopbackCluster.js';
import { openNodeStorage } from '../../src/server/openNodeStorage.js';
import { connectClient, type GenPaxosClient } from '../../src/transport/client/client.js';
import { createJsonLogger } from '../../src/base/log.js';
import { PROTOCOL_VERSION } from '../../src/transport/wire/frames.js';
import { CLUSTER, RawPeer, CLIENT_SECRET, waitFor } from '../wire/helpers.js';

const ids = ['a', 'b', 'c'];
const nodes: NetworkNode[] = [];
const clients: GenPaxosClient[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  nodes.push(
    ...(await startLoopbackCluster(ids, (id) => ({
      logger: createJsonLogger({
        level: id === 'a' ? 'debug' : 'silent',
        write: (line) => void logLines.push(line),
      }),
    }))),
  );
  for (const node of nodes)
    clients.push(await connectClient(node.url, { secret: CLIENT_SECRET, cluster: CLUSTER }));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('client protocol', () => {
  it('decides one value for a key asked through every node at once', async () => {
    const answers = await Promise.all(
      clients.map((client) => client.ask('colour', `${client.node}'s colour`)),
    );
    expect(new Set(answers).size).toBe(1);
    await waitFor(() => nodes.every((n) => n.node.read('colour') === answers[0]), 'every node learned');
    for (const client of clients) expect(await client.read('colour')).toBe(answers[0]);
    expect(await clients[0]?.ask('colour', 'too late')).toBe(answers[0]);
  });

  it('decides many keys asked concurrently from all nodes', async () => {
    const keys = Array.from({ length: 90 }, (_, k) => `many-${k}`);
    const decided = await Promise.all(keys.map((key, k) => clients[k % 3]?.ask(key, { k, by: k % 3 })));
    expect(decided).toEqual(keys.map((_, k) => ({ k, by: k % 3 })));
  });

  it('reads undecided keys as undefined and carries any msgpack value', async () => {
    expect(await clients[1]?.read('never-asked')).toBeUndefined();
    const value = { bytes: new Uint8Array([0, 255]), list: [1.5, -2, null, true], nested: { s: 'é' } };
    expect(await clients[2]?.ask('rich', value)).toEqual(value);
  });

  it('reports status: members, links up, counters', async () => {
    const status = await clients[0]?.status();
    expect(status).toMatchObject({ node: 'a', cluster: CLUSTER, durable: false, clients: 1 });
    expect([...(status?.members ?? [])].sort()).toEqual(ids);
    expect(status?.links.map((l) => [l.peer, l.state])).toEqual([
      ['b', 'up'],
      ['c', 'up'],
    ]);
    expect(status?.counters['node.asks']).toBeGreaterThan(0);
    expect(status?.counters['wire.framesSent']).toBeGreaterThan(0);
    if (process.platform === 'linux') {
      // RSS and its two parts (residentMemory.ts): a reader can tell the heap from LMDB's map.
      expect(status?.counters['process.rssAnonBytes']).toBeGreaterThan(0);
      expect(status?.counters['process.rssFileBytes']).toBeGreaterThan(0);
      expect(status?.counters['process.rssFileBytes']).toBeLessThan(
        status?.counters['process.rssBytes'] ?? 0,
      );
    }
  });

  it('rejects bad arguments locally with their PAXOS_ERR codes', async () => {
    await expect(clients[0]?.ask('', 'v')).rejects.toMatchObject({ code: 'PAXOS_ERR_BAD_KEY' });
    await expect(clients[0]?.ask('k', Number.NaN)).rejects.toMatchObject({ code: 'PAXOS_ERR_BAD_VALUE' });
  });

  it('refuses bad connection options locally, before the node could misreport them', async () => {
    const url = nodes[0]?.url as string;
    const refused = { code: 'PAXOS_ERR_BAD_OPTION' };
    // From JavaScript, or with casts: what the type checker would have caught.
    const connect = (u: unknown, options: unknown) => connectClient(u as string, options as never);
    // A missing cluster used to reach the node as a hello it called malformed.
    await expect(connect(url, { secret: CLIENT_SECRET })).rejects.toMatchObject({
      ...refused,
      message: expect.stringMatching(/^cluster must be a string/),
    });
    await expect(connect(url, { secret: '', cluster: CLUSTER })).rejects.toMatchObject(refused);
    await expect(connect(url, { cluster: CLUSTER })).rejects.toMatchObject(refused);
    await expect(connect(url, undefined)).rejects.toMatchObject(refused);
    await expect(
      connect('http://127.0.0.1:1', { secret: CLIENT_SECRET, cluster: CLUSTER }),
    ).rejects.toMatchObject(refused);
    for (const option of ['connectTimeoutMs', 'requestTimeoutMs', 'maxFrameBytes']) {
      await expect(
        connect(url, { secret: CLIENT_SECRET, cluster: CLUSTER, [option]: -1 }),
      ).rejects.toMatchObject({
        ...refused,
        message: expect.stringContaining(option),
      });
    }
    // Nothing reached the node: it counted no refused hello.
    const status = await clients[0]?.status();
    expect(Object.keys(status?.counters ?? {}).filter((name) => name.startsWith('wire.errors.'))).toEqual([]);
  });

  it('answers bad requests with error replies carrying their codes', async () => {
    const raw = await RawPeer.connect(nodes[0]?.url as string);
    await raw.hello({ secret: CLIENT_SECRET, role: 'client', node: 'raw-client' });
    await raw.welcomed();
    raw.sendFrame({
      v: PROTOCOL_VERSION,
      t: 'requests',
      requests: [
        { id: 1, type: 'xstate.stop' },
        { id: 2, type: 'ask', key: 'k' },
        { id: 3, type: 'read', key: 'colour' },
        { type: 'status' },
      ],
    });
    const replies = () =>
      raw.frames
        .filter((f) => (f as { t?: string }).t === 'replies')
        .flatMap((f) => (f as { replies: Array<{ id: number; type: string; code?: string }> }).replies);
    await waitFor(() => replies().length >= 3, 'three replies');
    expect(replies().map((r) => [r.id, r.type, r.code])).toEqual([
      [1, 'error', 'WIRE_ERR_LOCAL_EVENT'],
      [2, 'error', 'WIRE_ERR_BAD_FIELD'],
      [3, 'read', undefined],
    ]);
    // A batch frame from a client is not allowed: the connection is closed.
    raw.sendFrame({ v: PROTOCOL_VERSION, t: 'batch', envelopes: [] });
    expect((await raw.closed).code).toBe(4011);
  });

  it('logs the original mediation line at debug level', () => {
    const lines = logLines.map((line) => JSON.parse(line) as { level: string; msg: string; key?: string });
    const mediation = lines.find(
      (l) => l.key === 'colour' && l.msg.startsWith('paxos mediation done. decided: '),
    );
    expect(mediation?.level).toBe('debug');
    expect(mediation?.msg).toMatch(/^paxos mediation done\. decided: ".*" - \(N=\S+\)$/);
  });

  it('rejects pending requests when the connection closes', async () => {
    const client = await connectClient(nodes[1]?.url as string, { secret: CLIENT_SECRET, cluster: CLUSTER });
    await client.close();
    await expect(client.read('colour')).rejects.toMatchObject({ code: 'WIRE_ERR_CONNECTION_CLOSED' });
  });
});

describe('openNodeStorage', () => {
  it('without a data directory: memory, a fresh incarnation per run, no amnesia check', async () => {
    const first = await openNodeStorage(undefined, 'a');
    const second = await openNodeStorage(undefined, 'a');
    expect(first).toMatchObject({ durable: false, checkPeer: undefined });
    expect(first.incarnation).not.toBe(second.incarnation);
  });

  it('with one: LmdbStorage, the directory keeps its incarnation, peers that forgot are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-storage-'));
    try {
      const opened = await openNodeStorage(dir, 'a');
      expect(opened.durable).toBe(true);
      expect(opened.checkPeer?.('b', 'b-first')).toBeNull();
      expect(opened.checkPeer?.('b', 'b-first')).toBeNull();
      expect(opened.checkPeer?.('b', 'b-after-disk-loss')).toMatch(/^PAXOS_ERR_AMNESIA: /);
      await opened.storage.close();
      const reopened = await openNodeStorage(dir, 'a');
      expect(reopened.incarnation).toBe(opened.incarnation);
      expect(reopened.checkPeer?.('b', 'b-after-disk-loss')).toMatch(/^PAXOS_ERR_AMNESIA: /);
      await reopened.storage.close();
      await expect(openNodeStorage(dir, 'z')).rejects.toMatchObject({ code: 'PAXOS_ERR_WRONG_DATA_DIR' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
