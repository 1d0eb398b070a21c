// The WebSocket transport: a node's `Transport` to its peers in other processes, plus the
// client protocol on the same port. One authenticated link per pair of nodes (both dial; the
// tie-break of handshake.ts keeps one), msgpack frames of batched envelopes, heartbeats,
// redial with jittered backoff, bounded buffers. Sends never fail loudly: an envelope for a
// peer without a link is dropped and counted, as Paxos allows. The peers follow the node's
// configuration (`setMembership`, peerRoster.ts): new members are dialled, removed ones dropped
// and refused at the handshake (docs/membership.md §5.4).
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { listenNodeServer, type HttpHandler, type NodeServer } from './listener.js';
import type { Envelope } from '../../paxos/messages.js';
import type { SendOptions, Transport, TransportMembership, TransportStats } from '../transport.js';
import type { ClientRequestHandler } from '../client/clientSession.js';
import { ClientSessions } from '../client/clientSessions.js';
import { Connection, type ConnectionOptions, type PeerIdentity } from '../wire/connection.js';
import type { HelloFrame, LinkStatus } from '../wire/frames.js';
import { winningDialler, type Credentials } from '../wire/handshake.js';
import { factsOf, judgeInboundHello, judgeOutboundWelcome } from './linkTakeover.js';
import { acceptHandshake, dialHandshake, type LocalIdentity } from '../wire/handshakeSteps.js';
import type { Logger } from '../../base/log.js';
import { PeerLink } from './peerLink.js';
import { HandshakeSlots, normalAddress } from './handshakeSlots.js';
import type { LinkLimits } from '../wire/outbox.js';
import type { DialOutcome } from './redialler.js';
import { PeerFollower } from './peerFollower.js';
import {
  RuntimeLinks,
  type RuntimeLinkListener,
  type RuntimeLinkSource,
} from '../distribution/runtimeLinks.js';
import {
  connectionOptionsOf,
  linkLimitsOf,
  localIdentityOf,
  resolveTransportOptions,
  type ResolvedOptions,
  type WebSocketTransportOptions,
} from './transportOptions.js';
import { CLOSE_CODES, WIRE_ERROR_CODES, problem, type WireProblem } from '../wire/wireErrors.js';
import { createWireStats, transportStatsOf, type WireStats } from '../wire/wireStats.js';
import { reasonOfDial } from '../wire/linkReasons.js';
import {
  closeRefusedLinks,
  DownReasons,
  noteGossipRefusals,
  noteIncarnationRefusals,
  type RefusalContext,
} from './downReasons.js';
import { PeerRoster } from './peerRoster.js';

export type { WebSocketTransportOptions } from './transportOptions.js';

export class WebSocketTransport implements Transport, RuntimeLinkSource {
  readonly nodeId: string;
  /** Every counter of the wire layer (`status` shows them; see docs/wire-protocol.md). */
  readonly wireStats: WireStats = createWireStats();
  /** This node's URL, as peers and clients dial it. */
  readonly url: string;
  private receiver: ((envelope: Envelope) => void) | null = null;
  private readonly links = new Map<string, PeerLink>();
  private readonly down: DownReasons;
  private readonly clients: ClientSessions;
  /** Accepted connections still in their handshake, bounded in total and per address. */
  private readonly pending: HandshakeSlots<Connection>;
  /** Dialled connections not yet a link (connecting or in their handshake). */
  private readonly dialling = new Set<Connection>();
  /** The actor runtime's view of the links (webSocketRouter.ts). */
  private readonly runtimeLinks = new RuntimeLinks();
  private readonly identity: LocalIdentity & Credentials;
  private readonly connection: ConnectionOptions;
  private readonly limits: LinkLimits;
  private readonly logger: Logger;
  private closing: Promise<void> | null = null;
  /** The peers as the node's configuration has them (the start peers until it says). */
  private readonly roster: PeerRoster;
  /** The dials, following the roster. */
  private readonly follower: PeerFollower;
  private peerConfigListener: ((peer: string, cfg: number | undefined) => void) | null = null;

