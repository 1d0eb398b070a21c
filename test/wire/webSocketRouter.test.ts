// The WebSocket router's link logic over fake links, deterministic: a peer is up once each side
// sent `connect` on the current link; a link the tie-break may still replace is not used; links
// replaced, closed or disconnected report nodedown exactly when nodeup was reported; a router
// attached late recovers the `connect` it missed; send never throws and counts what it drops.
import { describe, expect, it, vi } from 'vitest';
import type { DistMessage, RouterListener } from '../../src/runtime/distribution/remoteRouter.js';
import { silentLogger, type Logger } from '../../src/base/log.js';
import type { RuntimeItem } from '../../src/transport/distribution/runtimeItems.js';
import type {
  RuntimeLink,
  RuntimeLinkListener,
  RuntimeLinkSource,
} from '../../src/transport/distribution/runtimeLinks.js';
import {
  createWebSocketRouter,
  type WebSocketRouter,
} from '../../src/transport/distribution/webSocketRouter.js';
import { createWireStats } from '../../src/transport/wire/wireStats.js';

/** Items in flight between fake links, delivered by `deliver()`. */
const inFlight: Array<() => void> = [];

function deliver(): void {
  while (inFlight.length > 0) inFlight.shift()?.();
}

class FakeSource implements RuntimeLinkSource {
  readonly wireStats = createWireStats();
  readonly dialling = new Set<string>();
  listener: RuntimeLinkListener | null = null;
  private readonly links = new Map<string, FakeLink>();

  constructor(readonly nodeId: string) {}

  attachRuntime(listener: RuntimeLinkListener | null): void {
    this.listener = listener;
    if (listener) for (const link of this.links.values()) listener.linkUp(link);
  }

  isDialling(peer: string): boolean {
    return this.dialling.has(peer);
  }

  up(link: FakeLink): void {
    this.links.set(link.peerId, link);
    this.listener?.linkUp(link);
  }

  down(link: FakeLink): void {
    if (this.links.get(link.peerId) === link) this.links.delete(link.peerId);
    this.listener?.linkDown(link);
  }

  dialEnded(peer: string): void {
    this.dialling.delete(peer);
    this.listener?.dialEnded(peer);
  }
}

class FakeLink implements RuntimeLink {
  readonly sent: RuntimeItem[] = [];
  other: FakeLink | null = null;

  constructor(
    readonly owner: FakeSource,
    readonly peerId: string,
    readonly dialledBy: string,
  ) {}

  sendRuntime(item: RuntimeItem): boolean {
    this.sent.push(item);
    const other = this.other;
    if (other) inFlight.push(() => other.owner.listener?.receive(other, item));
    return true;
  }
}

/** A link between `a` and `b` dialled by `dialledBy`, reported up on both sides. */
function link(a: FakeSource, b: FakeSource, dialledBy: string): { ab: FakeLink; ba: FakeLink } {
  const ab = new FakeLink(a, b.nodeId, dialledBy);
  const ba = new FakeLink(b, a.nodeId, dialledBy);
  ab.other = ba;
  ba.other = ab;
  a.up(ab);
  b.up(ba);
  return { ab, ba };
}

function unlink({ ab, ba }: { ab: FakeLink; ba: FakeLink }): void {
  ab.owner.down(ab);
  ba.owner.down(ba);
}

interface Recorded {
  readonly events: string[];
  readonly messages: DistMessage[];
}

function recorder(router: WebSocketRouter): Recorded {
  const recorded: Recorded = { events: [], messages: [] };
  const listener: RouterListener = {
    message: (from, message) => {
      recorded.events.push(`message ${from} ${message.kind}`);
      recorded.messages.push(message);
    },
    nodeup: (node) => recorded.events.push(`nodeup ${node}`),
    nodedown: (node) => recorded.events.push(`nodedown ${node}`),
  };
  router.listen(listener);
  return recorded;
}

function pair() {
  const sa = new FakeSource('a');
  const sb = new FakeSource('b');
  const ra = createWebSocketRouter(sa);
  const rb = createWebSocketRouter(sb);
  return { sa, sb, ra, rb, seenByA: recorder(ra), seenByB: recorder(rb) };
}

const cast = { kind: 'cast', to: 'door', event: { type: 'button', digit: 1 } } as DistMessage;

