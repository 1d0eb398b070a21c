// Issue 17, item 4, against three real node processes on 127.0.0.1: 10,000 asks pipelined on one
// connection by a client that does not read. The node admits a bounded number, refuses the rest
// at once with WIRE_ERR_BUSY and a retry hint, stops reading while replies back up, and its
// resident memory (VmRSS from /proc) stays within the documented bound (docs/security.md,
// "Overload"); once the client reads, every ask has its answer or its refusal. And 48 asks of
// 900 KB from one client: each decided or refused with a code, never dropped without a word.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCluster } from '../../src/cli/localCluster.js';
import { connectClient, type GenPaxosClient } from '../../src/transport/client/client.js';
import { encodeFrame } from '../../src/transport/wire/codec.js';
import { PROTOCOL_VERSION } from '../../src/transport/wire/frames.js';
import { RawPeer } from '../wire/helpers.js';
import { MAIN } from '../integration/cliHelpers.js';

/** docs/security.md: what the flood may add to a node's resident memory. */
const FLOOD_RSS_BOUND_BYTES = 64 * 1024 * 1024;
const ASKS = 10_000;

let dir: string;
let cluster: LocalCluster;

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib) * 1024;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gen-paxos-overload-'));
  cluster = await LocalCluster.start({ size: 3, mainPath: MAIN, dir });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('overload (real processes)', () => {
  it('10,000 pipelined asks from a client that does not read: bounded memory, every ask answered or refused', async () => {
    const pid = cluster.node('n1')?.child.pid as number;
    const warm = await connectClient(cluster.urls.n1 as string, {
      secret: cluster.clientSecret,
      cluster: cluster.cluster,
    });
    for (let k = 0; k < 50; k++) await warm.ask(`warm-${k}`, k); // links, JIT, storage warmed
    await warm.close();
    const baseline = rssOf(pid);

    const raw = await RawPeer.connect(cluster.urls.n1 as string);
    await raw.hello({
      secret: cluster.clientSecret,
      cluster: cluster.cluster,
      role: 'client',
      node: 'flood',
    });
    await raw.welcomed();
    raw.socket.pause(); // the attacker reads nothing from now on
    const perFrame = 50;
    for (let start = 0; start < ASKS; start += perFrame) {
      const requests = Array.from({ length: perFrame }, (_, i) => ({
        id: start + i + 1,
        type: 'ask',
        key: `flood-${start + i}`,
        value: `value ${start + i} ${'x'.repeat(64)}`,
      }));
      raw.socket.send(encodeFrame({ v: PROTOCOL_VERSION, t: 'requests', requests } as never));
    }
    // Resident memory, sampled until every reply is in. The attacker stays silent for 4 s, under
    // the node's 5 s heartbeat timeout (a client that answers no ping at all is dropped then).
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 25);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    raw.socket.resume();
    // Now it reads: every ask gets its reply (decided, or refused with a code) or the session is
    // closed with a code; nothing is left to the client's own timeout.
    const answered = new Map<number, Record<string, unknown>>();
    const replyDeadline = Date.now() + 30_000;
    let closedWith: { code: number; reason: string } | null = null;
    void raw.closed.then((closed) => (closedWith = closed));
    while (answered.size < ASKS && closedWith === null && Date.now() < replyDeadline) {
      for (const frame of raw.frames.splice(0)) {
        for (const reply of (frame as { replies?: Array<Record<string, unknown>> } | null)?.replies ?? [])
          answered.set(reply.id as number, reply);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    clearInterval(sampler);
    const decided = [...answered.values()].filter((r) => r.type === 'decided').length;
    const busy = [...answered.values()].filter((r) => r.type === 'error' && r.code === 'WIRE_ERR_BUSY');
    console.log(
      `flood: rss baseline ${(baseline / 2 ** 20).toFixed(1)} MiB, peak ${(peak / 2 ** 20).toFixed(1)} MiB ` +
        `(+${((peak - baseline) / 2 ** 20).toFixed(1)} MiB, bound ${FLOOD_RSS_BOUND_BYTES / 2 ** 20} MiB); ` +
        `${ASKS} asks: ${decided} decided, ${busy.length} refused WIRE_ERR_BUSY, ` +
        `${answered.size - decided - busy.length} other replies, ${ASKS - answered.size} unanswered` +
        (closedWith ? `; session closed ${JSON.stringify(closedWith)}` : ''),
    );
    expect(peak - baseline).toBeLessThan(FLOOD_RSS_BOUND_BYTES);
    expect(closedWith).toBeNull();
    expect(answered.size).toBe(ASKS);
    expect(decided + busy.length).toBe(ASKS);
    expect(decided).toBeGreaterThan(0);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((r) => typeof r.retryAfterMs === 'number' && (r.retryAfterMs as number) > 0)).toBe(
      true,
    );
    raw.close();
    // The node is well and serves others.
    const after = await connectClient(cluster.urls.n1 as string, {
      secret: cluster.clientSecret,
      cluster: cluster.cluster,
    });
    expect(await after.ask('after-flood', 'fine')).toBe('fine');
    await after.close();
  }, 60_000);

  it('48 asks of 900 KB from one client: each decided or refused with a code, none dropped', async () => {
    const client: GenPaxosClient = await connectClient(cluster.urls.n2 as string, {
      secret: cluster.clientSecret,
      cluster: cluster.cluster,
    });
    const big = (k: number) => `${k}:`.padEnd(900 * 1024, 'y');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 48 }, (_, k) => client.ask(`big-${k}`, big(k))),
    );
    const decided = outcomes.filter((o) => o.status === 'fulfilled').length;
    const codes = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [(o.reason as { code?: string }).code] : [],
    );
    console.log(
      `48 asks of 900 KB: ${decided} decided, refused: ${JSON.stringify(codes.reduce<Record<string, number>>((m, c) => ({ ...m, [String(c)]: (m[String(c)] ?? 0) + 1 }), {}))}`,
    );
    expect(decided).toBeGreaterThan(0);
    expect(codes.every((code) => code === 'WIRE_ERR_BUSY')).toBe(true);
    // No session was closed as a slow consumer, and none of these replies was lost: the peer
    // links' own drops under this load (wire.droppedBackpressure) are Paxos messages, which
    // may be lost, and are retried.
    const { counters } = await client.status();
    expect(counters['wire.slowClientsClosed']).toBe(0);
    await client.close();
  }, 60_000);
});
