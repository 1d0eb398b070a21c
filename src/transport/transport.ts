// The transport interface: how a node's envelopes reach its peers. Delivery is best effort;
// Paxos tolerates loss, duplication and reordering, so `send` never fails loudly.
import type { Configuration } from '../paxos/config.js';
import type { Envelope } from '../paxos/messages.js';

/**
 * The group as a node's configuration has it (docs/membership.md §5): what a transport whose
 * links follow the configuration needs. The node computes it at every adoption.
 */
export interface TransportMembership {
  /** The newest configuration the node adopted; null while a joining node has none. */
  readonly configuration: Configuration | null;
  /**
   * The peers to keep links with, this node excluded: the voters of the newest configuration,
   * and the previous voters while its transition runs; with their URLs where the chain has them.
   */
  readonly peers: Readonly<Record<string, string | null>>;
  /** Former members no longer linked, each with the configuration that removed it. */
  readonly removed: Readonly<Record<string, number>>;
}

export interface SendOptions {
  readonly lazy?: boolean;
}

export interface Transport {
  /** The node this transport belongs to: the `from` of everything it sends. */
  readonly nodeId: string;
  /**
   * Queues `envelope` for its `to`. Never throws for an unreachable peer: the message is lost.
   * `lazy`: no member is known to wait for it (paxos/effects.ts `BroadcastEffect.lazy`); a
   * transport that batches may hold it briefly for a frame it sends anyway. Others send it like
   * any envelope.
   */
  send(envelope: Envelope, options?: SendOptions): void;
  /** Sets the one receiver of inbound envelopes. Envelopes arriving before it is set are dropped. */
  listen(receiver: (envelope: Envelope) => void): void;
  /** Stops sending and receiving. */
  close(): Promise<void>;
  /** Counters for metrics: messages by fate, links up. Optional. */
  stats?(): TransportStats;
  /**
   * False when this node knows `peer` cannot be reached now (no link to it); a transport that
   * cannot tell leaves it out. A hint for routing only: a message to a peer said to be up may
   * still be lost, and nothing may rely on one said to be down not receiving it.
   */
  isLinkUp?(peer: string): boolean;
  /**
   * The members this transport was started with, this node included, when it has a list (a
   * WebSocket transport is configured with its peers; the in-memory network connects anyone):
   * configuration 1. `startLink` refuses a node whose members differ from these (unless it joins).
   */
  readonly members?: readonly string[];
  /**
   * The node adopted a configuration: links now follow `membership` (new members dialled, links
   * to removed ones closed, the handshake's checks against it). A transport that connects anyone
   * (the in-memory network) leaves it out.
   */
  setMembership?(membership: TransportMembership): void;
  /**
   * Hears, for each link that comes up, the configuration number its peer announced (undefined:
   * a joining node without one), and again whenever the peer's frames announce another number
   * (§5.1), so the node can fetch a newer chain or send its own (§5.3). One listener.
   */
  onPeerConfig?(listener: (peer: string, cfg: number | undefined) => void): void;
}

export interface TransportStats {
  readonly messagesSent: number;
  readonly messagesReceived: number;
  /** Messages this node meant to send that were lost on its side, by reason (peer down, backpressure…). */
  readonly messagesDropped: Readonly<Record<string, number>>;
  /** Frames or messages refused on input, by error code. */
  readonly messagesRefused: Readonly<Record<string, number>>;
  /** Peers with a working link now. */
  readonly linksUp: number;
}
