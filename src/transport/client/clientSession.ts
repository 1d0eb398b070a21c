// The node side of one authenticated client connection: validates each request
// (validateRequest.ts), admits it or refuses it at once, hands it to the node's request handler,
// and sends the replies back batched. A bad request is answered with an `error` reply carrying its
// code. Admission control (docs/security.md, "Overload"): a bound on requests in flight per
// session and per node, and on the bytes of values asked and not yet answered per session;
// excess gets WIRE_ERR_BUSY with `retryAfterMs` at once, never a queue. A client that does not
// read its replies is first not read from (its socket is paused while replies back up) and, if
// its backlog still passes the bound, closed with WIRE_ERR_SLOW_CONSUMER: a reply is never
// dropped silently.
import type { Connection, PeerIdentity } from '../wire/connection.js';
import { PROTOCOL_VERSION, type ClientReply as BaseClientReply } from '../wire/frames.js';
import type { ClientReply, ClientRequest } from './memberRequests.js';
import type { Logger } from '../../base/log.js';
import { measureValue } from '../../paxos/validate.js';
import type { LinkLimits, Outbox } from '../wire/outbox.js';
import type { InboundFrame } from '../wire/validateFrame.js';
import { validateRequest } from './validateRequest.js';
import { WIRE_ERROR_CODES, problem } from '../wire/wireErrors.js';
import type { WireStats } from '../wire/wireStats.js';

/** A reply without its request id (the session adds it). */
export type ClientReplyBody = ClientReply extends infer R
  ? R extends ClientReply
    ? Omit<R, 'id'>
    : never
  : never;

/** What the node does with a client's request. Rejections become `error` replies. */
export type ClientRequestHandler = (request: ClientRequest, client: PeerIdentity) => Promise<ClientReplyBody>;

/** The bounds of admission control (transportOptions.ts has the defaults). */
export interface AdmissionLimits {
  /** Requests of one session in flight at once. */
  readonly maxRequestsInFlight: number;
  /** Bytes of values asked by one session and not yet answered (one ask is always admitted). */
  readonly maxBytesInFlight: number;
  /** The hint sent with WIRE_ERR_BUSY. */
  readonly retryAfterMs: number;
}

/** The node-wide count, shared by its sessions. */
export interface NodeAdmission {
  inFlight: number;
  readonly maxInFlight: number;
}

/** A reply's size on the wire, near enough to bound a backlog: its value, plus room for the rest. */
function replyBytes(reply: ClientReply): number {
  if (reply.type === 'decided' || (reply.type === 'read' && reply.decided))
    return measureValue(reply.value).bytes + 128;
  return reply.type === 'status' || reply.type === 'members' ? 16 * 1024 : 256;
}

/** How often a paused session looks whether its replies drained. */
const DRAIN_POLL_MS = 20;

export class ClientSession {
  private readonly outbox: Outbox<ClientReply>;
  private inFlight = 0;
  private bytesInFlight = 0;
  private drainPoll: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  /** Bytes of replies pushed since the outbox last flushed (the socket has not counted them yet). */
  private queuedBytes = 0;

  constructor(
    readonly conn: Connection,
    readonly client: PeerIdentity,
    private readonly handler: () => ClientRequestHandler | null,
    private readonly limits: LinkLimits,
    private readonly admission: AdmissionLimits,
    private readonly node: NodeAdmission,
    private readonly stats: WireStats,
    private readonly logger: Logger,
  ) {
    this.outbox = conn.outbox<ClientReply>(
      // The wire's frame type lists the base replies; membership ones travel the same way.
      (replies) => ({ v: PROTOCOL_VERSION, t: 'replies', replies: replies as readonly BaseClientReply[] }),
      limits,
    );
    conn.onFrame((frame) => this.receive(frame));
  }

  close(): void {
    this.closed = true;
    this.outbox.close();
    if (this.drainPoll !== null) clearInterval(this.drainPoll);
    this.drainPoll = null;
  }

