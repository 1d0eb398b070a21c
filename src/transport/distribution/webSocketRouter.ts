// The actor runtime's RemoteRouter over the cluster's authenticated WebSocket links: runtime
// messages ride the Paxos links in `runtime` frames (docs/wire-protocol.md), so runtime node names
// are the Paxos member ids. A peer is up once each side has told the other, on the current link,
// that it will not replace that link (`connect`); it is down when that link closes, misses its
// heartbeats, is replaced, or the peer's router closes (`disconnect`).
// Contract (remoteRouter.ts): `send` never throws and drops, counted, what it cannot deliver;
// `nodeup` / `nodedown` alternate per peer; nothing thrown by the runtime reaches the transport.
import type { DistMessage, RemoteRouter, RouterListener } from '../../runtime/distribution/remoteRouter.js';
import { winningDialler } from '../wire/handshake.js';
import { silentLogger, type Logger } from '../../base/log.js';
import { prepareRuntimeItem } from './prepareRuntimeItem.js';
import type { RuntimeLink, RuntimeLinkListener, RuntimeLinkSource } from './runtimeLinks.js';
import type { RuntimeItem } from './runtimeItems.js';

export interface WebSocketRouterOptions {
  /** Where dropped messages and listener faults are logged. Default: silent. */
  readonly logger?: Logger;
}

/** What this node knows of the runtime on its current link to one peer. */
interface PeerState {
  readonly link: RuntimeLink;
  /** We sent `connect` on this link: we will not replace it. */
  sent: boolean;
  /** The peer sent `connect` on this link. */
  got: boolean;
  /** Reported `nodeup` (sent and got), until `nodedown`. */
  up: boolean;
  /** The link was up before this router attached: the peer's `connect` may have been lost. */
  readonly attachedLate: boolean;
}

export class WebSocketRouter implements RemoteRouter {
  readonly node: string;
  private readonly peers = new Map<string, PeerState>();
  private readonly logger: Logger;
  private listener: RouterListener | null = null;
  private closed = false;
  private attaching = true;

  constructor(
    private readonly source: RuntimeLinkSource,
    options: WebSocketRouterOptions = {},
  ) {
    this.node = source.nodeId;
    this.logger = options.logger ?? silentLogger;
    const events: RuntimeLinkListener = {
      linkUp: (link) => this.guard('link up', () => this.linkUp(link)),
      linkDown: (link) => this.guard('link down', () => this.linkDown(link)),
      dialEnded: (peer) => this.guard('dial ended', () => this.offerConnect(peer)),
      receive: (link, item) => this.guard('runtime message', () => this.receive(link, item)),
    };
    source.attachRuntime(events); // reports the links already up, as attached late
    this.attaching = false;
  }

  send(to: string, message: DistMessage): void {
    const stats = this.source.wireStats;
    const state = this.peers.get(to);
    if (this.closed || !state?.up) {
      stats.runtimeDroppedNotUp++;
      return;
    }
    const prepared = prepareRuntimeItem(message);
    if (!prepared.ok) {
      // Not plain data (a function, a Date, undefined in an array…): it could not cross a wire.
      const count = ++stats.runtimeDroppedUnsendable;
      if (count <= 10 || (count & (count - 1)) === 0) {
        this.logger.warn('runtime message not sent', {
          peer: to,
          kind: message.kind,
          code: prepared.problem.code,
          detail: prepared.problem.detail,
          count,
        });
      }
      return;
    }
    state.link.sendRuntime(prepared.value); // backpressure drops are counted by the link
  }

  listen(listener: RouterListener): void {
    this.listener = listener;
  }

  isConnected(node: string): boolean {
    return this.peers.get(node)?.up === true;
  }

  connectedNodes(): string[] {
    return [...this.peers]
      .filter(([, state]) => state.up)
      .map(([peer]) => peer)
      .sort();
  }

  /**
   * Stops the runtime's traffic: peers are told (`disconnect`) and see this node go down, local
   * watchers see every peer go down. The links stay up for Paxos; they belong to the transport.
   */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.source.attachRuntime(null);
    const peers = [...this.peers];
    this.peers.clear();
    for (const [peer, state] of peers) {
      if (state.sent) state.link.sendRuntime({ kind: 'disconnect' });
      if (state.up) this.guard('nodedown', () => this.listener?.nodedown(peer));
    }
    return Promise.resolve();
  }

  private linkUp(link: RuntimeLink): void {
    if (this.closed) return;
    const previous = this.peers.get(link.peerId);
    if (previous) this.linkDown(previous.link); // the transport reports down first; be sure
    this.peers.set(link.peerId, { link, sent: false, got: false, up: false, attachedLate: this.attaching });
    this.offerConnect(link.peerId);
  }

  private linkDown(link: RuntimeLink): void {
    const state = this.peers.get(link.peerId);
    if (!state || state.link !== link) return;
    this.peers.delete(link.peerId);
    if (state.up) this.listener?.nodedown(link.peerId);
  }

  /** Sends our `connect` once we know we will not replace the link. */
  private offerConnect(peer: string): void {
    const state = this.peers.get(peer);
    if (this.closed || !state || state.sent || !this.willKeep(state.link)) return;
    state.sent = true;
    state.link.sendRuntime({ kind: 'connect', reply: state.attachedLate && !state.got });
    this.reportUp(peer, state);
  }

  /**
   * Only the winner of the tie-break (the smaller id) replaces links, and only with a dial of its own
   * that completes while the other node's link is up. So a link dialled by the winner is final; the
   * loser never replaces anything; the winner keeps the loser's link once it has no dial in flight
   * (and dials no more while a link is up: redialler.ts).
   */
  private willKeep(link: RuntimeLink): boolean {
    const winner = winningDialler(this.node, link.peerId);
    return link.dialledBy === winner || winner !== this.node || !this.source.isDialling(link.peerId);
  }

  private receive(link: RuntimeLink, item: RuntimeItem): void {
    const peer = link.peerId;
    const state = this.peers.get(peer);
    if (this.closed || !state || state.link !== link) return; // what was left on a replaced link
    switch (item.kind) {
      case 'connect':
        // Answer once if asked and ours went out already: the peer's router may not have heard it.
        if (item.reply && state.sent && !state.got) link.sendRuntime({ kind: 'connect', reply: false });
        state.got = true;
        this.reportUp(peer, state);
        return;
      case 'disconnect':
        state.got = false;
        if (state.up) {
          state.up = false;
          this.listener?.nodedown(peer);
        }
        return;
      default:
        // A correct peer sends only once it saw our `connect`, which precedes on the same link.
        if (state.up) this.listener?.message(peer, item);
    }
  }

  private reportUp(peer: string, state: PeerState): void {
    if (state.up || !state.sent || !state.got) return;
    state.up = true;
    this.listener?.nodeup(peer);
  }

  /** Runs `work` for the transport; a fault of the runtime is logged and goes no further. */
  private guard(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.logger.error('actor runtime failed handling a link event', { what, error });
    }
  }
}

/**
 * The actor runtime's router over `transport`'s links. Create it as soon as the transport is
 * started (startNetworkNode does), then give it to `createActorNode`.
 *
 * @example
 * const transport = await createWebSocketTransport({ nodeId: 'a', … });
 * const actors = createActorNode({ router: createWebSocketRouter(transport) });
 * actors.genFsm.sendEvent({ name: 'code_lock', node: 'b' }, { type: 'button', digit: 1 });
 */
export function createWebSocketRouter(
  transport: RuntimeLinkSource,
  options: WebSocketRouterOptions = {},
): WebSocketRouter {
  return new WebSocketRouter(transport, options);
}
