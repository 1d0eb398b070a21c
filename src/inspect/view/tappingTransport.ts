// A transport decorator that reports every envelope the node sends and receives to its view
// feed, and passes everything through unchanged. It sits between the node and any fault
// injector, so a message the injector drops or delays is seen as sent and still in flight.
import type { Envelope } from '../../paxos/messages.js';
import type { SendOptions, Transport, TransportStats } from '../../transport/transport.js';

export interface EnvelopeTap {
  sent(envelope: Envelope): void;
  /** Before the node handles the envelope. */
  received(envelope: Envelope): void;
}

export class TappingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly tap: EnvelopeTap,
  ) {}

  get nodeId(): string {
    return this.inner.nodeId;
  }

  send(envelope: Envelope, options?: SendOptions): void {
    this.tap.sent(envelope);
    this.inner.send(envelope, options);
  }

  listen(receiver: (envelope: Envelope) => void): void {
    this.inner.listen((envelope) => {
      this.tap.received(envelope);
      receiver(envelope);
    });
  }

  isLinkUp(peer: string): boolean {
    return this.inner.isLinkUp?.(peer) ?? true;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  stats(): TransportStats {
    return (
      this.inner.stats?.() ?? {
        messagesSent: 0,
        messagesReceived: 0,
        messagesDropped: {},
        messagesRefused: {},
        linksUp: 0,
      }
    );
  }
}
