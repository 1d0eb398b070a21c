// The client of the client protocol: a program that is not a cluster member connects to any
// node, authenticates with the cluster secret (role `client`), and asks / reads keys through it.
// Requests carry ids; replies may arrive in any order. Errors keep their codes: PAXOS_ERR_*
// from the node as GenPaxosError, WIRE_ERR_* as WireError.
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { ERROR_CODES, GenPaxosError, errorFromInfo } from '../errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import { checkKey, checkValue } from '../paxos/validate.js';
import { Connection } from './connection.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type ClientReply,
  type ClientRequest,
  type LinkFaultSpec,
  type ReleaseHow,
  type NodeStatus,
  NO_LINK_FAULTS,
} from './frames.js';
import { dialHandshake } from './handshakeSteps.js';
import { checkedName, checkedPositive, checkedSecret } from './transportOptions.js';
import { silentLogger, type Logger } from './log.js';
import type { Outbox } from './outbox.js';
import { validateReply } from './validateRequest.js';
import { WIRE_ERROR_CODES, WireError, problem } from './wireErrors.js';
import { createWireStats, type WireStats } from './wireStats.js';

export interface ClientOptions {
  /** The cluster secret, as the nodes have it. */
  readonly secret: string | Uint8Array;
  readonly cluster: string;
  /** How this client introduces itself (logs only). Default `client-<random>`. */
  readonly name?: string;
  /** Certificates to trust for `wss://` (PEM), for self-signed clusters. */
  readonly ca?: string | Buffer;
  /** Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Deadline of `read` and `status`, and the slack added to an ask's own timeout. Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  readonly maxFrameBytes?: number;
  readonly logger?: Logger;
}

export interface AskRequestOptions {
  /** The node's ask timeout (PAXOS_ERR_TIMEOUT after it); at most 60 000. Default: the node's. */
  readonly timeoutMs?: number;
}

type Pending = {
  readonly resolve: (reply: ClientReply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
};

/** A connection to one node of a cluster. */
export class GenPaxosClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly outbox: Outbox<ClientRequest>;
  private closedError: WireError | null = null;

  /** @internal use `connectClient`. */
  constructor(
    private readonly conn: Connection,
    /** The id of the node this client talks to. */
    readonly node: string,
    private readonly requestTimeoutMs: number,
    readonly stats: WireStats,
  ) {
    this.outbox = conn.outbox<ClientRequest>(
      (requests) => ({ v: PROTOCOL_VERSION, t: 'requests', requests }),
      {
        maxBufferedBytes: 64 * 1024 * 1024,
        maxQueuedItems: 100_000,
        maxItemsPerFrame: 1000,
      },
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
    void conn.closed.then(({ code, reason }) => {
      this.closedError = new WireError(
        WIRE_ERROR_CODES.CONNECTION_CLOSED,
        `connection to node ${node} closed (code ${code}${reason ? `: ${reason}` : ''})`,
      );
      for (const waiting of this.pending.values()) waiting.reject(this.closedError);
    });
  }

  /**
   * Asks the cluster, through this node, to decide `value` for `key`; resolves with the
   * decided value (which is `value` only if this ask won).
   *
   * @example
   * const client = await connectClient('ws://127.0.0.1:7001', { secret, cluster: 'demo' });
   * const decided = await client.ask('leader', 'me');
   */
  async ask(key: string, value: PaxosValue, options: AskRequestOptions = {}): Promise<PaxosValue> {
    const keyProblem = checkKey(key);
    if (keyProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, keyProblem);
    const valueProblem = value === undefined ? 'value must not be undefined' : checkValue(value);
    if (valueProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_VALUE, valueProblem);
    const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
    const deadlineMs = (options.timeoutMs ?? this.requestTimeoutMs) + this.requestTimeoutMs;
    const reply = await this.request((id) => ({ id, type: 'ask', key, value, ...timeout }), deadlineMs);
    if (reply.type !== 'decided') throw unexpected(reply);
    return reply.value;
  }

  /** The value `key` is decided to on this node, or `undefined` if this node knows no decision. */
  async read(key: string): Promise<PaxosValue | undefined> {
    const keyProblem = checkKey(key);
    if (keyProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, keyProblem);
    const reply = await this.request((id) => ({ id, type: 'read', key }), this.requestTimeoutMs);
    if (reply.type !== 'read') throw unexpected(reply);
    return reply.decided ? (reply.value as PaxosValue) : undefined;
  }

  /** The node's members, links and counters. */
  async status(): Promise<NodeStatus> {
    const reply = await this.request((id) => ({ id, type: 'status' }), this.requestTimeoutMs);
    if (reply.type !== 'status') throw unexpected(reply);
    return reply.status;
  }

  /**
   * Sets the faults the node injects on its own links (replacing earlier ones); the node must run
   * with fault injection allowed. Resolves with the faults now in force.
   *
   * @example
   * await client.setFaults({ blockOut: ['b'], blockIn: ['b'] }); // cut this node from b
   * await client.setFaults({}); // heal
   */
  async setFaults(faults: Partial<LinkFaultSpec>): Promise<LinkFaultSpec> {
    const spec = { ...NO_LINK_FAULTS, ...faults };
    const reply = await this.request((id) => ({ id, type: 'faults', faults: spec }), this.requestTimeoutMs);
    if (reply.type !== 'faults') throw unexpected(reply);
    return reply.faults;
  }

  /**
   * Releases a message the node holds for delivery by hand (`setFaults({ hold: true })`), or
   * every one (`'all'`: deliver or drop): deliver it, drop it, or deliver a copy and keep holding
   * it. Resolves with how many were released (0: no such message is held).
   *
   * @example
   * await client.release(3, 'duplicate'); // a copy of held message 3 goes; 3 stays held
   * await client.release('all', 'deliver');
   */
  async release(held: number | 'all', how: ReleaseHow): Promise<number> {
    const reply = await this.request((id) => ({ id, type: 'release', held, how }), this.requestTimeoutMs);
    if (reply.type !== 'release') throw unexpected(reply);
    return reply.released;
  }

  /** Closes the connection; requests still waiting reject with WIRE_ERR_CONNECTION_CLOSED. */
  async close(): Promise<void> {
    this.conn.close(1000, 'client done');
    await this.conn.closed;
  }

  private request(build: (id: number) => ClientRequest, deadlineMs: number): Promise<ClientReply> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<ClientReply>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(id);
      };
      const timer = setTimeout(() => {
        settle();
        reject(
          new WireError(
            WIRE_ERROR_CODES.REQUEST_TIMEOUT,
            `no reply from node ${this.node} within ${deadlineMs} ms`,
          ),
        );
      }, deadlineMs);
      this.pending.set(id, {
        resolve: (reply) => {
          settle();
          if (reply.type === 'error') reject(errorOfReply(reply.code, reply.message));
          else resolve(reply);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        timer,
      });
      if (!this.outbox.push(build(id))) {
        settle();
        reject(new WireError(WIRE_ERROR_CODES.BUSY, 'too many requests queued on this connection'));
      }
    });
  }
}

