// Helpers of the wire tests: transports on 127.0.0.1 with ports picked at run time, a raw
// peer that speaks the handshake by hand (to send what a correct node never would), and
// waiting on conditions instead of on the clock.
import { WebSocket } from 'ws';
import { freePorts } from '../../src/cli/freePorts.js';
import type { Envelope } from '../../src/paxos/messages.js';
import { decodeFrame, encodeFrame } from '../../src/transport/wire/codec.js';
import { PROTOCOL_VERSION, type Frame, type HelloFrame, type Role } from '../../src/transport/wire/frames.js';
import type { KeyObject } from 'node:crypto';
import {
  helloProof,
  helloSignature,
  newNonce,
  type HelloClaims,
} from '../../src/transport/wire/handshake.js';
import { configDigest } from '../../src/transport/peer/peerRoster.js';
import { initialConfiguration } from '../../src/paxos/config.js';
import {
  createWebSocketTransport,
  type WebSocketTransport,
  type WebSocketTransportOptions,
} from '../../src/transport/peer/webSocketTransport.js';

export const SECRET = 'test-secret-0123456789';

/** A hello claiming `claims`, proven with `secret` against the server's nonce (a fresh client nonce). */
export function provenHello(claims: HelloClaims, secret: Uint8Array, serverNonce: Uint8Array): HelloFrame {
  const nonce = newNonce();
  return {
    v: PROTOCOL_VERSION,
    t: 'hello',
    ...claims,
    nonce,
    proof: helloProof(secret, claims, serverNonce, nonce),
  };
}
export const CLUSTER = 'test';
/** What clients hold: never the peer secret (docs/security.md). */
export const CLIENT_SECRET = 'test-client-secret-9876543210';

/** Polls `condition` until it holds; fails after `timeoutMs` with `what`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export type Tuning = Partial<Omit<WebSocketTransportOptions, 'nodeId' | 'peers' | 'listen'>>;

/** Starts one transport per id, all peers of each other, on free loopback ports. */
export async function startTransports(
  ids: readonly string[],
  tuning: Tuning = {},
): Promise<{
  transports: Record<string, WebSocketTransport>;
  urls: Record<string, string>;
  ports: Record<string, number>;
}> {
  const free = await freePorts(ids.length);
  const ports = Object.fromEntries(ids.map((id, i) => [id, free[i] as number]));
  const scheme = tuning.tls ? 'wss' : 'ws';
  const urls = Object.fromEntries(ids.map((id) => [id, `${scheme}://127.0.0.1:${ports[id]}`]));
  const list = await Promise.all(ids.map((id) => startOne(id, ids, ports, urls, tuning)));
  return { transports: Object.fromEntries(list.map((t) => [t.nodeId, t])), urls, ports };
}

export function startOne(
  id: string,
  ids: readonly string[],
  ports: Record<string, number>,
  urls: Record<string, string>,
  tuning: Tuning = {},
): Promise<WebSocketTransport> {
  return createWebSocketTransport({
    cluster: CLUSTER,
    secret: SECRET,
    clientSecrets: [CLIENT_SECRET],
    incarnation: `${id}-1`,
    heartbeatIntervalMs: 200,
    heartbeatTimeoutMs: 2000,
    reconnectBaseMs: 20,
    reconnectMaxMs: 200,
    ...tuning,
    nodeId: id,
    listen: { host: '127.0.0.1', port: ports[id] as number },
    peers: Object.fromEntries(ids.filter((peer) => peer !== id).map((peer) => [peer, urls[peer] as string])),
  });
}

export function linksUp(transports: Record<string, WebSocketTransport>): boolean {
  return Object.values(transports).every((t) => t.linkStatus().every((link) => link.state === 'up'));
}

/**
 * Links are up and will stay the ones they are: both ends agree who dialled each link and no
 * dial is in flight. Before that, a link that reports up may still be superseded by the other
 * side's dial (both dial at start), and what was sent on it is lost — allowed, since sends are
 * best effort, but a test counting deliveries must wait for this.
 */
export function linksSettled(transports: Record<string, WebSocketTransport>): boolean {
  if (!linksUp(transports)) return false;
  for (const [id, transport] of Object.entries(transports)) {
    for (const link of transport.linkStatus()) {
      if (transport.isDialling(link.peer)) return false;
      const there = transports[link.peer]?.linkStatus().find((l) => l.peer === id);
      if (there !== undefined && there.dialledBy !== link.dialledBy) return false;
    }
  }
  return true;
}

