// The client of the client protocol: a program that is not a cluster member connects to one of
// the cluster's nodes (its endpoints, tried in order until one answers), authenticates with the
// client credential (role `client`), and asks / reads keys through it. When that node goes away,
// the requests waiting on it fail (an ask's outcome is then unknown) and the next request fails
// over to the next endpoint that answers. Errors keep their codes (clientConnection.ts).
import { randomBytes } from 'node:crypto';
import { ERROR_CODES, GenPaxosError } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';
import type { PaxosValue } from '../../paxos/messages.js';
import { checkKey, checkValue } from '../../paxos/validate.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  type LinkFaultSpec,
  type ReleaseHow,
  type NodeStatus,
  NO_LINK_FAULTS,
} from '../wire/frames.js';
import { checkedName, checkedPositive, checkedSecret } from '../wire/optionChecks.js';
import { WIRE_ERROR_CODES, WireError, type WireErrorCode } from '../wire/wireErrors.js';
import { createWireStats, type WireStats } from '../wire/wireStats.js';
import { OwnerRoutes } from './ownerRoutes.js';
import {
  MAX_CHANGE_TIMEOUT_MS,
  type ClientReply,
  type ClientRequest,
  type MembersReport,
  type NewMember,
} from './memberRequests.js';
import {
  openClientConnection,
  type ClientConnection,
  type ConnectionSettings,
  type RequestInfo,
} from './clientConnection.js';

export interface ClientOptions {
  /**
   * A client secret, one of those the nodes were given (`clientSecrets`, `--client-secret-file`).
   * It opens client sessions only: it can never act as a member.
   */
  readonly secret: string | Uint8Array;
  readonly cluster: string;
  /** How this client introduces itself (logs only). Default `client-<random>`. */
  readonly name?: string;
  /** Certificates to trust for `wss://` (PEM), for self-signed clusters. */
  readonly ca?: string | Buffer;
  /** How long one endpoint may take to answer before the next is tried. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Deadline of `read` and `status`, and the slack added to an ask's own timeout. Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  readonly maxFrameBytes?: number;
  readonly logger?: Logger;
  /**
   * With several endpoints: keep a connection to each node and send each ask straight to its key's
   * owner when that connection is up (no forward hop), any other request and any other ask through
   * the main connection. Default true; it only matters with more than one endpoint.
   */
  readonly routeAsks?: boolean;
}

export interface MemberChangeOptions {
  /**
   * How long the node waits for the change to complete, 1 to 600 000 ms (default 60 000): after
   * it, PAXOS_ERR_CHANGE_INCOMPLETE (decided, the transition continues by itself) or
   * PAXOS_ERR_TIMEOUT (not decided yet: it may still be).
   */
  readonly timeoutMs?: number;
}

export interface AskRequestOptions {
  /** The node's ask timeout (PAXOS_ERR_TIMEOUT after it); at most 60 000. Default: the node's. */
  readonly timeoutMs?: number;
}

/** Codes that say "this endpoint, not the cluster": the next endpoint may do better. */
const REFUSALS: readonly WireErrorCode[] = [
  WIRE_ERROR_CODES.AUTH_FAILED,
  WIRE_ERROR_CODES.WRONG_CLUSTER,
  WIRE_ERROR_CODES.BAD_VERSION,
  WIRE_ERROR_CODES.BUSY,
];

/** A client of a cluster, connected to one of its endpoints at a time. */
export class GenPaxosClient {
  /** Counters of the wire layer, over every connection this client opened. */
  readonly stats: WireStats;
  private reconnecting: Promise<ClientConnection> | null = null;
  private closed = false;
  /** Connections to every endpoint, to send asks to their keys' owners (ownerRoutes.ts). */
  private readonly routes: OwnerRoutes | null;

  /** @internal use `connectClient`. */
  constructor(
    private connection: ClientConnection,
    /** Every endpoint, in the order given. */
    readonly endpoints: readonly string[],
    private readonly settings: ConnectionSettings,
    routeAsks = true,
  ) {
    this.stats = settings.stats;
    this.routes = routeAsks && endpoints.length > 1 ? new OwnerRoutes(endpoints, settings, connection) : null;
    void this.learnMembers(connection);
  }

