// Three real node processes on loopback (WebSocket links, LMDB data directories), each running
// a leader process (test/fixtures/leaderNode.ts). The leader is killed with SIGKILL three times
// (restarted on its data directory in between); each time the test measures, on its own clock,
// how long until another process prints that it was elected, then has a follower leaderCall the
// new leader over the WebSocket RemoteRouter. Bounds are generous: this measures, the
// simulation asserts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/cli/freePorts.js';
import { guardIntervalMs } from '../../src/leader/leaseTiming.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'leaderNode.ts');
const LEASE_MS = 1000;
const DRIFT_BOUND = 0.001;

interface Line {
  readonly event: string;
  readonly node: string;
  readonly epoch?: number;
  readonly atMs: number;
  readonly ok?: boolean;
  readonly n?: number;
  readonly servedBy?: string;
  readonly code?: string;
}

const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-leader-'));
const children = new Map<string, ChildProcess>();
const lines: Line[] = [];

afterAll(() => {
  for (const child of children.values()) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function waitFor(match: (line: Line) => boolean, timeoutMs: number, from = 0): Promise<Line> {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + timeoutMs;
    const poll = () => {
      const found = lines.slice(from).find(match);
      if (found) resolve(found);
      else if (performance.now() > deadline)
        reject(new Error(`timed out; saw ${JSON.stringify(lines.slice(-10))}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe('real processes: kill -9 the leader', () => {
  it('elects another within a lease and a guard; three times', async () => {
    const ids = ['n1', 'n2', 'n3'];
    const ports = await freePorts(3);
    const urls = Object.fromEntries(ids.map((id, i) => [id, `ws://127.0.0.1:${ports[i]}`]));
    const secret = randomBytes(16).toString('hex');
    const start = (id: string) => {
      const options = {
        id,
        port: ports[ids.indexOf(id)],
        peers: Object.fromEntries(ids.filter((p) => p !== id).map((p) => [p, urls[p]])),
        secret,
        cluster: 'leader-test',
        dataDir: join(dir, id),
        leaseMs: LEASE_MS,
        driftBound: DRIFT_BOUND,
      };
      const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(options)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.set(id, child);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
        try {
          lines.push({ ...(JSON.parse(text) as Omit<Line, 'atMs'>), atMs: performance.now() });
        } catch {
          // not one of ours
        }
      });
    };
    for (const id of ids) start(id);
    await Promise.all(ids.map((id) => waitFor((l) => l.event === 'listening' && l.node === id, 30_000)));

    /** Has `from` leaderCall the leader; resolves with its "called" line. */
    let calls = 0;
    const call = async (from: string): Promise<Line> => {
      const n = ++calls;
      children.get(from)?.stdin?.write(`call ${n}\n`);
      return waitFor((l) => l.event === 'called' && l.n === n, 10_000);
    };
    const failovers: number[] = [];
    await waitFor((l) => l.event === 'elected', 30_000);
    for (let round = 0; round < 3; round++) {
      // Let the leader renew a few times, and every node follow it.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      // The latest election is the leader now (on a loaded machine there may have been more).
      const leader = lines.filter((l) => l.event === 'elected').at(-1) as Line;
      const victim = leader.node;
      const mark = lines.length;
      const killedAt = performance.now();
      children.get(victim)?.kill('SIGKILL');
      const next = await waitFor((l) => l.event === 'elected' && l.node !== victim, 30_000, mark);
      failovers.push(next.atMs - killedAt);
      expect(next.epoch).toBeGreaterThan(leader.epoch as number);
      // Back on its data directory, as a follower; it reaches the new leader with leaderCall.
      start(victim);
      await waitFor((l) => l.event === 'surrendered' && l.node === victim, 30_000, mark);
      const answer = await call(victim);
      expect(answer).toMatchObject({ ok: true, servedBy: next.node, epoch: next.epoch });
    }
    const guard = guardIntervalMs(LEASE_MS, DRIFT_BOUND);
    console.log(
      `real processes, lease ${LEASE_MS} ms, ρ ${DRIFT_BOUND} (guard ${guard} ms): failover after kill -9 = ${failovers
        .map((ms) => `${ms.toFixed(0)} ms`)
        .join(', ')}`,
    );
    for (const ms of failovers) expect(ms).toBeLessThan(LEASE_MS + guard + 5_000);
  }, 120_000);
});