  private constructor(
    private readonly options: ResolvedOptions,
    private readonly listening: NodeServer,
  ) {
    this.nodeId = options.nodeId;
    this.logger = options.logger;
    const { port } = listening.server.address() as AddressInfo;
    const host = options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host;
    this.url = `${options.tls ? 'wss' : 'ws'}://${host}:${port}`;
    this.roster = new PeerRoster(options.nodeId, options.peers, options.join);
    if (options.membership) this.roster.update(options.membership);
    const refusals: RefusalContext = {
      down: () => this.down,
      isWatched: (peer) => !this.links.has(peer) && this.roster.isMember(peer),
      logger: options.logger,
    };
    this.identity = localIdentityOf(options, this.roster, {
      checkPeer: options.checkPeer && noteIncarnationRefusals(options.checkPeer, refusals),
      gossip:
        options.incarnationGossip &&
        noteGossipRefusals(options.incarnationGossip, {
          ...refusals,
          revet: () => closeRefusedLinks(this.links.values(), options.checkPeer, this.logger),
        }),
    });
    this.connection = connectionOptionsOf(options, this.wireStats);
    this.limits = linkLimitsOf(options);
    this.clients = new ClientSessions(options, this.limits, this.wireStats, this.logger);
    this.pending = new HandshakeSlots<Connection>(
      { maxTotal: options.maxPendingHandshakes, maxPerAddress: options.maxPendingHandshakesPerAddress },
      (address) => this.follower.isMemberAddress(address),
    );
    this.down = new DownReasons([...this.roster.peers().keys()]);
    this.follower = new PeerFollower({
      roster: this.roster,
      links: this.links,
      down: this.down,
      logger: this.logger,
      redial: {
        baseMs: options.reconnectBaseMs,
        maxMs: options.reconnectMaxMs,
        refusedMs: options.refusedRedialMs,
        random: options.random,
      },
      dial: (peer, url) => this.dial(peer, url),
      closing: () => this.closing !== null,
    });
  }

  /** Listens, then starts dialling every peer. Rejects if the address cannot be bound. */
  static async start(options: WebSocketTransportOptions): Promise<WebSocketTransport> {
    const resolved = resolveTransportOptions(options);
    const listening = await listenNodeServer(resolved);
    const transport = new WebSocketTransport(resolved, listening);
    listening.wss.on('connection', (socket, request) => transport.accept(socket, request));
    transport.logger.info('listening', { url: transport.url, peers: Object.keys(resolved.peers) });
    transport.follower.start();
    return transport;
  }

  /**
   * The node adopted a configuration (docs/membership.md §5): new peers are dialled, peers no
   * longer in it dropped (their links closed, with WIRE_ERR_REMOVED for a removed member), a peer
   * at a new URL redialled there, and the handshake checks and announces the new configuration.
   */
  setMembership(membership: TransportMembership): void {
    if (!this.closing) this.follower.follow(membership);
  }

  /**
   * Hears the configuration number each peer announced when its link came up (undefined: a
   * joining node without one), so that the node fetches a newer chain (§5.3).
   */
  onPeerConfig(listener: (peer: string, cfg: number | undefined) => void): void {
    this.peerConfigListener = listener;
  }

  send(envelope: Envelope, options?: SendOptions): void {
    const link = this.links.get(envelope.to);
    if (link === undefined) this.wireStats.droppedNoLink++;
    else if (options?.lazy ? link.outbox.pushLazy(envelope) : link.outbox.push(envelope))
      this.wireStats.envelopesSent++;
  }

  /** The Transport's summary counters, for the node's metrics. */
  stats(): TransportStats {
    return transportStatsOf(this.wireStats, this.links.size);
  }

  listen(receiver: (envelope: Envelope) => void): void {
    this.receiver = receiver;
  }

  /** Serves the client protocol's requests with `handler`. */
  serveClients(handler: ClientRequestHandler): void {
    this.clients.serve(handler);
  }

  /** Plain HTTP on this port (the node's /metrics): the handler returns false for what it does not serve. */
  serveHttp(handler: HttpHandler): void {
    this.listening.serveHttp(handler);
  }

  /**
   * Carries the actor runtime's messages on the peer links (createWebSocketRouter does this):
   * `listener` hears of links and dials and gets validated runtime items. Null detaches it.
   */
  attachRuntime(listener: RuntimeLinkListener | null): void {
    this.runtimeLinks.attach(listener, this.links.values());
  }

  /** Whether this node is dialling `peer` now (the runtime waits for it: see webSocketRouter.ts). */
  isDialling(peer: string): boolean {
    return this.runtimeLinks.isDialling(peer);
  }

  isLinkUp(peer: string): boolean {
    return this.links.has(peer);
  }

  /** Each peer's link, up or down, and why it is down. */
  linkStatus(): LinkStatus[] {
    return this.down.linkStatus(this.roster.peers(), this.links);
  }

  /** The connection of the link to `peer`, if one is up (tests, inspection). */
  linkTo(peer: string): Connection | undefined {
    return this.links.get(peer)?.conn;
  }