/** Opens an authenticated client connection to the node at `url` (`ws://` or `wss://`). */
export async function connectClient(url: string, options: ClientOptions): Promise<GenPaxosClient> {
  // Checked here, so that a missing cluster or secret is not reported by the node as a
  // malformed or unverifiable hello.
  if (typeof url !== 'string' || !/^wss?:\/\/[^/\s]+/.test(url))
    throw new GenPaxosError(
      ERROR_CODES.BAD_OPTION,
      `url must be ws:// or wss://, got ${JSON.stringify(url)}`,
    );
  if (typeof options !== 'object' || options === null)
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'connectClient needs { secret, cluster }');
  const secret = checkedSecret(options.secret);
  const cluster = checkedName(options.cluster, 'cluster');
  const name = checkedName(options.name ?? `client-${randomBytes(4).toString('hex')}`, 'name');
  const connectTimeoutMs = checkedPositive(options.connectTimeoutMs, 5000, 'connectTimeoutMs');
  const maxFrameBytes = checkedPositive(options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES, 'maxFrameBytes');
  const requestTimeoutMs = checkedPositive(options.requestTimeoutMs, 10_000, 'requestTimeoutMs');
  const stats = createWireStats();
  let socket: WebSocket;
  try {
    socket = new WebSocket(url, {
      perMessageDeflate: false,
      maxPayload: maxFrameBytes,
      handshakeTimeout: connectTimeoutMs,
      ...(options.ca ? { ca: options.ca } : {}),
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
  const logger = options.logger ?? silentLogger;
  const conn = new Connection(
    socket,
    'dialled',
    { maxFrameBytes, heartbeatIntervalMs: 2000, heartbeatTimeoutMs: 10_000, logger, stats },
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
      secret,
      cluster,
      self: name,
      role: 'client',
      incarnation: randomBytes(8).toString('hex'),
      members: [],
    },
    null,
    connectTimeoutMs,
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
  return new GenPaxosClient(conn, outcome.peer.id, requestTimeoutMs, stats);
}

function errorOfReply(code: string, message: string): Error {
  if (code.startsWith('PAXOS_ERR_')) return errorFromInfo({ code, message });
  if ((Object.values(WIRE_ERROR_CODES) as string[]).includes(code))
    return new WireError(code as WireError['code'], message);
  return Object.assign(new Error(message), { code });
}

function unexpected(reply: ClientReply): WireError {
  return new WireError(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `unexpected ${reply.type} reply`);
}
