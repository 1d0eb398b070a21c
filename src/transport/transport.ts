// The transport interface: how a node's envelopes reach its peers. Delivery is best effort;
// Paxos tolerates loss, duplication and reordering, so `send` never fails loudly.
import type { Envelope } from '../paxos/messages.js';

export interface Transport {
  /** The node this transport belongs to: the `from` of everything it sends. */
  readonly nodeId: string;
  /** Queues `envelope` for its `to`. Never throws for an unreachable peer: the message is lost. */
  send(envelope: Envelope): void;
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
   * Every member this transport links, this node included, when it knows them (a WebSocket
   * transport is configured with its peers; the in-memory network connects anyone). `startLink`
   * refuses a node whose members differ from these.
   */
  readonly members?: readonly string[];
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
