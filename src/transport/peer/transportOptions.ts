// Options of the WebSocket transport, their defaults, and their checks. A bad option throws a
// GenPaxosError with PAXOS_ERR_BAD_OPTION before any socket is opened.
import type { KeyObject } from 'node:crypto';
import { ERROR_CODES, GenPaxosError } from '../../base/errors.js';
import { parsePublicKey, type NodeKey } from '../../base/nodeKey.js';
import { systemRandom, type RandomSource } from '../../base/random.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../wire/frames.js';
import { MIN_FRAME_BYTES } from '../../paxos/validate.js';
import { checkedName, checkedPositive, checkedSecret } from '../wire/optionChecks.js';
import type { CheckPeer, Credentials, IncarnationGossip } from '../wire/handshake.js';
import type { ConnectionOptions } from '../wire/connection.js';
import type { LocalIdentity } from '../wire/handshakeSteps.js';
import type { LinkLimits } from '../wire/outbox.js';
import type { WireStats } from '../wire/wireStats.js';
import { silentLogger, type Logger } from '../../base/log.js';
import type { TransportMembership } from '../transport.js';

export interface WebSocketTransportOptions {
  /** This node's id; the `from` of everything it sends. */
  readonly nodeId: string;
  /** The cluster's name: nodes and clients of another cluster are refused. */
  readonly cluster: string;
  /**
   * The peer secret, held by members only: proven by HMAC in the handshake, never sent. It opens
   * peer links; a client proving it is refused unless `allowPeerSecretForClients`.
   */
  readonly secret: string | Uint8Array;
  /** The secrets clients prove (several at once while rotating). None: no client can connect. */
  readonly clientSecrets?: ReadonlyArray<string | Uint8Array>;
  /** Let clients authenticate with the peer secret too. Off by default: for tests and demos only. */
  readonly allowPeerSecretForClients?: boolean;
  /** This node's Ed25519 identity key: it signs hellos and welcomes (base/nodeKey.ts). */
  readonly nodeKey?: NodeKey;
  /**
   * Public keys pinned per peer id (base64 of 32 bytes). Given for one peer, they must be given
   * for all: a member's hello and welcome must then carry its signature (WIRE_ERR_IDENTITY_FAILED).
   * Without them, members authenticate by the peer secret alone.
   */
  readonly peerKeys?: Readonly<Record<string, string>>;
  /** An opaque id of this run of the node, told to peers in the handshake (see `checkPeer`). */
  readonly incarnation: string;
  /** Where to listen. Port 0 picks a free port (read it back from `url`). */
  readonly listen: { readonly host: string; readonly port: number };
  /**
   * Every other member, by id, with the URL it listens on (`ws://` or `wss://`): configuration 1,
   * until the node adopts others (`setMembership`); then URLs the chain lacks are taken from here.
   */
  readonly peers: Readonly<Record<string, string>>;
  /**
   * A new member joining a running group (startLink's `join`): it announces no configuration in
   * its handshakes until its node adopts one, and admits any peer that proves the secret
   * meanwhile (the members dial it once they added it). `peers` are then dial hints only.
   */
  readonly join?: boolean;
  /**
   * The configuration the node already holds (a restart with a data directory): links and
   * handshakes follow it from the first dial, instead of `peers` as configuration 1 until the
   * node's `setMembership` (docs/membership.md §5.4).
   */
  readonly membership?: TransportMembership;
  /** Serve `wss://` with this key and certificate (PEM). */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Certificates to trust when dialling `wss://` peers (PEM), for self-signed clusters. */
  readonly ca?: string | Buffer;
  /**
   * Called for each peer at the handshake with the incarnation it announced; a non-null result
   * refuses the link (close code 4006, WIRE_ERR_INCARNATION_REFUSED) with that reason. The
   * durability layer plugs in here to refuse a node that lost its disk.
   */
  readonly checkPeer?: CheckPeer;
  /**
   * Incarnation gossip (a durable node's, with `checkPeer`): its records go out in every hello
   * and welcome to a peer, and the records a member sends back are merged before the link opens.
   */
  readonly incarnationGossip?: IncarnationGossip;
  readonly logger?: Logger;
  /** Draws redial jitter. */
  readonly random?: RandomSource;
  /** Largest frame sent or accepted (the WebSocket `maxPayload`). Default 4 MiB, at least MIN_FRAME_BYTES. */
  readonly maxFrameBytes?: number;
  /** Past this many bytes unsent on a socket, new messages for it are dropped. Default 8 MiB. */
  readonly maxBufferedBytes?: number;
  /** Most envelopes queued for one link within a tick. Default 50 000. */
  readonly maxQueuedEnvelopes?: number;
  /** Most envelopes per frame. Default 1000. */
  readonly maxEnvelopesPerFrame?: number;
  /** Default 1000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** A link silent for this long is dropped. Default 5000 ms. */
  readonly heartbeatTimeoutMs?: number;
  /** Default 5000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Redial backoff base and ceiling. Defaults 100 ms and 5000 ms. */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /**
   * After a permanent refusal (wrong secret, removed, not a member, configuration conflict,
   * amnesia, wrong cluster, version, identity)
   * the peer is redialled only this often, since retrying cannot help until the configuration is
   * fixed (the fixed node dials at once when restarted). Default 60 000 ms.
   */
  readonly refusedRedialMs?: number;
  /**
   * Connections in their handshake at once. Past it, the oldest unfinished one from a
   * non-member address gives way to the newcomer (handshakeSlots.ts). Default 64.
   */
  readonly maxPendingHandshakes?: number;
  /** Connections in their handshake from one address; past it, that address's oldest gives way. Default 16. */
  readonly maxPendingHandshakesPerAddress?: number;
  /** A connection that has sent no HTTP request within this is closed (idle raw TCP). Default 2000 ms. */
  readonly firstBytesTimeoutMs?: number;
  /** HTTP request headers must be complete within this (slowloris). Default 2000 ms. */
  readonly headersTimeoutMs?: number;
  /** A whole HTTP request within this. Default 5000 ms. */
  readonly requestTimeoutMs?: number;
  /** Default 256. */
  readonly maxClients?: number;
  /** Requests of one client in flight at once; more get WIRE_ERR_BUSY at once. Default 256. */
  readonly maxRequestsInFlight?: number;
  /** Client requests in flight on this node, all clients together. Default 2048. */
  readonly maxNodeRequestsInFlight?: number;
  /** Bytes of values one client has asked and not been answered (one ask always passes). Default 8 MiB. */
  readonly maxBytesInFlight?: number;
  /** The retry hint of a WIRE_ERR_BUSY reply. Default 100 ms. */
  readonly busyRetryAfterMs?: number;
}

