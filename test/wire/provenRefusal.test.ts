// The proven refusal on real sockets (127.0.0.1, free ports): a node that removed a member proves
// its refusal, and the removed member's link reason says so; a raw server answering at a member's
// URL with close code 4015, bare or with a refusal frame that does not verify, leaves the
// dialler's reason unauthenticated (the membership watch does not stop on it).
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { generateNodeKey, type NodeKey } from '../../src/base/nodeKey.js';
import { freePorts } from '../../src/cli/freePorts.js';
import { initialConfiguration } from '../../src/paxos/config.js';
import { memberState } from '../../src/cli/membershipWatch.js';
import type { MembershipView } from '../../src/node/membership/nodeMembership.js';
import type { WebSocketTransport } from '../../src/transport/peer/webSocketTransport.js';
import { decodeFrame, encodeFrame } from '../../src/transport/wire/codec.js';
import { PROTOCOL_VERSION, type LinkStatus } from '../../src/transport/wire/frames.js';
import { newNonce } from '../../src/transport/wire/handshake.js';
import { refusalFrame } from '../../src/transport/wire/handshakeRefusal.js';
import { CLOSE_CODES, WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';
import { CLUSTER, SECRET, startOne, waitFor } from './helpers.js';

const opened: Array<{ close(): Promise<void> | void }> = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((item) => item.close()));
});

const REMOVED_DETAIL = 'PAXOS_ERR_REMOVED: node x was removed in configuration 5';

/**
 * Something answering at a's URL that is not a: it challenges, and answers the hello with
 * `answer` (a frame to send first, or none), then closes with 4015 and a removed-looking reason.
 */
async function rawServer(
  port: number,
  answer: (hello: { nonce: Uint8Array; node: string }, challenge: Uint8Array) => Uint8Array | null,
): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (socket: WebSocket) => {
    socket.on('error', () => {});
    const challenge = newNonce();
    socket.send(encodeFrame({ v: PROTOCOL_VERSION, t: 'challenge', nonce: challenge }));
    socket.once('message', (data) => {
      const decoded = decodeFrame(data as Buffer, 1 << 20);
      if (!decoded.ok) return socket.terminate();
      const hello = decoded.value as { nonce: Uint8Array; node: string };
      const first = answer(hello, challenge);
      if (first !== null) socket.send(first);
      socket.close(CLOSE_CODES.REMOVED, `${W.REMOVED}: ${REMOVED_DETAIL}`);
    });
  });
  opened.push({
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  });
}

/** x, a member of [a, x], dialling a at `urls.a`; with `key`, x pinned it as a's (and has a key of its own). */
async function startX(ports: Record<string, number>, urls: Record<string, string>, key?: NodeKey) {
  const x = await startOne('x', ['a', 'x'], ports, urls, {
    ...(key ? { nodeKey: generateNodeKey(), peerKeys: { a: key.publicKey } } : {}),
  });
  opened.push(x);
  return x;
}

/** What the membership watch makes of x's links while x's own configuration lists it. */
const standingOf = (x: WebSocketTransport): string => {
  const view: MembershipView = {
    config: 1,
    epoch: 0,
    complete: true,
    members: ['a', 'x'].map((id) => ({ id, url: null })),
    previousVoters: null,
  };
  return memberState('x', view, x.linkStatus(), false).state;
};

const reasonOf = (transport: WebSocketTransport, peer: string): LinkStatus['reason'] =>
  transport.linkStatus().find((link) => link.peer === peer)?.reason;