  /**
   * Resolves once every endpoint was tried and the members (which owners are computed over) are
   * known, so that asks from now on go to their owners; at once without routing. Asks made before
   * are served too, through the main connection.
   */
  async routed(): Promise<void> {
    if (this.routes === null) return;
    await this.routes.firstAttempts;
    for (let tries = 0; tries < 3 && !this.routes.membersKnown && !this.closed; tries++)
      await this.learnMembers(await this.current());
  }

  /** The id of the node this client talks to now. */
  get node(): string {
    return this.connection.node;
  }

  /** The endpoint this client talks to now. */
  get endpoint(): string {
    return this.connection.url;
  }

  /**
   * Asks the cluster, through the node this client talks to, to decide `value` for `key`; resolves
   * with the decided value (which is `value` only if this ask won). If the connection is lost
   * while waiting, it rejects with WIRE_ERR_CONNECTION_CLOSED and the outcome is unknown: asking
   * again (the same key, any value) returns the decision once there is one.
   *
   * @example
   * const client = await connectClient(['ws://10.0.0.1:7001', 'ws://10.0.0.2:7001'], { secret, cluster: 'demo' });
   * const decided = await client.ask('leader', 'me');
   */
  async ask(key: string, value: PaxosValue, options: AskRequestOptions = {}): Promise<PaxosValue> {
    const keyProblem = checkKey(key);
    if (keyProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, keyProblem);
    const valueProblem = value === undefined ? 'value must not be undefined' : checkValue(value);
    if (valueProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_VALUE, valueProblem);
    const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
    const deadlineMs = (options.timeoutMs ?? this.settings.requestTimeoutMs) + this.settings.requestTimeoutMs;
    const build = (id: number): ClientRequest => ({ id, type: 'ask', key, value, ...timeout });
    const reply = await this.requestOfKey(key, build, { type: 'ask', key }, deadlineMs);
    if (reply.type !== 'decided') throw unexpected(reply);
    return reply.value;
  }

  /**
   * The value `key` is decided to, or `undefined` (docs/membership.md §8.1). Default: as the node
   * that answers knows it — the key's owner when this client routes (several endpoints), as its
   * asks go there, else the node this client is connected to (read-your-writes for asks through
   * this client either way). With `{ quorum: true }`: linearizable — the decided value, or
   * `undefined` only if no value can have been chosen when the read started; it costs the node a
   * round trip to the members.
   */
  async read(key: string, options: { readonly quorum?: boolean } = {}): Promise<PaxosValue | undefined> {
    const keyProblem = checkKey(key);
    if (keyProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, keyProblem);
    const quorum = options.quorum === true ? { quorum: true } : {};
    // The owner decided the key if this client asked it: it knows at once, where another member
    // may learn it only from the owner's decide, which may ride a later frame (lazy decides).
    const reply = await this.requestOfKey(key, (id) => ({ id, type: 'read', key, ...quorum }), {
      type: 'read',
      key,
    });
    if (reply.type !== 'read') throw unexpected(reply);
    return reply.decided ? (reply.value as PaxosValue) : undefined;
  }

  /** The node's members, links (with why each down link is down) and counters. */
  async status(): Promise<NodeStatus> {
    const reply = await this.request((id) => ({ id, type: 'status' }), { type: 'status' });
    if (reply.type !== 'status') throw unexpected(reply);
    return reply.status;
  }

  /**
   * The group's members as the node this client talks to knows them (docs/membership.md §13.1):
   * its newest configuration, each member's URL, whether it votes or is leaving, the node's link
   * to it, and whether the node itself is caught up.
   */
  async members(): Promise<MembersReport> {
    const reply = await this.request((id) => ({ id, type: 'members' }), { type: 'members' });
    if (reply.type !== 'members') throw unexpected(reply);
    return reply.members;
  }

  /**
   * Adds a member (docs/membership.md §6): resolves with the new configuration once the change is
   * complete. Start the new member afterwards (or before) with `gen-paxos node --join`; the
   * change does not wait for it. Refusals keep their codes: PAXOS_ERR_MEMBER_EXISTS,
   * _CHANGE_IN_PROGRESS, _UNSAFE_CHANGE, _CHANGE_CONFLICT; PAXOS_ERR_CHANGE_INCOMPLETE when
   * decided but not complete in time.
   *
   * @example
   * await client.addMember({ id: 'd', url: 'wss://10.0.0.4:7001' });
   */
  async addMember(member: NewMember, options: MemberChangeOptions = {}): Promise<MembersReport> {
    return this.change({ add: checkedMember(member) }, options);
  }