export interface ResolvedOptions {
  readonly nodeId: string;
  readonly cluster: string;
  readonly secret: Uint8Array;
  readonly clientSecrets: readonly Uint8Array[];
  readonly allowPeerSecretForClients: boolean;
  readonly nodeKey: NodeKey | null;
  readonly peerKeys: ReadonlyMap<string, KeyObject>;
  readonly incarnation: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly peers: Readonly<Record<string, string>>;
  readonly join: boolean;
  readonly membership: TransportMembership | undefined;
  /** Sorted, this node included. */
  readonly members: readonly string[];
  readonly tls: { readonly key: string | Buffer; readonly cert: string | Buffer } | null;
  readonly ca: string | Buffer | null;
  readonly checkPeer: CheckPeer | undefined;
  readonly incarnationGossip: IncarnationGossip | undefined;
  readonly logger: Logger;
  readonly random: RandomSource;
  readonly maxFrameBytes: number;
  readonly maxBufferedBytes: number;
  readonly maxQueuedEnvelopes: number;
  readonly maxEnvelopesPerFrame: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  readonly refusedRedialMs: number;
  readonly maxPendingHandshakes: number;
  readonly maxPendingHandshakesPerAddress: number;
  readonly firstBytesTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxClients: number;
  readonly maxRequestsInFlight: number;
  readonly maxNodeRequestsInFlight: number;
  readonly maxBytesInFlight: number;
  readonly busyRetryAfterMs: number;
}