describe('WebSocket router: when a peer is up', () => {
  it('is up once both sides sent connect on the link; messages flow; closing the link takes it down', () => {
    const { sa, sb, ra, rb, seenByA, seenByB } = pair();
    const l = link(sa, sb, 'a');
    expect(ra.isConnected('b')).toBe(false); // our connect is sent, theirs not yet here
    deliver();
    expect([ra.connectedNodes(), rb.connectedNodes()]).toEqual([['b'], ['a']]);
    ra.send('b', cast);
    deliver();
    expect(seenByB.messages).toEqual([cast]);
    unlink(l);
    expect(seenByA.events).toEqual(['nodeup b', 'nodedown b']);
    expect(seenByB.events).toEqual(['nodeup a', 'message a cast', 'nodedown a']);
    ra.send('b', cast);
    expect(sa.wireStats.runtimeDroppedNotUp).toBe(1);
  });

  it('the winner of the tie-break does not take the loser’s link while its own dial may replace it', () => {
    const { sa, sb, ra, rb, seenByA, seenByB } = pair();
    sa.dialling.add('b'); // a (the smaller id, which wins the tie-break) is dialling b
    const first = link(sa, sb, 'b');
    deliver();
    // b (the loser) will never replace the link and said so; a may, so it said nothing yet.
    expect(first.ba.sent).toEqual([{ kind: 'connect', reply: false }]);
    expect(first.ab.sent).toEqual([]);
    expect([ra.isConnected('b'), rb.isConnected('a')]).toEqual([false, false]);
    // a's dial completes: the tie-break replaces b's link with a's on both sides.
    unlink(first);
    const second = link(sa, sb, 'a');
    sa.dialEnded('b');
    first.ba.sendRuntime(cast); // a straggler on the replaced link
    deliver();
    expect(second.ab.sent).toEqual([{ kind: 'connect', reply: false }]);
    expect([ra.isConnected('b'), rb.isConnected('a')]).toEqual([true, true]);
    // No nodeup, hence no nodedown, for a link that was never used.
    expect(seenByA.events).toEqual(['nodeup b']);
    expect(seenByB.events).toEqual(['nodeup a']);
  });

  it('the winner takes the loser’s link once its own dial failed', () => {
    const { sa, sb, ra, rb } = pair();
    sa.dialling.add('b');
    link(sa, sb, 'b');
    deliver();
    expect(ra.isConnected('b')).toBe(false);
    sa.dialEnded('b');
    deliver();
    expect([ra.isConnected('b'), rb.isConnected('a')]).toEqual([true, true]);
  });

  it('a router attached after its link came up asks for the connect it missed, and gets it', () => {
    const sa = new FakeSource('a');
    const sb = new FakeSource('b');
    const ra = createWebSocketRouter(sa);
    const seenByA = recorder(ra);
    link(sa, sb, 'a');
    deliver(); // a's connect reaches b's transport, which has no router yet: lost
    expect(ra.isConnected('b')).toBe(false);
    const rb = createWebSocketRouter(sb); // sees the link as already up
    const seenByB = recorder(rb);
    deliver();
    expect([ra.isConnected('b'), rb.isConnected('a')]).toEqual([true, true]);
    expect(seenByA.events).toEqual(['nodeup b']);
    expect(seenByB.events).toEqual(['nodeup a']);
  });

  it('closing a router tells its peers, who see it go down; the link stays up for Paxos', async () => {
    const { sa, sb, ra, rb, seenByA, seenByB } = pair();
    link(sa, sb, 'a');
    deliver();
    await ra.close();
    deliver();
    expect(seenByA.events).toEqual(['nodeup b', 'nodedown b']);
    expect(seenByB.events).toEqual(['nodeup a', 'nodedown a']);
    rb.send('a', cast);
    expect(sb.wireStats.runtimeDroppedNotUp).toBe(1);
    expect(sa.listener).toBeNull();
  });

  it('a runtime message before connect is ignored (a correct peer never sends one)', () => {
    const { sa, sb, rb, seenByB } = pair();
    sa.dialling.add('b');
    const { ab } = link(sa, sb, 'b');
    ab.sendRuntime(cast);
    deliver();
    expect(rb.isConnected('a')).toBe(false);
    expect(seenByB.messages).toEqual([]);
  });
});

describe('WebSocket router: send', () => {
  it('never throws, and counts what cannot travel instead of sending it', () => {
    const warn = vi.fn();
    const logger: Logger = { ...silentLogger, warn };
    const sa = new FakeSource('a');
    const sb = new FakeSource('b');
    const ra = createWebSocketRouter(sa, { logger });
    createWebSocketRouter(sb);
    const { ab } = link(sa, sb, 'a');
    deliver();
    ra.send('b', { kind: 'cast', to: 'door', event: { type: 'x', at: new Date(0) } } as DistMessage);
    ra.send('b', { kind: 'reply', callId: 1, reply: () => 1 });
    ra.send('nobody', cast);
    expect(ab.sent.map((item) => item.kind)).toEqual(['connect']);
    expect(sa.wireStats.runtimeDroppedUnsendable).toBe(2);
    expect(sa.wireStats.runtimeDroppedNotUp).toBe(1);
    expect(warn).toHaveBeenCalledWith(
      'runtime message not sent',
      expect.objectContaining({ code: 'WIRE_ERR_BAD_VALUE' }),
    );
  });

  it('a listener that throws is logged; the transport never sees it', () => {
    const error = vi.fn();
    const logger: Logger = { ...silentLogger, error };
    const sa = new FakeSource('a');
    const sb = new FakeSource('b');
    const ra = createWebSocketRouter(sa, { logger });
    createWebSocketRouter(sb);
    ra.listen({
      message: () => {},
      nodeup: () => {
        throw new Error('a watcher failed');
      },
      nodedown: () => {},
    });
    link(sa, sb, 'a');
    expect(() => deliver()).not.toThrow();
    expect(error).toHaveBeenCalledWith('actor runtime failed handling a link event', expect.anything());
  });
});
