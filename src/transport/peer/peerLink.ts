// An authenticated link to one peer node: batches outbound envelopes (outbox.ts) and checks
// every inbound envelope (validateMessage.ts, plus: `from` is the authenticated peer and `to`
// is this node) before it reaches the node. A bad envelope is counted, logged and dropped
// alone; the other envelopes of its batch, and so the other keys, are unaffected. Actor runtime
// messages travel in `runtime` frames of their own (runtimeItems.ts), batched and validated apart.
import { performance } from 'node:perf_hooks';
import type { Envelope } from '../../paxos/messages.js';
import type { Connection, PeerIdentity } from '../wire/connection.js';
import { PROTOCOL_VERSION } from '../wire/frames.js';
import type { Logger } from '../../base/log.js';
import type { LinkLimits, Outbox } from '../wire/outbox.js';
import type { RuntimeLink } from '../distribution/runtimeLinks.js';
import type { RuntimeItem } from '../distribution/runtimeItems.js';
import type { InboundFrame } from '../wire/validateFrame.js';
import { validateEnvelope } from '../wire/validateMessage.js';
import { validateRuntimeItem } from '../distribution/validateRuntime.js';
import { WIRE_ERROR_CODES, problem } from '../wire/wireErrors.js';
import type { WireStats } from '../wire/wireStats.js';

export class PeerLink implements RuntimeLink {
  readonly outbox: Outbox<Envelope>;
  readonly runtimeOutbox: Outbox<RuntimeItem>;
  readonly upSinceMs = performance.now();
  /** Where validated runtime items go (the transport sets it); without it they are dropped. */
  onRuntime: ((item: RuntimeItem) => void) | null = null;
  /** The configuration this node runs under, stamped on every batch (the transport sets it). */
  ownConfig: () => number | undefined = () => undefined;
  /** Hears the peer's configuration each time its batches announce another one (the transport sets it). */
  onPeerConfig: ((cfg: number) => void) | null = null;
  /** The configuration the peer announced last: at the handshake, then on its batches. */
  private peerConfig: number | undefined;

  constructor(
    readonly conn: Connection,
    readonly peer: PeerIdentity,
    /** The node that opened this link: the tie-break keeps the link dialled by the smaller id. */
    readonly dialledBy: string,
    private readonly self: string,
    limits: LinkLimits,
    private readonly deliver: (envelope: Envelope) => void,
    private readonly stats: WireStats,
    private readonly logger: Logger,
  ) {
    this.outbox = conn.outbox<Envelope>((envelopes) => {
      const cfg = this.ownConfig();
      return cfg === undefined
        ? { v: PROTOCOL_VERSION, t: 'batch', envelopes }
        : { v: PROTOCOL_VERSION, t: 'batch', cfg, envelopes };
    }, limits);
    this.peerConfig = peer.cfg;
    this.runtimeOutbox = conn.outbox<RuntimeItem>(
      (messages) => ({ v: PROTOCOL_VERSION, t: 'runtime', messages }),
      limits,
    );
    conn.onFrame((frame) => this.receive(frame));
  }

  get peerId(): string {
    return this.peer.id;
  }

  sendRuntime(item: RuntimeItem): boolean {
    const queued = this.runtimeOutbox.push(item);
    if (queued) this.stats.runtimeItemsSent++;
    return queued;
  }

  private receive(frame: InboundFrame): void {
    if (frame.t === 'runtime') {
      this.receiveRuntime(frame.messages);
      return;
    }
    if (frame.t !== 'batch') {
      this.conn.fail(problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `a ${frame.t} frame on a peer link`));
      return;
    }
    if (frame.cfg !== undefined && frame.cfg !== this.peerConfig) {
      this.peerConfig = frame.cfg;
      this.onPeerConfig?.(frame.cfg);
    }
    for (const raw of frame.envelopes) {
      this.stats.itemsReceived++;
      const checked = validateEnvelope(raw);
      if (!checked.ok) {
        this.conn.record(checked.problem);
        continue;
      }
      const envelope = checked.value;
      if (envelope.from !== this.peer.id || envelope.to !== this.self) {
        this.conn.record(
          problem(
            WIRE_ERROR_CODES.SPOOFED,
            `envelope ${envelope.from} → ${envelope.to} on the link ${this.peer.id} → ${this.self}`,
          ),
        );
        continue;
      }
      this.stats.envelopesReceived++;
      try {
        this.deliver(envelope);
      } catch (error) {
        // The node's receiver must not throw; if it does, lose this message, not the link.
        this.logger.error('delivering an envelope failed', { peer: this.peer.id, key: envelope.key, error });
      }
    }
  }

  private receiveRuntime(messages: readonly unknown[]): void {
    for (const raw of messages) {
      this.stats.itemsReceived++;
      const checked = validateRuntimeItem(raw);
      if (!checked.ok) {
        this.conn.record(checked.problem);
        continue;
      }
      this.stats.runtimeItemsReceived++;
      try {
        this.onRuntime?.(checked.value);
      } catch (error) {
        // As for envelopes: a fault of the receiver loses this message, not the link.
        this.logger.error('delivering a runtime message failed', { peer: this.peer.id, error });
      }
    }
  }
}