export function resolveTransportOptions(options: WebSocketTransportOptions): ResolvedOptions {
  const nodeId = checkedName(options.nodeId, 'nodeId');
  const secret = checkedSecret(options.secret);
  const peers = options.peers ?? {};
  for (const [peer, url] of Object.entries(peers)) {
    checkedName(peer, 'peer id');
    if (peer === nodeId) bad(`peers must not include the node itself (${JSON.stringify(nodeId)})`);
    if (typeof url !== 'string' || !/^wss?:\/\/[^/\s]+/.test(url))
      bad(`peer ${JSON.stringify(peer)} needs a ws:// or wss:// URL, got ${JSON.stringify(url)}`);
  }
  const listen = options.listen;
  if (
    !listen ||
    typeof listen.host !== 'string' ||
    !Number.isInteger(listen.port) ||
    listen.port < 0 ||
    listen.port > 65535
  )
    bad(`listen must be { host, port } with a port in 0..65535, got ${JSON.stringify(listen)}`);
  const clientSecrets = (options.clientSecrets ?? []).map((one) => checkedSecret(one));
  if (clientSecrets.some((one) => Buffer.compare(one, secret) === 0))
    bad('a client secret must differ from the peer secret (use allowPeerSecretForClients to share one)');
  const peerKeys = new Map<string, KeyObject>();
  for (const [peer, key] of Object.entries(options.peerKeys ?? {})) {
    if (peers[peer] === undefined) bad(`peerKeys names ${JSON.stringify(peer)}, which is not a peer`);
    try {
      peerKeys.set(peer, parsePublicKey(key, `peerKeys.${peer}`));
    } catch (error) {
      bad((error as Error).message);
    }
  }
  if (peerKeys.size > 0) {
    const unpinned = Object.keys(peers).filter((peer) => !peerKeys.has(peer));
    if (unpinned.length > 0) bad(`peerKeys must pin every peer or none; missing: ${unpinned.join(', ')}`);
    if (!options.nodeKey) bad("peerKeys need a nodeKey: peers pin this node's key too");
  }
  return {
    nodeId,
    cluster: checkedName(options.cluster, 'cluster'),
    secret,
    clientSecrets,
    allowPeerSecretForClients: options.allowPeerSecretForClients === true,
    nodeKey: options.nodeKey ?? null,
    peerKeys,
    incarnation: checkedName(options.incarnation, 'incarnation'),
    listen,
    peers,
    join: options.join === true,
    membership: options.membership,
    members: [nodeId, ...Object.keys(peers)].sort(),
    tls: options.tls ?? null,
    ca: options.ca ?? null,
    checkPeer: options.checkPeer,
    incarnationGossip: options.incarnationGossip,
    logger: options.logger ?? silentLogger,
    random: options.random ?? systemRandom,
    maxFrameBytes: checkedFrameBytes(options.maxFrameBytes),
    maxBufferedBytes: checkedPositive(options.maxBufferedBytes, 8 * 1024 * 1024, 'maxBufferedBytes'),
    maxQueuedEnvelopes: checkedPositive(options.maxQueuedEnvelopes, 50_000, 'maxQueuedEnvelopes'),
    maxEnvelopesPerFrame: checkedPositive(options.maxEnvelopesPerFrame, 1000, 'maxEnvelopesPerFrame'),
    heartbeatIntervalMs: checkedPositive(options.heartbeatIntervalMs, 1000, 'heartbeatIntervalMs'),
    heartbeatTimeoutMs: checkedPositive(options.heartbeatTimeoutMs, 5000, 'heartbeatTimeoutMs'),
    handshakeTimeoutMs: checkedPositive(options.handshakeTimeoutMs, 5000, 'handshakeTimeoutMs'),
    reconnectBaseMs: checkedPositive(options.reconnectBaseMs, 100, 'reconnectBaseMs'),
    reconnectMaxMs: checkedPositive(options.reconnectMaxMs, 5000, 'reconnectMaxMs'),
    refusedRedialMs: checkedPositive(options.refusedRedialMs, 60_000, 'refusedRedialMs'),
    maxPendingHandshakes: checkedPositive(options.maxPendingHandshakes, 64, 'maxPendingHandshakes'),
    maxPendingHandshakesPerAddress: checkedPositive(
      options.maxPendingHandshakesPerAddress,
      16,
      'maxPendingHandshakesPerAddress',
    ),
    firstBytesTimeoutMs: checkedPositive(options.firstBytesTimeoutMs, 2000, 'firstBytesTimeoutMs'),
    headersTimeoutMs: checkedPositive(options.headersTimeoutMs, 2000, 'headersTimeoutMs'),
    requestTimeoutMs: checkedPositive(options.requestTimeoutMs, 5000, 'requestTimeoutMs'),
    maxClients: checkedPositive(options.maxClients, 256, 'maxClients'),
    maxRequestsInFlight: checkedPositive(options.maxRequestsInFlight, 256, 'maxRequestsInFlight'),
    maxNodeRequestsInFlight: checkedPositive(
      options.maxNodeRequestsInFlight,
      2048,
      'maxNodeRequestsInFlight',
    ),
    maxBytesInFlight: checkedPositive(options.maxBytesInFlight, 8 * 1024 * 1024, 'maxBytesInFlight'),
    busyRetryAfterMs: checkedPositive(options.busyRetryAfterMs, 100, 'busyRetryAfterMs'),
  };
}

