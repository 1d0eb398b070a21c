// One authenticated client connection to one node (role `client`): requests carry ids, replies
// may arrive in any order. Errors keep their codes: PAXOS_ERR_* from the node as GenPaxosError,
// WIRE_ERR_* as WireError. A connection lost under a waiting ask says the outcome is unknown.
// client.ts builds the public client, with failover across endpoints, on top of this.
import { WebSocket } from 'ws';
import { errorFromInfo } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import { Connection } from '../wire/connection.js';
import { PROTOCOL_VERSION, type ClientRequest as BaseClientRequest } from '../wire/frames.js';
import { dialHandshake } from '../wire/handshakeSteps.js';
import type { Outbox } from '../wire/outbox.js';
import { WIRE_ERROR_CODES, WireError, codeOfCloseReason, problem } from '../wire/wireErrors.js';
import type { WireStats } from '../wire/wireStats.js';
import type { ClientReply, ClientRequest } from './memberRequests.js';
import { validateReply } from './validateRequest.js';

/** Options of every connection a client opens, checked once (client.ts). */
export interface ConnectionSettings {
  readonly secret: Uint8Array;
  readonly cluster: string;
  readonly name: string;
  readonly incarnation: string;
  readonly ca: string | Buffer | undefined;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly logger: Logger;
  readonly stats: WireStats;
}

/** What a request is, for the error that says what became of it. */
export interface RequestInfo {
  readonly type: ClientRequest['type'];
  readonly key?: string;
}

type Pending = {
  readonly info: RequestInfo;
  readonly resolve: (reply: ClientReply) => void;
  readonly reject: (error: Error) => void;
};

/** Appended to errors after which an ask may or may not have been decided. */
export const OUTCOME_UNKNOWN = 'the outcome is unknown: the value may still be decided';
/** Appended to errors after which a membership change may or may not have been decided. */
export const CHANGE_UNKNOWN =
  'the outcome is unknown: the change may still be decided and complete (look at gen-paxos member list)';

export class ClientConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly outbox: Outbox<ClientRequest>;
  private closedWith: { readonly code: number; readonly reason: string } | null = null;

  constructor(
    private readonly conn: Connection,
    /** The id of the node at the other end. */
    readonly node: string,
    /** The URL it was reached at. */
    readonly url: string,
  ) {
    this.outbox = conn.outbox<ClientRequest>(
      // The wire's frame type lists the base requests; membership ones travel the same way.
      (requests) => ({
        v: PROTOCOL_VERSION,
        t: 'requests',
        requests: requests as readonly BaseClientRequest[],
      }),
      { maxBufferedBytes: 64 * 1024 * 1024, maxQueuedItems: 100_000, maxItemsPerFrame: 1000 },
    );
    conn.onFrame((frame) => {
      if (frame.t !== 'replies') {
        conn.fail(problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `a ${frame.t} frame from a node to a client`));
        return;
      }
      for (const raw of frame.replies) {
        const reply = validateReply(raw);
        if (!reply.ok) {
          conn.record(reply.problem);
          continue;
        }
        this.pending.get(reply.value.id)?.resolve(reply.value);
      }
    });
    void conn.closed.then((closed) => {
      this.closedWith = closed;
      for (const waiting of this.pending.values()) waiting.reject(this.closedError(waiting.info));
    });
  }

  /** Resolves once the connection is closed, whoever closed it. */
  get whenClosed(): Promise<void> {
    return this.conn.closed.then(() => {});
  }

  get isOpen(): boolean {
    return this.closedWith === null && this.conn.isOpen;
  }

  /** Sends a request; resolves with its reply, rejects with its error, or when the connection goes. */
  request(build: (id: number) => ClientRequest, info: RequestInfo, deadlineMs: number): Promise<ClientReply> {
    if (this.closedWith !== null) return Promise.reject(this.closedError(info));
    const id = this.nextId++;
    return new Promise<ClientReply>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(id);
      };
      const timer = setTimeout(() => {
        settle();
        const unknown =
          info.type === 'ask' ? `; ${OUTCOME_UNKNOWN}` : info.type === 'change' ? `; ${CHANGE_UNKNOWN}` : '';
        reject(
          new WireError(
            WIRE_ERROR_CODES.REQUEST_TIMEOUT,
            `no reply from node ${this.node} within ${deadlineMs} ms${unknown}`,
          ),
        );
      }, deadlineMs);
      this.pending.set(id, {
        info,
        resolve: (reply) => {
          settle();
          if (reply.type === 'error') reject(errorOfReply(reply.code, reply.message, reply.retryAfterMs));
          else resolve(reply);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      if (!this.outbox.push(build(id))) {
        settle();
        reject(new WireError(WIRE_ERROR_CODES.BUSY, 'too many requests queued on this connection'));
      }
    });
  }

  /** Closes the connection; requests still waiting reject with WIRE_ERR_CONNECTION_CLOSED. */
  async close(): Promise<void> {
    this.conn.close(1000, 'client done');
    await this.conn.closed;
  }

  private closedError(info: RequestInfo): WireError {
    const { code, reason } = this.closedWith ?? { code: 1006, reason: '' };
    const how = `(code ${code}${reason ? `: ${reason}` : ''})`;
    const message =
      info.type === 'ask'
        ? `connection to node ${this.node} closed during the ask of ${JSON.stringify(info.key)} ${how}; ${OUTCOME_UNKNOWN}`
        : info.type === 'change'
          ? `connection to node ${this.node} closed during a membership change ${how}; ${CHANGE_UNKNOWN}`
          : `connection to node ${this.node} closed ${how}`;
    // A node that closes a session says why (WIRE_ERR_SLOW_CONSUMER, say): keep its code.
    return new WireError(codeOfCloseReason(reason) ?? WIRE_ERROR_CODES.CONNECTION_CLOSED, message);
  }
}

