// Options of the WebSocket transport, their defaults, and their checks. A bad option throws a
// GenPaxosError with PAXOS_ERR_BAD_OPTION before any socket is opened.
import { ERROR_CODES, GenPaxosError } from '../../base/errors.js';
import { systemRandom, type RandomSource } from '../../base/random.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../wire/frames.js';
import { checkedName, checkedPositive, checkedSecret } from '../wire/optionChecks.js';
import type { CheckPeer } from '../wire/handshake.js';
import { silentLogger, type Logger } from '../../base/log.js';

export interface WebSocketTransportOptions {
  /** This node's id; the `from` of everything it sends. */
  readonly nodeId: string;
  /** The cluster's name: nodes and clients of another cluster are refused. */
  readonly cluster: string;
  /** The shared cluster secret. Proven by HMAC in the handshake, never sent. */
  readonly secret: string | Uint8Array;
  /** An opaque id of this run of the node, told to peers in the handshake (see `checkPeer`). */
  readonly incarnation: string;
  /** Where to listen. Port 0 picks a free port (read it back from `url`). */
  readonly listen: { readonly host: string; readonly port: number };
  /** Every other member, by id, with the URL it listens on (`ws://` or `wss://`). */
  readonly peers: Readonly<Record<string, string>>;
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
  readonly logger?: Logger;
  /** Draws redial jitter. */
  readonly random?: RandomSource;
  /** Largest frame sent or accepted (the WebSocket `maxPayload`). Default 4 MiB. */
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
   * After a permanent refusal (wrong secret, member mismatch, amnesia, wrong cluster, version)
   * the peer is redialled only this often, since retrying cannot help until the configuration is
   * fixed (the fixed node dials at once when restarted). Default 60 000 ms.
   */
  readonly refusedRedialMs?: number;
  /** Connections still in their handshake beyond this are refused (1013). Default 64. */
  readonly maxPendingHandshakes?: number;
  /** Default 256. */
  readonly maxClients?: number;
  /** Requests of one client in flight at once. Default 10 000. */
  readonly maxRequestsInFlight?: number;
}

export interface ResolvedOptions {
  readonly nodeId: string;
  readonly cluster: string;
  readonly secret: Uint8Array;
  readonly incarnation: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly peers: Readonly<Record<string, string>>;
  /** Sorted, this node included. */
  readonly members: readonly string[];
  readonly tls: { readonly key: string | Buffer; readonly cert: string | Buffer } | null;
  readonly ca: string | Buffer | null;
  readonly checkPeer: CheckPeer | undefined;
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
  readonly maxClients: number;
  readonly maxRequestsInFlight: number;
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
  return {
    nodeId,
    cluster: checkedName(options.cluster, 'cluster'),
    secret,
    incarnation: checkedName(options.incarnation, 'incarnation'),
    listen,
    peers,
    members: [nodeId, ...Object.keys(peers)].sort(),
    tls: options.tls ?? null,
    ca: options.ca ?? null,
    checkPeer: options.checkPeer,
    logger: options.logger ?? silentLogger,
    random: options.random ?? systemRandom,
    maxFrameBytes: checkedPositive(options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES, 'maxFrameBytes'),
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
    maxClients: checkedPositive(options.maxClients, 256, 'maxClients'),
    maxRequestsInFlight: checkedPositive(options.maxRequestsInFlight, 10_000, 'maxRequestsInFlight'),
  };
}

function bad(message: string): never {
  throw new GenPaxosError(ERROR_CODES.BAD_OPTION, message);
}
