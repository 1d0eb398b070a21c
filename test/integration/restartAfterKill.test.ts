// A node restarted right after `kill -9` always comes back (issue: a killed node left as an
// unreaped zombie kept its data directory "locked" by a pid that still existed). Real node
// processes with data directories, under parents that never reap them; clients keep asking keys
// (heavy group-committed writes) while nodes are killed and restarted at once, many times; every
// restart must succeed, and every key decided before must still read the same afterwards.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, type GenPaxosClient } from '../../src/transport/client/client.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { UnreapedCluster, type UnreapedNode } from '../support/unreapedNodes.js';

let dir: string;
let cluster: UnreapedCluster;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gen-paxos-restart-'));
  cluster = await UnreapedCluster.create(dir, 3);
});

afterAll(async () => {
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Keeps asking fresh keys through `url`, reconnecting after every drop, until stopped. */
function loadThrough(url: string, decided: Map<string, PaxosValue>, secret: string, name: string) {
  let stopped = false;
  let next = 0;
  const run = async () => {
    while (!stopped) {
      let client: GenPaxosClient | null = null;
      try {
        client = await connectClient(url, { secret, cluster: cluster.cluster, connectTimeoutMs: 1000 });
        const live = client;
        // 32 asks in flight per client: many keys per group commit while the kills land.
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (!stopped) {
              const key = `${name}-${next++}`;
              decided.set(key, await live.ask(key, `${name}:${key}`, { timeoutMs: 3000 }));
            }
          }),
        );
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        await client?.close().catch(() => {});
      }
    }
  };
  const done = run();
  return async () => {
    stopped = true;
    await done;
  };
}

describe('restart right after kill -9, with the killed process left a zombie', () => {
  it('comes back every time, and keeps every decided key', { timeout: 120_000 }, async () => {
    const secret = readFileSync(cluster.clientSecretFile, 'utf8').trim();
    const nodes = new Map<string, UnreapedNode>();
    for (const node of await Promise.all(cluster.ids.map((id) => cluster.start(id))))
      nodes.set(node.id, node);
    const decided = new Map<string, PaxosValue>();
    const stops = cluster.ids.map((id) => loadThrough(cluster.urls[id] as string, decided, secret, id));

    const killAndRestart = async (ids: readonly string[]) => {
      const before = decided.size;
      // Wait for writes to be flowing, so the kill lands mid-commit.
      for (let i = 0; i < 200 && decided.size < before + 20; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const victims = ids.map((id) => nodes.get(id) as UnreapedNode);
      const states = await Promise.all(victims.map((node) => cluster.killToZombie(node)));
      // What the test claims: the killed processes are still there, unreaped.
      expect(states).toEqual(victims.map(() => 'Z'));
      const restarted = await Promise.all(ids.map((id) => cluster.start(id)));
      for (const node of restarted) nodes.set(node.id, node);
    };

    // One node at a time, each in turn, then all three at once (the reproduction).
    for (let round = 0; round < 6; round++) await killAndRestart([cluster.ids[round % 3] as string]);
    await killAndRestart(cluster.ids);
    await killAndRestart(cluster.ids);
    for (let i = 0; i < 300 && decided.size < 100; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all(stops.map((stop) => stop()));
    expect(decided.size).toBeGreaterThan(100);

    // Every key decided before the kills still has its value: asking again returns it.
    const client = await connectClient(cluster.urls.n1 as string, { secret, cluster: cluster.cluster });
    try {
      const sample = [...decided].filter((_, i) => i % Math.ceil(decided.size / 60) === 0);
      for (const [key, value] of sample) expect(await client.ask(key, 'a later value')).toEqual(value);
    } finally {
      await client.close();
    }
  });
});
