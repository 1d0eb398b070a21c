// The WebSocket transport on real sockets (127.0.0.1, free ports): links converge to one per
// pair when both sides dial, batches, drops sends to a down peer, redials a restarted peer,
// drops a silent one by heartbeat, and serves wss:// with a self-signed certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/paxos/messages.js';
import { connectClient } from '../../src/transport/client/client.js';
import type { WebSocketTransport } from '../../src/transport/peer/webSocketTransport.js';
import { generateNodeKey } from '../../src/base/nodeKey.js';
import { isPermanent, reasonSummary } from '../../src/transport/wire/linkReasons.js';
import {
  envelope,
  linksSettled,
  linksUp,
  RawPeer,
  CLIENT_SECRET,
  CLUSTER,
  startOne,
  startTransports,
  waitFor,
} from './helpers.js';

const open: WebSocketTransport[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function cluster(ids: string[], tuning: Parameters<typeof startTransports>[1] = {}) {
  const started = await startTransports(ids, tuning);
  open.push(...Object.values(started.transports));
  return started;
}

/** Open links on one side: what each transport counts as opened minus closed. */
function openLinks(t: WebSocketTransport): number {
  return t.wireStats.linksOpened - t.wireStats.linksClosed;
}

describe('links', () => {
  it('converge on exactly one link per pair when every node dials at once', async () => {
    for (let round = 0; round < 5; round++) {
      const { transports } = await cluster(['a', 'b', 'c']);
      await waitFor(() => linksUp(transports), 'all links up');
      // Give losing links time to be closed, then check each pair agrees on the survivor.
      await waitFor(
        () => Object.values(transports).every((t) => openLinks(t) === 2),
        'two open links per node',
      );
      for (const [x, y] of [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ] as const) {
        const here = transports[x]?.linkStatus().find((l) => l.peer === y);
        const there = transports[y]?.linkStatus().find((l) => l.peer === x);
        expect(here?.dialledBy).toBe(there?.dialledBy);
      }
      await Promise.all(Object.values(transports).map((t) => t.close()));
    }
  });

  it('sends what is queued in one tick as one frame, and delivers it in order', async () => {
    const { transports } = await cluster(['a', 'b']);
    await waitFor(() => linksSettled(transports), 'links settled');
    const got: Envelope[] = [];
    transports.b?.listen((e) => got.push(e));
    const framesBefore = transports.a?.wireStats.framesSent ?? 0;
    for (let i = 0; i < 500; i++) transports.a?.send(envelope('a', 'b', `k${i}`));
    await waitFor(() => got.length === 500, '500 envelopes');
    expect(got.map((e) => e.key)).toEqual(Array.from({ length: 500 }, (_, i) => `k${i}`));
    // One batch frame (exactly one is checked in outbox.test.ts); a handshake frame of a losing
    // dial still in flight may be counted here too.
    expect((transports.a?.wireStats.framesSent ?? 0) - framesBefore).toBeLessThanOrEqual(3);
  });

  it('delivers a lazy envelope with the next frame to its peer, or on its own after a short wait', async () => {
    const { transports } = await cluster(['a', 'b']);
    await waitFor(() => linksSettled(transports), 'links settled');
    const got: Envelope[] = [];
    transports.b?.listen((e) => got.push(e));
    const a = transports.a as WebSocketTransport;
    // Alone, it still arrives: LAZY_FLUSH_MS (5 ms) later, not never.
    a.send(envelope('a', 'b', 'lazy-alone'), { lazy: true });
    await waitFor(() => got.length === 1, 'the lazy envelope alone');
    // Sent before an ordinary envelope, it waits in the link's outbox, then rides in that one's
    // frame, in order.
    a.send(envelope('a', 'b', 'lazy-first'), { lazy: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.queuedFor('b')).toBe(1); // no frame of its own this tick
    a.send(envelope('a', 'b', 'urgent-second'));
    expect(a.queuedFor('b')).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.queuedFor('b')).toBe(0); // one flush took both
    await waitFor(() => got.length === 3, 'both');
    expect(got.map((e) => e.key)).toEqual(['lazy-alone', 'lazy-first', 'urgent-second']);
  });

  it('drops (and counts) sends to a peer that is down, and redials it when it restarts', async () => {
    const { transports, ports, urls } = await cluster(['a', 'b']);
    await waitFor(() => linksUp(transports), 'links up');
    await transports.b?.close();
    await waitFor(() => transports.a?.linkStatus()[0]?.state === 'down', 'a sees b down');
    transports.a?.send(envelope('a', 'b', 'lost'));
    expect(transports.a?.wireStats.droppedNoLink).toBe(1);

    const b2 = await startOne('b', ['a', 'b'], ports, urls, { incarnation: 'b-2' });
    open.push(b2);
    const got: Envelope[] = [];
    b2.listen((e) => got.push(e));
    await waitFor(
      () => linksSettled({ a: transports.a as WebSocketTransport, b: b2 }),
      'a and b settled again',
    );
    expect(transports.a?.linkTo('b')?.peer?.incarnation).toBe('b-2');
    transports.a?.send(envelope('a', 'b', 'after-restart'));
    await waitFor(() => got.length === 1, 'delivery after the restart');
    expect(got[0]?.key).toBe('after-restart');
  });

  it('drops a peer that stops answering heartbeats', async () => {
    const [port] = await (await import('../../src/cli/freePorts.js')).freePorts(1);
    const lonely = await startOne(
      'a',
      ['a', 'c'],
      { a: port as number },
      { c: 'ws://127.0.0.1:1' },
      {
        heartbeatIntervalMs: 50,
        heartbeatTimeoutMs: 300,
      },
    );
    open.push(lonely);
    // A peer that authenticates, then never answers a ping nor sends anything.
    const mute = await RawPeer.connect(lonely.url, { autoPong: false });
    await mute.hello({ node: 'c', members: ['a', 'c'] });
    await mute.welcomed();
    await waitFor(() => lonely.linkStatus()[0]?.state === 'up', 'the mute peer linked');
    await mute.closed;
    await waitFor(() => lonely.linkStatus()[0]?.state === 'down', 'the mute peer dropped');
    expect(lonely.wireStats.heartbeatTimeouts).toBe(1);
  });
});

describe('why a link is down, for refusals of member identity', () => {
  it('a pinned key that does not match: both sides name it, the refusing one as "this node", and redial it rarely', async () => {
    const { freePorts } = await import('../../src/cli/freePorts.js');
    const [pa, pb] = await freePorts(2);
    const ports = { a: pa as number, b: pb as number };
    const urls = { a: `ws://127.0.0.1:${pa}`, b: `ws://127.0.0.1:${pb}` };
    const [keyA, keyB, stranger] = [generateNodeKey(), generateNodeKey(), generateNodeKey()];
    // a pins b's real key; b pins a key that is not a's.
    const a = await startOne('a', ['a', 'b'], ports, urls, {
      nodeKey: keyA,
      peerKeys: { b: keyB.publicKey },
    });
    open.push(a);
    const b = await startOne('b', ['a', 'b'], ports, urls, {
      nodeKey: keyB,
      peerKeys: { a: stranger.publicKey },
    });
    open.push(b);
    const reasonAt = (t: WebSocketTransport) => {
      const reason = t.linkStatus()[0]?.reason;
      return reason ? reasonSummary(reason) : null;
    };
    await waitFor(() => reasonAt(b) === 'refused by this node: identity', "b to refuse a's welcome");
    await waitFor(() => reasonAt(a) === 'refused by peer: identity', 'a to hear of the refusal');
    const seenByA = a.linkStatus()[0]?.reason;
    expect(seenByA).toMatchObject({ kind: 'refused', code: 'WIRE_ERR_IDENTITY_FAILED', side: 'peer' });
    expect(isPermanent(seenByA!)).toBe(true);
    expect(a.linkStatus()[0]?.state).toBe('down');
  });
});

describe('TLS', () => {
  it('serves wss:// with a certificate and key given, peers and clients trusting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-tls-'));
    dirs.push(dir);
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      '/usr/bin/openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const pem = { key: readFileSync(key), cert: readFileSync(cert) };
    const { transports, urls } = await cluster(['a', 'b'], { tls: pem, ca: pem.cert });
    expect(urls.a).toMatch(/^wss:\/\//);
    await waitFor(() => linksUp(transports), 'links up over TLS');
    const got: Envelope[] = [];
    transports.b?.listen((e) => got.push(e));
    await waitFor(() => linksSettled(transports), 'links settled over TLS');
    transports.a?.send(envelope('a', 'b', 'secure'));
    await waitFor(() => got.length === 1, 'delivery over TLS');
    expect(got[0]).toMatchObject({ from: 'a', to: 'b', key: 'secure' });

    // A client that does not trust the certificate cannot connect; one that does can.
    await expect(
      connectClient(urls.a as string, { secret: CLIENT_SECRET, cluster: CLUSTER }),
    ).rejects.toMatchObject({
      code: 'WIRE_ERR_CONNECT_FAILED',
    });
    const client = await connectClient(urls.a as string, {
      secret: CLIENT_SECRET,
      cluster: CLUSTER,
      ca: pem.cert,
    });
    expect(client.node).toBe('a');
    await client.close();
  });
});
