// The client sessions of one node: at most `maxClients` at once, the node-wide count of requests
// in flight that their admission control shares (clientSession.ts), and the handler that serves
// them. The transport hands over each authenticated client connection here.
import type { Connection, PeerIdentity } from '../wire/connection.js';
import type { Logger } from '../../base/log.js';
import type { LinkLimits } from '../wire/outbox.js';
import { WIRE_ERROR_CODES, problem, type WireProblem } from '../wire/wireErrors.js';
import type { WireStats } from '../wire/wireStats.js';
import {
  ClientSession,
  type AdmissionLimits,
  type ClientRequestHandler,
  type NodeAdmission,
} from './clientSession.js';

/** The bounds, named as in the transport's options (transportOptions.ts has the defaults). */
export interface ClientSessionLimits extends Omit<AdmissionLimits, 'retryAfterMs'> {
  readonly maxClients: number;
  /** Client requests in flight on this node, all sessions together. */
  readonly maxNodeRequestsInFlight: number;
  /** The hint sent with WIRE_ERR_BUSY. */
  readonly busyRetryAfterMs: number;
}

export class ClientSessions {
  private readonly sessions = new Set<ClientSession>();
  private readonly admission: NodeAdmission;
  private handler: ClientRequestHandler | null = null;

  constructor(
    private readonly limits: ClientSessionLimits,
    private readonly linkLimits: LinkLimits,
    private readonly stats: WireStats,
    private readonly logger: Logger,
  ) {
    this.admission = { inFlight: 0, maxInFlight: limits.maxNodeRequestsInFlight };
  }

  /** Serves the sessions' requests with `handler` (until then they are refused). */
  serve(handler: ClientRequestHandler): void {
    this.handler = handler;
  }

  get size(): number {
    return this.sessions.size;
  }

  connections(): Connection[] {
    return [...this.sessions].map((session) => session.conn);
  }

  /** Opens a session on an authenticated connection, or says why not (WIRE_ERR_BUSY). */
  admit(conn: Connection, client: PeerIdentity): WireProblem | null {
    if (this.sessions.size >= this.limits.maxClients)
      return problem(WIRE_ERROR_CODES.BUSY, `${this.sessions.size} clients connected`);
    const session = new ClientSession(
      conn,
      client,
      () => this.handler,
      this.linkLimits,
      {
        maxRequestsInFlight: this.limits.maxRequestsInFlight,
        maxBytesInFlight: this.limits.maxBytesInFlight,
        retryAfterMs: this.limits.busyRetryAfterMs,
      },
      this.admission,
      this.stats,
      this.logger,
    );
    this.sessions.add(session);
    this.logger.debug('client connected', { client: client.id, remote: conn.remote });
    void conn.closed.then(() => {
      session.close();
      this.sessions.delete(session);
    });
    return null;
  }
}
