// The transport's side of the actor runtime's traffic: it tells one listener (the WebSocket router,
// webSocketRouter.ts) which peer links come and go and when this node's dials end, and hands it
// the runtime items that passed validation. The router decides from these when a peer is up.
import type { RuntimeItem } from './runtimeItems.js';
import type { WireStats } from '../wire/wireStats.js';

/** A peer link as the router sees it. */
export interface RuntimeLink {
  readonly peerId: string;
  /** The node that dialled it: the tie-break never replaces a link dialled by the smaller id. */
  readonly dialledBy: string;
  /** Queues `item` for the link's next `runtime` frame; false if dropped (closed, backpressure). */
  sendRuntime(item: RuntimeItem): boolean;
}

export interface RuntimeLinkListener {
  /** A link to `link.peerId` is up (after its handshake; it may replace one reported down just before). */
  linkUp(link: RuntimeLink): void;
  /** The link closed, missed its heartbeats, or was replaced by the tie-break. */
  linkDown(link: RuntimeLink): void;
  /** A dial of this node to `peer` finished, whatever came of it. */
  dialEnded(peer: string): void;
  /** A validated runtime item arrived on `link`. */
  receive(link: RuntimeLink, item: RuntimeItem): void;
}

/** What the router needs from a transport (WebSocketTransport; a fake in tests). */
export interface RuntimeLinkSource {
  readonly nodeId: string;
  readonly wireStats: WireStats;
  /** Sets the one listener (null detaches); it is told at once of the links already up. */
  attachRuntime(listener: RuntimeLinkListener | null): void;
  /** Whether this node is dialling `peer` now. */
  isDialling(peer: string): boolean;
}

/** The bookkeeping WebSocketTransport delegates to. */
export class RuntimeLinks {
  private listener: RuntimeLinkListener | null = null;
  private readonly dials = new Map<string, number>();

  attach(listener: RuntimeLinkListener | null, linksUp: Iterable<RuntimeLink>): void {
    this.listener = listener;
    if (listener) for (const link of linksUp) listener.linkUp(link);
  }

  linkUp(link: RuntimeLink): void {
    this.listener?.linkUp(link);
  }

  linkDown(link: RuntimeLink): void {
    this.listener?.linkDown(link);
  }

  receive(link: RuntimeLink, item: RuntimeItem): void {
    this.listener?.receive(link, item);
  }

  dialStarted(peer: string): void {
    this.dials.set(peer, (this.dials.get(peer) ?? 0) + 1);
  }

  dialEnded(peer: string): void {
    const left = (this.dials.get(peer) ?? 1) - 1;
    if (left > 0) this.dials.set(peer, left);
    else this.dials.delete(peer);
    this.listener?.dialEnded(peer);
  }

  isDialling(peer: string): boolean {
    return this.dials.has(peer);
  }
}
