// The node side of one authenticated client connection: validates each request
// (validateRequest.ts), hands it to the node's request handler, and sends the replies back
// batched. A bad request is answered with an `error` reply carrying its code; a client with
// too many requests in flight gets WIRE_ERR_BUSY instead of unbounded queueing.
import type { Connection, PeerIdentity } from '../wire/connection.js';
import { PROTOCOL_VERSION, type ClientReply, type ClientRequest } from '../wire/frames.js';
import type { Logger } from '../../base/log.js';
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

export class ClientSession {
  private readonly outbox: Outbox<ClientReply>;
  private inFlight = 0;

  constructor(
    readonly conn: Connection,
    readonly client: PeerIdentity,
    private readonly handler: () => ClientRequestHandler | null,
    limits: LinkLimits,
    private readonly maxInFlight: number,
    private readonly stats: WireStats,
    private readonly logger: Logger,
  ) {
    this.outbox = conn.outbox<ClientReply>(
      (replies) => ({ v: PROTOCOL_VERSION, t: 'replies', replies }),
      limits,
    );
    conn.onFrame((frame) => this.receive(frame));
  }

  close(): void {
    this.outbox.close();
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
  }

  private serve(request: ClientRequest): void {
    const handler = this.handler();
    if (handler === null || this.inFlight >= this.maxInFlight) {
      const message =
        handler === null
          ? 'this node serves no client requests'
          : `more than ${this.maxInFlight} requests in flight`;
      this.reply({ id: request.id, type: 'error', code: WIRE_ERROR_CODES.BUSY, message });
      return;
    }
    this.inFlight++;
    handler(request, this.client).then(
      (body) => {
        this.inFlight--;
        this.reply({ ...body, id: request.id } as ClientReply);
      },
      (error: unknown) => {
        this.inFlight--;
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

  private reply(reply: ClientReply): void {
    this.outbox.push(reply);
  }
}
