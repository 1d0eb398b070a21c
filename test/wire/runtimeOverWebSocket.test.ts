// The actor runtime on real WebSocket links in one process (127.0.0.1, free ports): two actor nodes
// reach each other's named actors over the links Paxos uses, and a raw authenticated peer's bad
// runtime items are refused one by one, counted by code, with the link and the node unharmed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, assign } from 'xstate';
import { freePorts } from '../../src/cli/freePorts.js';
import type { Envelope } from '../../src/paxos/messages.js';
import { createActorNode, type ActorNode } from '../../src/runtime/actorNode.js';
import { reply, type CallEvent } from '../../src/runtime/genFsm/reply.js';
import { createGenServer } from '../../src/runtime/genServer/genServer.js';
import { PROTOCOL_VERSION } from '../../src/transport/wire/frames.js';
import type { WebSocketTransport } from '../../src/transport/peer/webSocketTransport.js';
import {
  createWebSocketRouter,
  type WebSocketRouter,
} from '../../src/transport/distribution/webSocketRouter.js';
import { WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';
import { counterServer } from '../runtime/counterServer.js';
import { RawPeer, envelope, startOne, waitFor } from './helpers.js';

const members = ['a', 'b', 'c'];
let transports: Record<string, WebSocketTransport>;
let routers: WebSocketRouter[];
let urls: Record<string, string>;
let a: ActorNode;
let b: ActorNode;

const counter = setup({
  types: {
    context: {} as { count: number },
    events: {} as { type: 'inc' } | CallEvent<{ type: 'get' }, number>,
  },
}).createMachine({
  context: { count: 0 },
  on: {
    inc: { actions: assign({ count: ({ context }) => context.count + 1 }) },
    get: { actions: reply(({ context }) => context.count) },
  },
});

beforeAll(async () => {
  // Three members; c never starts, so raw peers can claim its slot.
  const free = await freePorts(3);
  const ports = Object.fromEntries(members.map((id, i) => [id, free[i] as number]));
  urls = Object.fromEntries(members.map((id) => [id, `ws://127.0.0.1:${ports[id]}`]));
  transports = {
    a: await startOne('a', members, ports, urls),
    b: await startOne('b', members, ports, urls),
  };
  // Attached after the transports started: the a–b link may already be up (a late attach).
  routers = [createWebSocketRouter(transports.a as WebSocketTransport)];
  routers.push(createWebSocketRouter(transports.b as WebSocketTransport));
  a = createActorNode({ router: routers[0], onCrash: () => {} });
  b = createActorNode({ router: routers[1], onCrash: () => {} });
  await waitFor(() => a.nodes().includes('b') && b.nodes().includes('a'), 'a and b see each other');
});

afterAll(async () => {
  for (const router of routers) await router.close();
  await Promise.all(Object.values(transports).map((t) => t.close()));
});

describe('actor nodes over WebSocket links', () => {
  it('cast and call a named actor of the other node; Paxos envelopes still flow beside them', async () => {
    b.genFsm.start(counter, { name: 'counter' });
    expect(a.genFsm.sendEvent({ name: 'counter', node: 'b' }, { type: 'inc' })).toBe(true);
    await expect(
      a.genFsm.syncSendEvent<number>({ name: 'counter', node: 'b' }, { type: 'get' }),
    ).resolves.toBe(1);
    const paxos: Envelope[] = [];
    transports.b?.listen((e) => paxos.push(e));
    transports.a?.send(envelope('a', 'b', 'k'));
    await waitFor(() => paxos.length === 1, 'a Paxos envelope a → b');
    expect(transports.a?.wireStats.runtimeItemsSent).toBeGreaterThanOrEqual(3); // connect, cast, call
    expect(transports.b?.wireStats.runtimeItemsReceived).toBeGreaterThanOrEqual(3);
  });
});

describe('genServer over WebSocket links', () => {
  it('calls and casts a genServer of the other node, a deferred reply included', async () => {
    createGenServer(b).start(counterServer, { name: 'gs_counter', input: { start: 1 } });
    const fromA = createGenServer(a);
    const server = { name: 'gs_counter', node: 'b' };
    expect(fromA.cast(server, { type: 'inc' })).toBe(true);
    await expect(fromA.call<number>(server, { type: 'get' })).resolves.toBe(2);
    const held = fromA.call<number>(server, { type: 'hold' });
    await expect(fromA.call<number>(server, { type: 'get' })).resolves.toBe(2); // the hold is there
    fromA.cast(server, { type: 'release' });
    await expect(held).resolves.toBe(2);
  });
});

describe('bad runtime items from an authenticated peer', () => {
  it('are refused one by one with their codes; good ones get through; the link stays up', async () => {
    const target = a.genFsm.start(counter, { name: 'target' });
    const peer = await RawPeer.connect(urls.a as string);
    await peer.hello({ node: 'c', members });
    await peer.welcomed();
    const send = (...messages: unknown[]) => peer.sendFrame({ v: PROTOCOL_VERSION, t: 'runtime', messages });
    send({ kind: 'connect', reply: true });
    // a answers with its own connect once its dial to c (nobody listens there) is over.
    await waitFor(() => a.nodes().includes('c'), 'a sees c up');
    expect(
      peer.frames.some((frame) =>
        ((frame as { messages?: unknown[] } | null)?.messages ?? []).some(
          (item) => (item as { kind?: string }).kind === 'connect',
        ),
      ),
    ).toBe(true);

    const before = { ...(transports.a?.wireStats.errors ?? {}) };
    const inc = { kind: 'cast', to: 'target', event: { type: 'inc' } };
    send(
      inc,
      { kind: 'cast', to: 'target', event: { type: 'xstate.error.actor.target' } }, // a forged crash
      { kind: 'cast', to: 'target', event: { type: 'genFsm.stop', reason: 'normal' } }, // a stop by the back door
      { kind: 'cast', to: 'target', event: { type: 'inc', replyTo: { send: 1 } } },
      { kind: 'cast', to: 'target', event: { type: 'inc', n: Number.NaN } },
      { kind: 'call', to: 'target', callId: -1, event: { type: 'get' }, timeoutMs: 100 },
      { kind: 'teleport', to: 'target' },
      inc,
    );
    await waitFor(() => target.getSnapshot().context.count === 2, 'the two good casts');
    const after = transports.a?.wireStats.errors ?? {};
    const added = (code: keyof typeof after) => (after[code] ?? 0) - (before[code] ?? 0);
    expect({
      local: added(W.LOCAL_EVENT),
      field: added(W.BAD_FIELD),
      value: added(W.BAD_VALUE),
      range: added(W.OUT_OF_RANGE),
      tag: added(W.UNKNOWN_TAG),
    }).toEqual({ local: 2, field: 1, value: 1, range: 1, tag: 1 });
    expect(target.getSnapshot().status).toBe('active');
    expect(transports.a?.linkTo('c')?.isOpen).toBe(true);

    // c vanishes without a word: a sees it go down when the socket closes.
    peer.close();
    await waitFor(() => !a.nodes().includes('c'), 'a sees c down');
    expect(a.nodes()).toEqual(['b']);
  });
});