describe('a refusal proven by the node dialled', () => {
  it('a node that removed x proves its refusal: x sees it authenticated, with the whole detail', async () => {
    const free = await freePorts(2);
    const ports = { a: free[0] as number, x: free[1] as number };
    const urls = { a: `ws://127.0.0.1:${ports.a}`, x: `ws://127.0.0.1:${ports.x}` };
    const keyOfA = generateNodeKey();
    // a is on configuration 6 of [a, b]; x was removed in configuration 5.
    const a = await startOne('a', ['a', 'x'], ports, urls, {
      nodeKey: keyOfA,
      membership: {
        configuration: { ...initialConfiguration(['a', 'b']), number: 6, epoch: 3 },
        peers: { b: null },
        removed: { x: 5 },
      },
    });
    opened.push(a);
    const x = await startX(ports, urls, keyOfA);
    await waitFor(() => reasonOf(x, 'a')?.kind === 'refused', 'x refused by a');
    expect(reasonOf(x, 'a')).toEqual({
      kind: 'refused',
      code: W.REMOVED,
      side: 'peer',
      closeCode: null,
      detail: 'PAXOS_ERR_REMOVED: node x was removed in configuration 5',
      authenticated: true,
    });
    expect(x.isLinkUp('a')).toBe(false);
    expect(standingOf(x)).toBe('stopped');
  });
});

describe('a refusal nobody proved', () => {
  it('a raw server answering with close 4015 and no proof leaves the reason unauthenticated', async () => {
    const free = await freePorts(2);
    const ports = { a: free[0] as number, x: free[1] as number };
    const urls = { a: `ws://127.0.0.1:${ports.a}`, x: `ws://127.0.0.1:${ports.x}` };
    await rawServer(ports.a, () => null);
    const x = await startX(ports, urls);
    await waitFor(() => reasonOf(x, 'a')?.kind === 'refused', 'x refused at a URL');
    const reason = reasonOf(x, 'a');
    expect(reason).toMatchObject({ kind: 'refused', code: W.REMOVED, side: 'peer', detail: REMOVED_DETAIL });
    expect(reason?.authenticated).toBeUndefined();
    expect(standingOf(x)).toBe('member');
  });

  it('a refusal frame proven with a guessed secret is counted, logged and ignored', async () => {
    const free = await freePorts(2);
    const ports = { a: free[0] as number, x: free[1] as number };
    const urls = { a: `ws://127.0.0.1:${ports.a}`, x: `ws://127.0.0.1:${ports.x}` };
    const claims = { cluster: CLUSTER, node: 'a', code: W.REMOVED, detail: REMOVED_DETAIL };
    const guess = new TextEncoder().encode('guess');
    await rawServer(ports.a, (hello, challenge) =>
      encodeFrame(refusalFrame(guess, undefined, { ...claims, dialler: hello.node }, challenge, hello.nonce)),
    );
    const x = await startX(ports, urls);
    await waitFor(() => reasonOf(x, 'a')?.kind === 'refused', 'x refused at a URL');
    expect(reasonOf(x, 'a')?.authenticated).toBeUndefined();
    expect(x.wireStats.errors[W.AUTH_FAILED]).toBeGreaterThan(0);
    expect(standingOf(x)).toBe('member');
  });

  it('a refusal frame with the right secret but not signed by the key pinned for a is ignored', async () => {
    // Another member knows the peer secret, but not a's key: it cannot pose as a.
    const free = await freePorts(2);
    const ports = { a: free[0] as number, x: free[1] as number };
    const urls = { a: `ws://127.0.0.1:${ports.a}`, x: `ws://127.0.0.1:${ports.x}` };
    const secret = new TextEncoder().encode(SECRET);
    const claims = { cluster: CLUSTER, node: 'a', code: W.REMOVED, detail: REMOVED_DETAIL };
    const impostor = generateNodeKey();
    await rawServer(ports.a, (hello, challenge) =>
      encodeFrame(
        refusalFrame(secret, impostor.privateKey, { ...claims, dialler: hello.node }, challenge, hello.nonce),
      ),
    );
    const x = await startX(ports, urls, generateNodeKey());
    await waitFor(() => reasonOf(x, 'a')?.kind === 'refused', 'x refused at a URL');
    expect(reasonOf(x, 'a')?.authenticated).toBeUndefined();
    expect(x.wireStats.errors[W.IDENTITY_FAILED]).toBeGreaterThan(0);
    expect(standingOf(x)).toBe('member');
  });
});