  /** Envelopes queued for `peer` and not yet in a frame (a lazy one waits; tests, inspection). */
  queuedFor(peer: string): number {
    return this.links.get(peer)?.outbox.queued ?? 0;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * This node and every peer it was started with, sorted: configuration 1, which `startLink`
   * holds its `members` to. `linkedMembers` follows the configuration.
   */
  get members(): readonly string[] {
    return this.options.members;
  }

  /** This node and every peer it links now, as its node's configuration has them, sorted. */
  get linkedMembers(): readonly string[] {
    return [this.nodeId, ...this.roster.peers().keys()].sort();
  }

  get cluster(): string {
    return this.options.cluster;
  }

  get incarnation(): string {
    return this.options.incarnation;
  }

  /** This node's public key (base64), when it has an identity key. */
  get publicKey(): string | null {
    return this.options.nodeKey?.publicKey ?? null;
  }

  /** Closes every link (code 1001) and the listener. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.follower.stop();
    const connections = [
      ...this.pending.items(),
      ...this.dialling,
      ...[...this.links.values()].map((link) => link.conn),
      ...this.clients.connections(),
    ];
    // What is queued (a lazy decide waits up to LAZY_FLUSH_MS) leaves before the close frame.
    for (const link of this.links.values()) link.outbox.flush();
    for (const conn of connections) conn.close(CLOSE_CODES.GOING_AWAY, 'node stopping');
    await Promise.all(connections.map((conn) => conn.closed));
    const { wss, server } = this.listening;
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.logger.info('transport closed');
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const remote = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
    const conn = new Connection(socket, 'accepted', this.connection, remote);
    if (this.closing) {
      conn.close(CLOSE_CODES.GOING_AWAY, 'node stopping');
      return;
    }
    const slot = this.pending.admit(conn, normalAddress(request.socket.remoteAddress ?? ''));
    for (const older of slot.evict) {
      this.wireStats.handshakesEvicted++;
      older.fail(
        problem(WIRE_ERROR_CODES.BUSY, 'handshake not finished; its slot went to a newer connection'),
      );
    }
    if (!slot.admitted) {
      conn.fail(problem(WIRE_ERROR_CODES.BUSY, `${this.pending.size} handshakes in progress`));
      return;
    }
    void acceptHandshake(conn, this.identity, this.options.handshakeTimeoutMs, (hello) =>
      this.admitInbound(conn, hello),
    ).then((outcome) => {
      this.pending.release(conn);
      if (!outcome.ok && outcome.problem.code !== WIRE_ERROR_CODES.LINK_SUPERSEDED)
        this.wireStats.handshakesFailed++;
    });
  }

  /** Last word on an authenticated hello; registers the link or session when it returns null. */
  private admitInbound(conn: Connection, hello: HelloFrame): WireProblem | null {
    if (this.closing) return problem(WIRE_ERROR_CODES.BUSY, 'node stopping');
    const peer: PeerIdentity = {
      id: hello.node,
      role: hello.role,
      incarnation: hello.incarnation,
      ...(hello.cfg !== undefined ? { cfg: hello.cfg } : {}),
    };
    if (hello.role === 'client') return this.clients.admit(conn, peer);
    // The roster may have changed while the hello's incarnation records were being written.
    const refusal = this.follower.refusalOf(hello.node, hello.cfg);
    if (refusal !== null) return refusal;
    const existing = this.links.get(hello.node);
    const facts = existing && factsOf(existing);
    const verdict = judgeInboundHello(this.nodeId, hello.node, facts, this.options.heartbeatTimeoutMs);
    if (verdict.kind === 'refuse') {
      if (verdict.problem.code === WIRE_ERROR_CODES.LINK_UP)
        this.logger[verdict.logLevel]('peer hello refused: its link is up', {
          peer: hello.node,
          remote: conn.remote,
          linkRemote: existing?.conn.remote,
        });
      return verdict.problem;
    }
    if (verdict.kind === 'replace' && existing !== undefined) {
      this.logger.info('replacing a dead link', { peer: hello.node, silentForMs: facts?.silentForMs });
      this.supersede(existing);
      existing.conn.terminate();
    }
    this.openLink(conn, peer, hello.node);
    return null;
  }

  private admitOutbound(conn: Connection, peer: PeerIdentity): WireProblem | null {
    if (this.closing) return problem(WIRE_ERROR_CODES.BUSY, 'node stopping');
    const refusal = this.follower.refusalOf(peer.id, peer.cfg);
    if (refusal !== null) return refusal;
    const existing = this.links.get(peer.id);
    const verdict = judgeOutboundWelcome(this.nodeId, peer.id, existing !== undefined);
    if (verdict.kind === 'refuse') return verdict.problem;
    if (existing !== undefined) this.supersede(existing);
    this.openLink(conn, peer, this.nodeId);
    return null;
  }

  private supersede(link: PeerLink): void {
    this.wireStats.linksSuperseded++;
    this.links.delete(link.peer.id);
    this.runtimeLinks.linkDown(link);
    link.conn.fail(
      problem(
        WIRE_ERROR_CODES.LINK_SUPERSEDED,
        `the link dialled by ${winningDialler(this.nodeId, link.peer.id)} is kept`,
      ),
    );
  }

  private openLink(conn: Connection, peer: PeerIdentity, dialledBy: string): void {
    const link = new PeerLink(
      conn,
      peer,
      dialledBy,
      this.nodeId,
      this.limits,
      (envelope) => this.receiver?.(envelope),
      this.wireStats,
      this.logger,
    );
    this.links.set(peer.id, link);
    link.onRuntime = (item) => this.runtimeLinks.receive(link, item);
    link.ownConfig = () => this.roster.config?.number;
    link.onPeerConfig = (cfg) => this.peerConfigListener?.(peer.id, cfg);
    this.wireStats.linksOpened++;
    const { incarnation } = peer;
    this.logger.info('link up', { peer: peer.id, dialledBy, incarnation, remote: conn.remote });
    this.runtimeLinks.linkUp(link);
    this.peerConfigListener?.(peer.id, peer.cfg);
    void conn.closed.then((closed) => {
      link.outbox.close();
      this.wireStats.linksClosed++;
      if (this.links.get(peer.id) !== link) return; // superseded: another link serves the peer
      this.links.delete(peer.id);
      this.runtimeLinks.linkDown(link);
      if (!this.roster.isMember(peer.id)) return; // dropped by the configuration: nothing to redial
      this.down.connectionClosed(peer.id, closed, conn, this.options.heartbeatTimeoutMs, this.logger);
      this.follower.linkDown(peer.id);
    });
  }

  private dial(peer: string, url: string): Promise<DialOutcome> {
    this.wireStats.dialAttempts++;
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      maxPayload: this.options.maxFrameBytes,
      handshakeTimeout: this.options.handshakeTimeoutMs,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    });
    const conn = new Connection(socket, 'dialled', this.connection, url);
    this.dialling.add(conn);
    this.runtimeLinks.dialStarted(peer);
    let opened = false;
    let socketError: string | null = null;
    socket.once('open', () => (opened = true));
    socket.once('error', (error) => (socketError = error.message));
    // The handshake listens from now on: the challenge may arrive in the same tick as 'open'.
    const expectedKey = this.options.peerKeys.get(peer) ?? null;
    return dialHandshake(
      conn,
      this.identity,
      peer,
      expectedKey,
      this.options.handshakeTimeoutMs,
      (identity) => this.admitOutbound(conn, identity),
    ).then((outcome): DialOutcome => {
      this.dialling.delete(conn);
      this.runtimeLinks.dialEnded(peer);
      if (outcome.ok) return 'up';
      const superseded = outcome.problem.code === WIRE_ERROR_CODES.LINK_SUPERSEDED;
      if (opened && !superseded) this.wireStats.handshakesFailed++;
      // LINK_UP while this node has a link: the peer kept the one it already had with us (both
      // dialled). Without one, someone holds our place there until its heartbeat lapses: the
      // reason says so, and the dial is repeated with the usual backoff.
      if (this.links.has(peer)) return 'up';
      if (superseded) return 'failed'; // the other link won, and is gone already: dial again
      const why = reasonOfDial({
        opened,
        socketError,
        problem: outcome.problem,
        closedBy: conn.closedBy,
        closeCode: null,
        authenticated: outcome.authenticated,
      });
      return this.down.failedDial(peer, url, why, this.logger);
    });
  }
}

/**
 * Starts a WebSocket transport listening on `options.listen` and dialling `options.peers`.
 *
 * @example
 * const transport = await createWebSocketTransport({
 *   nodeId: 'a', cluster: 'demo', secret, incarnation: randomUUID(),
 *   listen: { host: '127.0.0.1', port: 7001 },
 *   peers: { b: 'ws://127.0.0.1:7002', c: 'ws://127.0.0.1:7003' },
 * });
 * const node = await startLink({ id: 'a', members: ['a', 'b', 'c'], transport });
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): Promise<WebSocketTransport> {
  return WebSocketTransport.start(options);
}
