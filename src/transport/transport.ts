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
}