/** Every value `ask` accepts must fit one envelope of one frame, or a propose would be dropped. */
function checkedFrameBytes(value: number | undefined): number {
  const bytes = checkedPositive(value, DEFAULT_MAX_FRAME_BYTES, 'maxFrameBytes');
  if (bytes < MIN_FRAME_BYTES)
    bad(`maxFrameBytes must be at least ${MIN_FRAME_BYTES} (a largest value in one envelope), got ${bytes}`);
  return bytes;
}

function bad(message: string): never {
  throw new GenPaxosError(ERROR_CODES.BAD_OPTION, message);
}

/**
 * What this node presents and checks at every peer handshake. `checks` are the options' amnesia
 * check and incarnation gossip as the transport wraps them (downReasons.ts notes their refusals).
 */
export function localIdentityOf(
  options: ResolvedOptions,
  roster: LocalIdentity['roster'],
  checks: { readonly checkPeer: CheckPeer | undefined; readonly gossip: IncarnationGossip | undefined },
): LocalIdentity & Credentials {
  return {
    secret: options.secret,
    signingKey: options.nodeKey?.privateKey,
    peerSecret: options.secret,
    clientSecrets: options.clientSecrets,
    peerSecretForClients: options.allowPeerSecretForClients,
    peerKeys: options.peerKeys,
    cluster: options.cluster,
    self: options.nodeId,
    role: 'peer',
    incarnation: options.incarnation,
    roster,
    checkPeer: checks.checkPeer,
    gossip: checks.gossip,
  };
}

/** Frame size, heartbeats and counters of every connection, peer or client. */
export function connectionOptionsOf(options: ResolvedOptions, stats: WireStats): ConnectionOptions {
  return {
    maxFrameBytes: options.maxFrameBytes,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs,
    logger: options.logger,
    stats,
  };
}

/** The bounds of each link's outbox. */
export function linkLimitsOf(options: ResolvedOptions): LinkLimits {
  return {
    maxBufferedBytes: options.maxBufferedBytes,
    maxQueuedItems: options.maxQueuedEnvelopes,
    maxItemsPerFrame: options.maxEnvelopesPerFrame,
  };
}