  private receive(frame: InboundFrame): void {
    if (frame.t !== 'requests') {
      this.conn.fail(problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `a ${frame.t} frame from a client`));
      return;
    }
    for (const raw of frame.requests) {
      this.stats.itemsReceived++;
      this.stats.clientRequests++;
      const checked = validateRequest(raw);
      if (!checked.ok) {
        this.conn.record(checked.problem);
        if (checked.id !== null)
          this.reply({
            id: checked.id,
            type: 'error',
            code: checked.problem.code,
            message: checked.problem.detail,
          });
        continue;
      }
      this.serve(checked.value);
    }
    this.pauseWhileBackedUp();
  }

  private serve(request: ClientRequest): void {
    const handler = this.handler();
    if (handler === null) {
      this.refuse(request.id, 'this node serves no client requests');
      return;
    }
    const bytes = request.type === 'ask' ? measureValue(request.value).bytes : 0;
    if (this.inFlight >= this.admission.maxRequestsInFlight) {
      this.refuse(request.id, `${this.inFlight} requests of this connection in flight`);
      return;
    }
    if (this.node.inFlight >= this.node.maxInFlight) {
      this.refuse(request.id, `${this.node.inFlight} client requests in flight on this node`);
      return;
    }
    if (this.inFlight > 0 && this.bytesInFlight + bytes > this.admission.maxBytesInFlight) {
      this.refuse(request.id, `${this.bytesInFlight} bytes of values in flight on this connection`);
      return;
    }
    this.inFlight++;
    this.bytesInFlight += bytes;
    this.node.inFlight++;
    const done = () => {
      this.inFlight--;
      this.bytesInFlight -= bytes;
      this.node.inFlight--;
    };
    handler(request, this.client).then(
      (body) => {
        done();
        // Object.assign, not `{ ...body, id }`: V8 copies a spread and then adds a key slowly (paxos/keyStep.ts).
        this.reply(Object.assign({}, body, { id: request.id }) as ClientReply);
      },
      (error: unknown) => {
        done();
        const { code, message } = error as { code?: unknown; message?: unknown };
        if (typeof code !== 'string')
          this.logger.error('client request failed', { request: request.type, error });
        this.reply({
          id: request.id,
          type: 'error',
          code: typeof code === 'string' ? code : 'PAXOS_ERR_INSTANCE_FAILED',
          message: typeof message === 'string' ? message : String(error),
        });
      },
    );
  }

  private refuse(id: number, why: string): void {
    this.stats.clientRequestsRefused++;
    this.reply({
      id,
      type: 'error',
      code: WIRE_ERROR_CODES.BUSY,
      message: `busy: ${why}; retry later`,
      retryAfterMs: this.admission.retryAfterMs,
    });
  }

  private reply(reply: ClientReply): void {
    if (this.closed) return;
    const bytes = replyBytes(reply);
    const backlog = this.conn.socket.bufferedAmount + this.queuedBytes + bytes;
    if (backlog <= this.limits.maxBufferedBytes || this.queuedBytes === 0) {
      if (this.queuedBytes === 0) setImmediate(() => (this.queuedBytes = 0)); // after the flush
      this.queuedBytes += bytes;
      if (this.outbox.push(reply)) return;
    }
    // More replies unsent than the bound although reading was paused: the client does not read
    // (or asked for more at once than it can take). Close with a code rather than drop this
    // reply without a word; the client sees the code, and its asks' outcomes are unknown.
    this.stats.slowClientsClosed++;
    this.outbox.flush(); // the replies that fit go out before the close frame
    this.close();
    this.conn.fail(
      problem(
        WIRE_ERROR_CODES.SLOW_CONSUMER,
        `more than ${this.limits.maxBufferedBytes} bytes of replies unread`,
      ),
    );
  }

  /** Stops reading requests while a quarter of the reply bound is unsent; resumes below an eighth. */
  private pauseWhileBackedUp(): void {
    const socket = this.conn.socket;
    const pauseAt = this.limits.maxBufferedBytes / 4;
    if (this.drainPoll !== null || socket.bufferedAmount + this.outbox.queued * 64 <= pauseAt) return;
    socket.pause();
    this.drainPoll = setInterval(() => {
      if (socket.bufferedAmount > pauseAt / 2) return;
      if (this.drainPoll !== null) clearInterval(this.drainPoll);
      this.drainPoll = null;
      if (!this.closed) socket.resume();
    }, DRAIN_POLL_MS);
    this.drainPoll.unref();
  }
}
