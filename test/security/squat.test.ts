// Issue 17, item 3, against a real node process on 127.0.0.1: while 300 raw TCP connections send
// nothing, 100 slowloris requests trickle headers and WebSocket upgrades that never say hello keep
// arriving (100 at once, then 40 a second), a genuine client connects and decides, five times in
// a row; silent and slowloris connections are closed within the documented deadlines
// (docs/security.md, "Handshakes"). The attack is bounded in count and time and stops by itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCluster } from '../../src/cli/localCluster.js';
import { connectClient } from '../../src/transport/client/client.js';
import { MAIN } from '../integration/cliHelpers.js';

let dir: string;
let cluster: LocalCluster;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gen-paxos-squat-'));
  cluster = await LocalCluster.start({ size: 1, mainPath: MAIN, dir });
}, 30_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Tracked {
  readonly closedAtMs: Promise<number>;
  readonly stop: () => void;
}

function rawSocket(port: number, startMs: number, trickle: boolean): Tracked {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let timer: ReturnType<typeof setInterval> | undefined;
  if (trickle)
    socket.once('connect', () => {
      socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      timer = setInterval(() => socket.write(`X-Slow-${Date.now()}: 1\r\n`), 500);
    });
  const closedAtMs = new Promise<number>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(Date.now() - startMs);
    }),
  );
  return { closedAtMs, stop: () => socket.destroy() };
}

function silentUpgrade(url: string): WebSocket {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  socket.on('error', () => {});
  return socket; // it gets the challenge and never answers
}

describe('handshake squatting (real process)', () => {
  it('a genuine client connects and decides during a squat; idle and slowloris connections are closed', async () => {
    const url = cluster.urls.n1 as string;
    const port = Number(new URL(url).port);
    const startMs = Date.now();
    const silent = Array.from({ length: 300 }, () => rawSocket(port, startMs, false));
    const slow = Array.from({ length: 100 }, () => rawSocket(port, startMs, true));
    const squatters: WebSocket[] = Array.from({ length: 100 }, () => silentUpgrade(url));
    const refill = setInterval(() => {
      for (let i = 0; i < 4; i++) squatters.push(silentUpgrade(url));
    }, 100);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const answers: unknown[] = [];
      for (let k = 0; k < 5; k++) {
        const client = await connectClient(url, {
          secret: cluster.clientSecret,
          cluster: cluster.cluster,
          connectTimeoutMs: 3000,
        });
        answers.push(await client.ask(`during-squat-${k}`, k));
        await client.close();
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(answers).toEqual([0, 1, 2, 3, 4]);
      // Deadlines: no request within 2 s, or headers not complete within 2 s (checked every 250 ms).
      const silentClosed = await Promise.all(silent.map((s) => s.closedAtMs));
      const slowClosed = await Promise.all(slow.map((s) => s.closedAtMs));
      console.log(
        `squat: ${squatters.length} silent upgrades, 300 silent TCP (closed by ${Math.max(...silentClosed)} ms), ` +
          `100 slowloris (closed by ${Math.max(...slowClosed)} ms); 5 of 5 genuine clients decided`,
      );
      expect(Math.max(...silentClosed)).toBeLessThan(4000);
      expect(Math.max(...slowClosed)).toBeLessThan(4000);
    } finally {
      clearInterval(refill);
      for (const s of [...silent, ...slow]) s.stop();
      for (const socket of squatters) socket.terminate();
    }
  }, 30_000);
});
