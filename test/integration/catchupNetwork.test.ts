// Catch-up between real network nodes (WebSocket links, LMDB stores): a member stopped while keys
// are decided restarts from its data directory and reads them all without their being asked again,
// and its status counters and /metrics say how far it has pulled from each peer. The stores' logs
// keep 50 entries, so it missed more than they keep: it reads its peers in key order over the wire.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/cli/freePorts.js';
import { startNetworkNode, type NetworkNode } from '../../src/server/networkNode.js';
import { connectClient } from '../../src/transport/client/client.js';
import { tempDirs } from '../storage/tempDir.js';
import { CLIENT_SECRET, CLUSTER, SECRET, waitFor } from '../wire/helpers.js';

const dirs = tempDirs();
const ids = ['a', 'b', 'c'];
const running = new Map<string, NetworkNode>();

afterAll(async () => {
  await Promise.all([...running.values()].map((node) => node.stop()));
  dirs.cleanup();
});

describe('catch-up between network nodes', () => {
  it('a member restarted from its data directory reads what was decided while it was down', async () => {
    const ports = await freePorts(ids.length);
    const urls = Object.fromEntries(ids.map((id, i) => [id, `ws://127.0.0.1:${ports[i]}`]));
    const dataDirs = Object.fromEntries(ids.map((id) => [id, dirs.next(id)]));
    const start = async (id: string) => {
      const node = await startNetworkNode({
        id,
        cluster: CLUSTER,
        secret: SECRET,
        clientSecrets: [CLIENT_SECRET],
        listen: { host: '127.0.0.1', port: ports[ids.indexOf(id)] as number },
        peers: Object.fromEntries(ids.filter((p) => p !== id).map((p) => [p, urls[p] as string])),
        dataDir: dataDirs[id],
        wire: { reconnectBaseMs: 20, reconnectMaxMs: 200 },
        catchup: { pollMs: 100 },
        decidedLogEntries: 50,
      });
      running.set(id, node);
      return node;
    };
    for (const id of ids) await start(id);
    const a = running.get('a')!;
    await waitFor(() => a.transport.linkStatus().every((link) => link.state === 'up'), 'links up');
    expect(await a.node.ask('before', 0)).toBe(0);

    await running.get('c')!.stop();
    running.delete('c');
    const keys = Array.from({ length: 200 }, (_, i) => `down-${i}`);
    await Promise.all(keys.map((key, i) => a.node.ask(key, i)));

    const c = await start('c');
    await waitFor(() => c.node.catchupProgress?.caughtUp === true, 'c caught up', 20_000);
    keys.forEach((key, i) => expect(c.node.read(key)).toBe(i));
    expect(c.node.askStats.started).toBe(0);

    // What `gen-paxos status` shows.
    const client = await connectClient(c.url, { secret: CLIENT_SECRET, cluster: CLUSTER });
    const counters = (await client.status()).counters;
    await client.close();
    expect(counters['catchup.caughtUp']).toBe(1);
    expect(counters['catchup.disagreements']).toBe(0);
    expect((counters['catchup.a.keys'] ?? 0) + (counters['catchup.b.keys'] ?? 0)).toBeGreaterThanOrEqual(200);
    expect(counters['catchup.a.lagKeys']).toBe(0);
    // At least once: a peer whose last decisions were still landing when the read began (lazy
    // writes) may move its floor past the read's head, and the read runs again.
    expect(counters['catchup.a.keyOrderReads']).toBeGreaterThanOrEqual(1);
    expect(counters['catchup.b.keyOrderReads']).toBeGreaterThanOrEqual(1);

    const response = await fetch(`${c.url.replace(/^ws/, 'http')}/metrics`);
    const families = new Map(
      (
        parsePrometheusTextFormat(await response.text()) as Array<{
          name: string;
          metrics: Array<{ value: string; labels?: Record<string, string> }>;
        }>
      ).map((family) => [family.name, family.metrics]),
    );
    const pulled = families.get('paxos_catchup_keys_total') ?? [];
    expect(pulled.map((m) => m.labels?.peer).sort()).toEqual(['a', 'b']);
    expect(pulled.reduce((sum, m) => sum + Number(m.value), 0)).toBeGreaterThanOrEqual(200);
    expect(Number(families.get('paxos_catchup_caught_up')?.[0]?.value)).toBe(1);
    const reads = families.get('paxos_catchup_key_order_reads_total') ?? [];
    expect(reads.map((m) => m.labels?.peer).sort()).toEqual(['a', 'b']);
    for (const m of reads) expect(Number(m.value)).toBeGreaterThanOrEqual(1);
    expect(Number(families.get('paxos_disagreements_total')?.[0]?.value)).toBe(0);
  }, 60_000);
});
