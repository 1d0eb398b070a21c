// Handshake refusals and bad input on real sockets (127.0.0.1, free ports): each refusal closes
// with its documented close code and reason, is counted, and leaves the node serving.
import { MIN_FRAME_BYTES } from '../../src/paxos/validate.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../../src/transport/client/client.js';
import type { Envelope } from '../../src/paxos/messages.js';
import { PROTOCOL_VERSION } from '../../src/transport/wire/frames.js';
import type { WebSocketTransport } from '../../src/transport/peer/webSocketTransport.js';
import { CLOSE_CODES, WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';
import { freePorts } from '../../src/cli/freePorts.js';
import { CLUSTER, RawPeer, CLIENT_SECRET, envelope, startOne, waitFor } from './helpers.js';

let transports: Record<string, WebSocketTransport>;
let urls: Record<string, string>;
const received: Envelope[] = [];
const members = ['a', 'b', 'c'];

beforeAll(async () => {
  // Three members, but c never starts: its slot is free for raw peers to claim.
  const free = await freePorts(3);
  const ports = Object.fromEntries(members.map((id, i) => [id, free[i] as number]));
  urls = Object.fromEntries(members.map((id) => [id, `ws://127.0.0.1:${ports[id]}`]));
  const checkPeer = (peer: string, incarnation: string) =>
    incarnation === 'amnesiac' ? `${peer} came back without its disk` : null;
  transports = {
    a: await startOne('a', members, ports, urls, { checkPeer }),
    b: await startOne('b', members, ports, urls, { checkPeer }),
  };
  transports.a?.listen((e) => received.push(e));
  await waitFor(() => transports.a?.linkTo('b') !== undefined, 'a–b link');
});

afterAll(async () => {
  await Promise.all(Object.values(transports).map((t) => t.close()));
});

async function refusal(hello: Parameters<RawPeer['hello']>[0]): Promise<{ code: number; reason: string }> {
  const peer = await RawPeer.connect(urls.a as string);
  await peer.hello(hello);
  return peer.closed;
}

describe('handshake refusals', () => {
  it('wrong secret → 4001 WIRE_ERR_AUTH_FAILED', async () => {
    const closed = await refusal({ secret: 'guess', node: 'c', members });
    expect(closed.code).toBe(CLOSE_CODES.AUTH_FAILED);
    expect(closed.reason).toMatch(/^WIRE_ERR_AUTH_FAILED: /);
    await expect(
      connectClient(urls.a as string, { secret: 'guess', cluster: CLUSTER }),
    ).rejects.toMatchObject({
      code: W.AUTH_FAILED,
    });
  });

  it('unknown node id → 4002 WIRE_ERR_UNKNOWN_NODE', async () => {
    expect((await refusal({ node: 'mallory', members })).code).toBe(CLOSE_CODES.UNKNOWN_NODE);
    expect((await refusal({ node: 'a', members })).code).toBe(CLOSE_CODES.UNKNOWN_NODE);
  });

  it('an id whose link is up → 4013 WIRE_ERR_LINK_UP: a live link is never taken over', async () => {
    // b dialled a (a < b, so the link a dialled may win; either way b is connected now).
    const closed = await refusal({ node: 'b', members });
    expect([CLOSE_CODES.LINK_UP, CLOSE_CODES.LINK_SUPERSEDED]).toContain(closed.code);
    // A second c while a first c is connected is refused, and the first stays.
    const first = await RawPeer.connect(urls.a as string);
    await first.hello({ node: 'c', members });
    await first.welcomed();
    const second = await refusal({ node: 'c', members });
    expect(second.code).toBe(CLOSE_CODES.LINK_UP);
    expect(second.reason).toMatch(/^WIRE_ERR_LINK_UP/);
    expect(first.socket.readyState).toBe(first.socket.OPEN);
    first.close();
    await first.closed;
  });

  it('a link whose heartbeat was lost is replaced by the member proving itself again', async () => {
    // The first c stops answering pings (a machine gone without closing its sockets): once it is
    // silent past the heartbeat timeout (2 s here) its link is dead, and a new hello for c is
    // admitted, so the real member is never locked out by a link that only looks up.
    const stale = await RawPeer.connect(urls.a as string, { autoPong: false });
    await stale.hello({ node: 'c', members });
    await stale.welcomed();
    const closedCode = stale.closed.then((closed) => closed.code);
    await waitFor(() => transports.a?.linkTo('c') === undefined, 'the silent link dropped', 5000);
    const fresh = await RawPeer.connect(urls.a as string);
    await fresh.hello({ node: 'c', members });
    await fresh.welcomed();
    expect(transports.a?.linkTo('c')).toBeDefined();
    expect([1006, CLOSE_CODES.LINK_SUPERSEDED]).toContain(await closedCode);
    fresh.close();
    await fresh.closed;
  });

  it('wrong cluster → 4004 WIRE_ERR_WRONG_CLUSTER', async () => {
    expect((await refusal({ cluster: 'elsewhere', node: 'c', members })).code).toBe(
      CLOSE_CODES.WRONG_CLUSTER,
    );
    await expect(
      connectClient(urls.a as string, { secret: CLIENT_SECRET, cluster: 'elsewhere' }),
    ).rejects.toMatchObject({
      code: W.WRONG_CLUSTER,
    });
  });

  it('wrong protocol version → 4005 WIRE_ERR_BAD_VERSION', async () => {
    const closed = await refusal({ v: PROTOCOL_VERSION + 1, node: 'c', members });
    expect(closed.code).toBe(CLOSE_CODES.BAD_VERSION);
    expect(closed.reason).toMatch(/^WIRE_ERR_BAD_VERSION/);
  });

  it('incarnation refused by the checkPeer hook → 4006 WIRE_ERR_INCARNATION_REFUSED', async () => {
    const closed = await refusal({ node: 'c', members, incarnation: 'amnesiac' });
    expect(closed).toEqual({
      code: CLOSE_CODES.INCARNATION_REFUSED,
      reason: 'WIRE_ERR_INCARNATION_REFUSED: c came back without its disk',
    });
  });

  it('another start member list (configuration 1 with another digest) → 4017 WIRE_ERR_CONFIG_CONFLICT', async () => {
    const closed = await refusal({ node: 'c', members: ['a', 'c'] });
    expect(closed.code).toBe(CLOSE_CODES.CONFIG_CONFLICT);
    expect(closed.reason).toMatch(/^WIRE_ERR_CONFIG_CONFLICT: configuration 1 differs/);
  });

  it('a joining node that is not a member → 4016 WIRE_ERR_NOT_A_MEMBER, told to add it first', async () => {
    expect(await refusal({ node: 'newcomer', config: null })).toEqual({
      code: CLOSE_CODES.NOT_A_MEMBER,
      reason:
        'WIRE_ERR_NOT_A_MEMBER: PAXOS_ERR_NOT_A_MEMBER: newcomer is not in configuration 1: add it first with gen-paxos member add',
    });
  });

  it('no hello in time → 4007 WIRE_ERR_HANDSHAKE_TIMEOUT', async () => {
    const [port] = await freePorts(1);
    const quick = await startOne('q', ['q'], { q: port as number }, {}, { handshakeTimeoutMs: 100 });
    const peer = await RawPeer.connect(quick.url);
    expect((await peer.closed).code).toBe(CLOSE_CODES.HANDSHAKE_TIMEOUT);
    expect(quick.wireStats.errors[W.HANDSHAKE_TIMEOUT]).toBe(1);
    await quick.close();
  });

  it('counts every refusal and keeps the link to b up', () => {
    const errors = transports.a?.wireStats.errors ?? {};
    expect(errors[W.AUTH_FAILED]).toBeGreaterThanOrEqual(2);
    expect(errors[W.UNKNOWN_NODE]).toBe(2);
    expect(errors[W.WRONG_CLUSTER]).toBe(2);
    expect(transports.a?.linkTo('b')?.isOpen).toBe(true);
  });
});

describe('bad input from an authenticated peer', () => {
  async function authenticatedC(): Promise<RawPeer> {
    const peer = await RawPeer.connect(urls.a as string);
    await peer.hello({ node: 'c', members });
    await peer.welcomed();
    return peer;
  }

  it('drops only the bad and the spoofed envelopes of a batch', async () => {
    const peer = await authenticatedC();
    received.length = 0;
    const good = envelope('c', 'a', 'k-good');
    peer.sendFrame({
      v: PROTOCOL_VERSION,
      t: 'batch',
      envelopes: [
        good,
        { ...good, key: '' },
        envelope('b', 'a', 'k-spoofed'),
        { ...good, message: { type: 'ask', value: 1 } },
        envelope('c', 'a', 'k-good-2'),
      ],
    });
    await waitFor(() => received.length === 2, 'the two good envelopes');
    expect(received.map((e) => e.key)).toEqual(['k-good', 'k-good-2']);
    const errors = transports.a?.wireStats.errors ?? {};
    expect(errors[W.SPOOFED]).toBe(1);
    expect(errors[W.LOCAL_EVENT]).toBeGreaterThanOrEqual(1);
    expect(errors[W.BAD_KEY]).toBe(1);
    peer.close();
    await peer.closed;
  });

  it.each([
    ['garbage bytes', (p: RawPeer) => p.sendBytes(Uint8Array.from([0xc1, 0xff, 0x00])), W.MALFORMED],
    ['a text frame', (p: RawPeer) => p.sendBytes('{"t":"batch"}'), W.NOT_BINARY],
    [
      'a local-only event frame',
      (p: RawPeer) => p.sendFrame({ v: PROTOCOL_VERSION, t: 'xstate.stop' }),
      W.LOCAL_EVENT,
    ],
    [
      'a client request on a peer link',
      (p: RawPeer) => p.sendFrame({ v: PROTOCOL_VERSION, t: 'requests', requests: [] }),
      W.UNEXPECTED_FRAME,
    ],
  ])('%s closes the link with 4011 and the node keeps serving', async (_name, send, code) => {
    const peer = await authenticatedC();
    send(peer);
    const closed = await peer.closed;
    expect(closed.code).toBe(CLOSE_CODES.PROTOCOL_ERROR);
    expect(closed.reason.startsWith(code)).toBe(true);
    // a still exchanges with b.
    let echoed = false;
    transports.b?.listen(() => (echoed = true));
    transports.a?.send(envelope('a', 'b', 'still-alive'));
    await waitFor(() => echoed, 'a → b after the bad peer');
  });

  it('garbage before the handshake closes the connection too', async () => {
    const peer = await RawPeer.connect(urls.a as string);
    peer.sendBytes(Uint8Array.from([0x92, 0x01]));
    expect((await peer.closed).code).toBe(CLOSE_CODES.PROTOCOL_ERROR);
  });

  it('a frame beyond maxPayload is refused by ws with 1009 and counted as WIRE_ERR_OVERSIZED', async () => {
    const [port] = await freePorts(1);
    const small = await startOne('s', ['s'], { s: port as number }, {}, { maxFrameBytes: MIN_FRAME_BYTES });
    const peer = await RawPeer.connect(small.url);
    peer.sendBytes(new Uint8Array(MIN_FRAME_BYTES + 1));
    expect((await peer.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
    await waitFor(() => small.wireStats.errors[W.OVERSIZED] === 1, 'the oversized frame counted');
    await small.close();
  });
});