  /** Removes member `id`; resolves once the change is complete (as `addMember`). */
  async removeMember(id: string, options: MemberChangeOptions = {}): Promise<MembersReport> {
    return this.change({ remove: checkedId(id, 'id') }, options);
  }

  /**
   * Replaces member `oldId` with a new one in one change (the way to replace a machine that lost
   * its data: the new member has a new id). Resolves once the change is complete.
   *
   * @example
   * await client.replaceMember('c', { id: 'f', url: 'wss://10.0.0.5:7001' });
   */
  async replaceMember(
    oldId: string,
    member: NewMember,
    options: MemberChangeOptions = {},
  ): Promise<MembersReport> {
    return this.change({ remove: checkedId(oldId, 'oldId'), add: checkedMember(member) }, options);
  }

  private async change(
    change: { readonly add?: NewMember; readonly remove?: string },
    options: MemberChangeOptions,
  ): Promise<MembersReport> {
    const timeoutMs = options.timeoutMs;
    if (
      timeoutMs !== undefined &&
      !(Number.isSafeInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= MAX_CHANGE_TIMEOUT_MS)
    )
      throw new GenPaxosError(
        ERROR_CODES.BAD_OPTION,
        `timeoutMs must be an integer from 1 to ${MAX_CHANGE_TIMEOUT_MS}, got ${String(timeoutMs)}`,
      );
    const timeout = timeoutMs === undefined ? {} : { timeoutMs };
    // The node answers by its own deadline (CHANGE_INCOMPLETE); this one only catches a silent node.
    const deadlineMs = (timeoutMs ?? DEFAULT_CHANGE_TIMEOUT_MS) + this.settings.requestTimeoutMs;
    const reply = await this.request(
      (id) => ({ id, type: 'change', ...change, ...timeout }),
      { type: 'change' },
      deadlineMs,
    );
    if (reply.type !== 'members') throw unexpected(reply);
    return reply.members;
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
    const reply = await this.request((id) => ({ id, type: 'faults', faults: spec }), { type: 'faults' });
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
    const reply = await this.request((id) => ({ id, type: 'release', held, how }), { type: 'release' });
    if (reply.type !== 'release') throw unexpected(reply);
    return reply.released;
  }

  /** Closes the connection; requests still waiting reject with WIRE_ERR_CONNECTION_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.connection.close(), this.routes?.close()]);
  }

  /** Asks `connection`'s node for the members, for routing; a failure leaves routing off for now. */
  private async learnMembers(connection: ClientConnection): Promise<void> {
    if (this.routes === null) return;
    try {
      const reply = await connection.request(
        (id) => ({ id, type: 'status' }),
        { type: 'status' },
        this.settings.requestTimeoutMs,
      );
      if (reply.type === 'status') this.routes.learnMembers(reply.status.members);
    } catch (error) {
      this.settings.logger.debug('members unknown, asks not routed yet', { error: (error as Error).message });
    }
  }

  private async request(
    build: (id: number) => ClientRequest,
    info: RequestInfo,
    deadlineMs = this.settings.requestTimeoutMs,
  ): Promise<ClientReply> {
    return (await this.current()).request(build, info, deadlineMs);
  }

  /** A request about `key`: to its owner when this client routes and that link is open, else as `request`. */
  private async requestOfKey(
    key: string,
    build: (id: number) => ClientRequest,
    info: RequestInfo,
    deadlineMs = this.settings.requestTimeoutMs,
  ): Promise<ClientReply> {
    const owner = this.routes?.linkFor(key);
    return owner ? owner.request(build, info, deadlineMs) : this.request(build, info, deadlineMs);
  }

