// The floors each ask figure is compared with, measured in the same run on the same machine: a
// WebSocket + msgpack round trip between two processes, and an fsync'd storage commit.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Packr } from 'msgpackr';
import { WebSocket } from 'ws';
import { summarize, type LatencySummary } from '../src/inspect/percentiles.js';
import { LmdbStorage } from '../src/storage/lmdbStorage.js';

const packr = new Packr({ useRecords: false, structuredClone: false });

/** What a batch of one Paxos message looks like on the wire. */
const FRAME = {
  v: 1,
  t: 'batch',
  envelopes: [
    {
      from: 'n1',
      to: 'n2',
      key: 'bench-key-000001',
      message: { type: 'prepare', ballot: { round: 1, node: 'n1' } },
    },
  ],
};

export async function measureRoundTrip(samples: number): Promise<LatencySummary> {
  const server = spawn(process.execPath, [new URL('./echoServer.mjs', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: server.stdout as NodeJS.ReadableStream }).once('line', (line) =>
        resolve((JSON.parse(line) as { port: number }).port),
      );
      server.once('exit', () => reject(new Error('echo server exited')));
    });
    const socket = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const latencies: number[] = [];
    for (let i = 0; i < samples + 100; i++) {
      const started = performance.now();
      await new Promise<void>((resolve) => {
        socket.once('message', (data) => {
          packr.unpack(data as Buffer);
          resolve();
        });
        socket.send(packr.pack(FRAME));
      });
      if (i >= 100) latencies.push(performance.now() - started); // the first 100 warm up
    }
    socket.close();
    return summarize(latencies);
  } finally {
    server.kill('SIGTERM');
  }
}

/** One writer, one key at a time: each write waits for its own fsync'd commit. */
export async function measureCommit(samples: number): Promise<LatencySummary> {
  const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-bench-commit-'));
  const storage = new LmdbStorage({ path: dir, nodeId: 'bench' });
  try {
    await storage.open();
    const latencies: number[] = [];
    for (let i = 0; i < samples + 20; i++) {
      const started = performance.now();
      await storage.write(`commit-${i}`, {
        promised: { round: i, node: 'bench' },
        accepted: null,
        decided: null,
      });
      if (i >= 20) latencies.push(performance.now() - started);
    }
    return summarize(latencies);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