/** Opens and authenticates a connection to the node at `url`. Rejects with a WireError. */
export async function openClientConnection(
  url: string,
  settings: ConnectionSettings,
): Promise<ClientConnection> {
  let socket: WebSocket;
  try {
    socket = new WebSocket(url, {
      perMessageDeflate: false,
      maxPayload: settings.maxFrameBytes,
      handshakeTimeout: settings.connectTimeoutMs,
      ...(settings.ca ? { ca: settings.ca } : {}),
    });
  } catch (error) {
    throw new WireError(
      WIRE_ERROR_CODES.CONNECT_FAILED,
      `cannot connect to ${url}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const conn = new Connection(
    socket,
    'dialled',
    {
      maxFrameBytes: settings.maxFrameBytes,
      heartbeatIntervalMs: 2000,
      heartbeatTimeoutMs: 10_000,
      logger: settings.logger,
      stats: settings.stats,
    },
    url,
  );
  let socketError: Error | null = null;
  let opened = false;
  socket.once('error', (error) => (socketError = error));
  socket.once('open', () => (opened = true));
  // The handshake listens from now on: the node's challenge may arrive in the same tick as 'open'.
  const outcome = await dialHandshake(
    conn,
    {
      secret: settings.secret,
      cluster: settings.cluster,
      self: settings.name,
      role: 'client',
      incarnation: settings.incarnation,
      members: [],
    },
    null,
    null,
    settings.connectTimeoutMs,
    () => null,
  );
  if (!outcome.ok) {
    conn.terminate();
    if (!opened) {
      const why = (socketError as Error | null)?.message ?? outcome.problem.detail;
      throw new WireError(WIRE_ERROR_CODES.CONNECT_FAILED, `cannot connect to ${url}: ${why}`, {
        cause: socketError,
      });
    }
    throw new WireError(
      outcome.problem.code,
      `node at ${url} refused the connection: ${outcome.problem.code}: ${outcome.problem.detail}`,
    );
  }
  return new ClientConnection(conn, outcome.peer.id, url);
}

function errorOfReply(code: string, message: string, retryAfterMs: number | undefined): Error {
  if (code.startsWith('PAXOS_ERR_')) return errorFromInfo({ code, message });
  if ((Object.values(WIRE_ERROR_CODES) as string[]).includes(code))
    return new WireError(
      code as WireError['code'],
      message,
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
  return Object.assign(new Error(message), { code });
}