  /** The open connection, or a new one to the next endpoint that answers (failover). */
  private current(): Promise<ClientConnection> {
    if (this.connection.isOpen || this.closed) return Promise.resolve(this.connection);
    this.reconnecting ??= (async () => {
      try {
        // Start after the endpoint that went away; it comes last, in case it is back already.
        const from = this.endpoints.indexOf(this.connection.url) + 1;
        const order = [...this.endpoints.slice(from), ...this.endpoints.slice(0, from)];
        this.connection = await connectFirst(order, this.settings);
        this.routes?.adopt(this.connection);
        void this.learnMembers(this.connection);
        return this.connection;
      } finally {
        this.reconnecting = null;
      }
    })();
    return this.reconnecting;
  }
}

/**
 * Opens an authenticated client connection to the first of `endpoints` (`ws://` or `wss://`
 * URLs, tried in order) that answers. Rejects with a WireError naming each endpoint's failure:
 * the code of a refusal if any endpoint refused (wrong secret, cluster…), else
 * WIRE_ERR_CONNECT_FAILED.
 *
 * @example
 * const client = await connectClient(['ws://10.0.0.1:7001', 'ws://10.0.0.2:7001'], {
 *   secret: readFileSync('client.secret', 'utf8').trim(),
 *   cluster: 'prod',
 * });
 */
export async function connectClient(
  endpoints: string | readonly string[],
  options: ClientOptions,
): Promise<GenPaxosClient> {
  const urls = typeof endpoints === 'string' ? [endpoints] : endpoints;
  // Checked here, so that a missing cluster or secret is not reported by the node as a
  // malformed or unverifiable hello.
  if (!Array.isArray(urls) || urls.length === 0)
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'connectClient needs at least one endpoint URL');
  for (const url of urls)
    if (typeof url !== 'string' || !/^wss?:\/\/[^/\s]+/.test(url))
      throw new GenPaxosError(
        ERROR_CODES.BAD_OPTION,
        `url must be ws:// or wss://, got ${JSON.stringify(url)}`,
      );
  if (typeof options !== 'object' || options === null)
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'connectClient needs { secret, cluster }');
  const settings: ConnectionSettings = {
    secret: checkedSecret(options.secret),
    cluster: checkedName(options.cluster, 'cluster'),
    name: checkedName(options.name ?? `client-${randomBytes(4).toString('hex')}`, 'name'),
    incarnation: randomBytes(8).toString('hex'),
    ca: options.ca,
    connectTimeoutMs: checkedPositive(options.connectTimeoutMs, 5000, 'connectTimeoutMs'),
    requestTimeoutMs: checkedPositive(options.requestTimeoutMs, 10_000, 'requestTimeoutMs'),
    maxFrameBytes: checkedPositive(options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES, 'maxFrameBytes'),
    logger: options.logger ?? silentLogger,
    stats: createWireStats(),
  };
  return new GenPaxosClient(
    await connectFirst(urls, settings),
    [...urls],
    settings,
    options.routeAsks ?? true,
  );
}

async function connectFirst(
  urls: readonly string[],
  settings: ConnectionSettings,
): Promise<ClientConnection> {
  const failures: WireError[] = [];
  for (const url of urls) {
    try {
      return await openClientConnection(url, settings);
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      settings.logger.debug('endpoint failed', { url, code: error.code, error: error.message });
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0] as WireError;
  const refusal = failures.find(
    (failure) => REFUSALS.includes(failure.code) || failure.code.endsWith('REFUSED'),
  );
  const code = refusal?.code ?? WIRE_ERROR_CODES.CONNECT_FAILED;
  throw new WireError(
    code,
    `none of the ${urls.length} endpoints answered: ${failures.map((failure) => failure.message).join('; ')}`,
  );
}

/** The node's default wait for a change (node/membership/changeMembers.ts). */
const DEFAULT_CHANGE_TIMEOUT_MS = 60_000;

function checkedId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 128)
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, `${what} must be a member id of 1 to 128 characters`);
  return id;
}

function checkedMember(member: NewMember): NewMember {
  if (typeof member !== 'object' || member === null)
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'a new member is { id, url }');
  const url = member.url;
  if (typeof url !== 'string' || !/^wss?:\/\/[^/\s]+/.test(url))
    throw new GenPaxosError(
      ERROR_CODES.BAD_OPTION,
      `the new member's url must be ws:// or wss://, got ${JSON.stringify(url)}`,
    );
  return { id: checkedId(member.id, "the new member's id"), url };
}

function unexpected(reply: ClientReply): WireError {
  return new WireError(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `unexpected ${reply.type} reply`);
}