export function envelope(from: string, to: string, key: string, round = 1): Envelope {
  return { from, to, key, message: { type: 'prepare', ballot: { round, node: from } } };
}

export interface HelloOverrides {
  readonly secret?: string;
  readonly cluster?: string;
  readonly node?: string;
  readonly role?: Role;
  readonly incarnation?: string;
  /** The start members the peer claims: announced as configuration 1 of them (absent: none). */
  readonly members?: readonly string[];
  /** Announce this configuration number and digest instead (`null`: none, as a joining node). */
  readonly config?: { readonly cfg: number; readonly digest: string } | null;
  readonly v?: number;
  /** Incarnation records, sent as given (malformed ones too) and covered by the proof. */
  readonly incarnations?: unknown;
  /** A member's identity key: the hello then carries its signature. */
  readonly signingKey?: KeyObject | undefined;
}

/** The configuration a start member of `members` announces: number 1, the digest of that list. */
export function startConfig(members: readonly string[]): { cfg: number; digest: string } {
  return { cfg: 1, digest: configDigest({ ...initialConfiguration(members), number: 1 }) };
}

function announcedConfig(overrides: HelloOverrides): { cfg?: number; digest?: string } {
  if (overrides.config !== undefined) return overrides.config ?? {};
  return overrides.members !== undefined && overrides.role !== 'client' ? startConfig(overrides.members) : {};
}

/** A hand-driven connection: sends whatever it is told, records frames and the close. */
export class RawPeer {
  readonly frames: unknown[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private challenge: Uint8Array | null = null;
  private readonly challenged: Promise<void>;

  private constructor(readonly socket: WebSocket) {
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.challenged = new Promise((resolve) => {
      socket.on('message', (data) => {
        const decoded = decodeFrame(data as Buffer, 1 << 30);
        const frame = decoded.ok ? decoded.value : null;
        this.frames.push(frame);
        const fields = frame as { t?: string; nonce?: Uint8Array } | null;
        if (fields?.t === 'challenge' && fields.nonce) {
          this.challenge = fields.nonce;
          resolve();
        }
      });
    });
  }

  static async connect(url: string, options: { autoPong?: boolean; ca?: string } = {}): Promise<RawPeer> {
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      autoPong: options.autoPong ?? true,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    const peer = new RawPeer(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return peer;
  }

  /** Waits for the challenge and answers with a hello built from `overrides`. */
  async hello(overrides: HelloOverrides): Promise<void> {
    await this.challenged;
    const claims = {
      cluster: overrides.cluster ?? CLUSTER,
      node: overrides.node ?? 'x',
      role: overrides.role ?? 'peer',
      incarnation: overrides.incarnation ?? 'raw-1',
      ...announcedConfig(overrides),
      ...(overrides.incarnations !== undefined
        ? { incarnations: overrides.incarnations as readonly (readonly [string, string | null])[] }
        : {}),
    };
    const nonce = newNonce();
    const proof = helloProof(
      new TextEncoder().encode(overrides.secret ?? SECRET),
      claims,
      this.challenge as Uint8Array,
      nonce,
    );
    const sig = overrides.signingKey
      ? { sig: helloSignature(overrides.signingKey, claims, this.challenge as Uint8Array, nonce) }
      : {};
    this.sendFrame({
      ...claims,
      v: overrides.v ?? PROTOCOL_VERSION,
      t: 'hello',
      nonce,
      proof,
      ...sig,
    } as Frame);
  }

  /** Resolves once a welcome arrived (the handshake succeeded). */
  async welcomed(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!this.frames.some((f) => (f as { t?: string } | null)?.t === 'welcome')) {
      if (Date.now() > deadline) throw new Error('no welcome');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Waits for the reply with request id `id` in a `replies` frame. */
  async nextReply(id: number, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const frame of this.frames) {
        const replies = (frame as { t?: string; replies?: Array<Record<string, unknown>> } | null)?.replies;
        const found = replies?.find((reply) => reply.id === id);
        if (found) return found;
      }
      if (Date.now() > deadline) throw new Error(`no reply ${id}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  sendFrame(frame: Frame | Record<string, unknown>): void {
    this.socket.send(encodeFrame(frame as Frame));
  }

  sendBytes(bytes: Uint8Array | string): void {
    this.socket.send(bytes);
  }

  close(): void {
    this.socket.terminate();
  }
}
