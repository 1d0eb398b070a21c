// The frames of the wire protocol (docs/wire-protocol.md): each WebSocket message is one
// msgpack map `{ v, t, ... }` with the protocol version `v` and the frame type `t`.
// Plain data types only; validateFrame.ts turns decoded bytes into these.
import type { Envelope, PaxosValue } from '../../paxos/messages.js';
import { MAX_VALUE_DEPTH } from '../../paxos/validate.js';

/**
 * The one protocol version this code speaks. Bumped on any incompatible change. 2: the handshake
 * carries the sender's configuration (`cfg`, `digest`) instead of its member list.
 */
export const PROTOCOL_VERSION = 2;

/** Longest node id, cluster name or incarnation accepted, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 128;
/** Bytes of a handshake nonce; HMAC-SHA256 proofs are 32 bytes too. */
export const NONCE_BYTES = 32;
export const PROOF_BYTES = 32;
/** Bytes of an Ed25519 signature (a member's `sig` in hello and welcome). */
export const SIGNATURE_BYTES = 64;
/** Most envelopes (or requests, or replies) one frame may carry. */
export const MAX_BATCH_ITEMS = 10_000;
/**
 * Deepest nesting accepted in a frame: a value may nest MAX_VALUE_DEPTH levels inside
 * frame → envelopes → envelope → message (→ accepted proposal), plus margin.
 */
export const MAX_FRAME_DEPTH = MAX_VALUE_DEPTH + 8;
/** Default bound on a frame's size; also the WebSocket `maxPayload`. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

export type Role = 'peer' | 'client';

/**
 * Most incarnation records one hello or welcome may carry (a node sends one per member it has
 * recorded, so this bounds the group's size, not an attacker's map).
 */
export const MAX_INCARNATION_RECORDS = 1024;

/**
 * A member's record of a peer's incarnation, shared in hello and welcome (incarnation gossip,
 * docs/wire-protocol.md "Handshake"): the peer's id and its incarnation, or null when the sender
 * saw that id under two incarnations (disputed).
 */
export type IncarnationRecord = readonly [peer: string, incarnation: string | null];

/** Server → dialer, first frame on every connection: the nonce the dialer must sign. */
export interface ChallengeFrame {
  readonly v: number;
  readonly t: 'challenge';
  readonly nonce: Uint8Array;
}

/** Dialer → server: who I am, and proof that I know the cluster secret. */
export interface HelloFrame {
  readonly v: number;
  readonly t: 'hello';
  readonly cluster: string;
  readonly node: string;
  readonly role: Role;
  /** Opaque id of this run of the node (durability uses it to spot a node that lost its disk). */
  readonly incarnation: string;
  /**
   * Peers: the number of the configuration the sender adopted (docs/membership.md §5.1) and its
   * digest, both or neither; neither from a joining node that has none yet, and from clients.
   */
  readonly cfg?: number;
  readonly digest?: string;
  /** Peers with durable state: the incarnations this node has recorded for its peers, by id. */
  readonly incarnations?: readonly IncarnationRecord[];
  readonly nonce: Uint8Array;
  readonly proof: Uint8Array;
  /** A member's Ed25519 signature of the hello (handshake.ts), when it has an identity key. */
  readonly sig?: Uint8Array;
}

/** Server → dialer: the handshake succeeded; proof that the server knows the secret too. */
export interface WelcomeFrame {
  readonly v: number;
  readonly t: 'welcome';
  readonly node: string;
  readonly incarnation: string;
  /** To a peer: the accepting node's configuration number and digest, as in `hello`. */
  readonly cfg?: number;
  readonly digest?: string;
  /** To a hello that carried records: the accepting node's own records, by id. */
  readonly incarnations?: readonly IncarnationRecord[];
  readonly proof: Uint8Array;
  /** The node's Ed25519 signature of the welcome, when it has an identity key. */
  readonly sig?: Uint8Array;
}

/**
 * Server → dialer, instead of a welcome: a refusal of a hello that proved itself, proven back
 * (handshakeRefusal.ts) so that the dialler may act on it; the close that follows carries the
 * same code, unauthenticated. Sent for WIRE_ERR_REMOVED only: the refusal a node stops on.
 */
export interface RefusalFrame {
  readonly v: number;
  readonly t: 'refusal';
  /** The refusing node. */
  readonly node: string;
  /** The WIRE_ERR_* code of the refusal, as in the close reason. */
  readonly code: string;
  /** The refusal in words, whole (a close reason is cut at 123 bytes). */
  readonly detail: string;
  /** HMAC-SHA256 with the peer secret over the refusal's transcript. */
  readonly proof: Uint8Array;
  /** The refusing node's Ed25519 signature of the transcript, when it has an identity key. */
  readonly sig?: Uint8Array;
}

/** Longest `detail` of a refusal frame, in UTF-16 code units. */
export const MAX_REFUSAL_DETAIL_LENGTH = 1024;

/** Peer ↔ peer: Paxos envelopes queued in the same tick. */
export interface BatchFrame {
  readonly v: number;
  readonly t: 'batch';
  /**
   * The configuration the sender runs under (docs/membership.md §5.1): one field per frame, so a
   * peer learns that it is behind, or ahead, from any batch, not only at the handshake. Absent
   * from a joining node, which has none.
   */
  readonly cfg?: number;
  readonly envelopes: readonly Envelope[];
}

/**
 * Peer ↔ peer: actor runtime messages (runtimeItems.ts) queued in the same tick. A frame type of
 * its own, so Paxos batches and their validation are untouched by the runtime's traffic.
 */
export interface RuntimeFrame {
  readonly v: number;
  readonly t: 'runtime';
  readonly messages: readonly unknown[];
}

export type ClientRequest =
  | {
      readonly id: number;
      readonly type: 'ask';
      readonly key: string;
      readonly value: PaxosValue;
      readonly timeoutMs?: number;
    }
  /** `quorum`: a linearizable read (docs/membership.md §8.3); absent or false, the node's own knowledge. */
  | { readonly id: number; readonly type: 'read'; readonly key: string; readonly quorum?: boolean }
  | { readonly id: number; readonly type: 'status' }
  | { readonly id: number; readonly type: 'faults'; readonly faults: LinkFaultSpec }
  | {
      readonly id: number;
      readonly type: 'release';
      /** A held message's id, or every held message (then `how` is `deliver` or `drop`). */
      readonly held: number | 'all';
      readonly how: ReleaseHow;
    };

export type ClientRequestType = ClientRequest['type'];
export const CLIENT_REQUEST_TYPES: readonly ClientRequestType[] = [
  'ask',
  'read',
  'status',
  'faults',
  'release',
];

/**
 * What to do with a message held for delivery by hand (`LinkFaultSpec.hold`): deliver it, drop
 * it, or deliver a copy and keep holding it (a duplicate, as networks sometimes make).
 */
export type ReleaseHow = 'deliver' | 'drop' | 'duplicate';
export const RELEASE_HOWS: readonly ReleaseHow[] = ['deliver', 'drop', 'duplicate'];

/**
 * Faults a node injects on its own links, for demos and chaos tests (only on a node started
 * with fault injection allowed). Replaces what was set before; all empty means no faults.
 */
export interface LinkFaultSpec {
  /** Peers this node sends nothing to. */
  readonly blockOut: readonly string[];
  /** Peers whose messages this node drops on arrival. */
  readonly blockIn: readonly string[];
  /** Probability that an outbound message is lost. */
  readonly dropRate: number;
  /** Every outbound message waits this long, plus a uniform draw up to `jitterMs`. */
  readonly delayMs: number;
  readonly jitterMs: number;
  /**
   * Delivery by hand, for teaching: every outbound Paxos message waits in the node until a
   * `release` request delivers, drops or duplicates it, and the node's timers stand still
   * meanwhile. Turning it off delivers what waits, in order, and lets the timers run on.
   */
  readonly hold: boolean;
}

export const NO_LINK_FAULTS: LinkFaultSpec = {
  blockOut: [],
  blockIn: [],
  dropRate: 0,
  delayMs: 0,
  jitterMs: 0,
  hold: false,
};

/** Longest injected delay: a minute. */
export const MAX_INJECTED_DELAY_MS = 60_000;

/**
 * Why a link is down, as this node last saw it (linkReasons.ts describes it in words):
 * - `connecting`: no attempt has finished yet;
 * - `unreachable`: nothing answered at the peer's URL (connection refused, no route, timeout);
 * - `refused`: the handshake was refused, by the peer (`side: 'peer'`, told in the close frame)
 *   or by this node (`side: 'local'`), with the WIRE_ERR_* code: wrong secret, member mismatch,
 *   amnesia (WIRE_ERR_INCARNATION_REFUSED), wrong cluster, version…;
 * - `closed`: an open link was closed, by the peer (`side: 'peer'`, for example 1001 when it
 *   stops) or by this node (a protocol error), or dropped without a close frame (code 1006);
 * - `heartbeat`: nothing was heard from the peer within the heartbeat timeout.
 */
export interface LinkDownReason {
  readonly kind: 'connecting' | 'unreachable' | 'refused' | 'closed' | 'heartbeat';
  /** The WIRE_ERR_* code of a refusal or of the close reason; null when there is none. */
  readonly code: string | null;
  /** Who refused or closed: null where nobody did (unreachable, heartbeat, connecting). */
  readonly side: 'local' | 'peer' | null;
  /** The WebSocket close code, for `closed` and `refused` by the peer. */
  readonly closeCode: number | null;
  /** What was said: the socket error, the refusal's detail, the close reason. */
  readonly detail: string;
  /**
   * True for a refusal by the peer that proved itself (a refusal frame, handshakeRefusal.ts):
   * the node dialled, and nobody else, refused this one. Absent otherwise: a close reason can be
   * sent by anything that answers at the peer's URL.
   */
  readonly authenticated?: true;
}

/** Hex characters of a configuration digest (SHA-256). */
export const DIGEST_HEX_LENGTH = 64;

/** A link's state as `status` reports it. */
export interface LinkStatus {
  readonly peer: string;
  readonly state: 'up' | 'down';
  /** Why the link is down; null while it is up. (Absent from older nodes.) */
  readonly reason?: LinkDownReason | null;
  /** The URL this node dials the peer at. (Absent from older nodes.) */
  readonly url?: string;
  /** Which side dialled the link that is up. */
  readonly dialledBy: string | null;
  /** Milliseconds since the link came up or went down. */
  readonly forMs: number;
}

/**
 * A node's self-description, the answer to a `status` request. Plain data. It names no
 * incarnation, key or secret: nothing in it helps a client pose as a member (docs/security.md).
 */
export interface NodeStatus {
  readonly node: string;
  /** The gen-paxos version the node runs. (Absent from older nodes.) */
  readonly version?: string;
  readonly cluster: string;
  readonly members: readonly string[];
  readonly url: string;
  readonly uptimeMs: number;
  readonly durable: boolean;
  readonly links: readonly LinkStatus[];
  readonly clients: number;
  /** Counters of the wire layer and of the node's supervisor, by name. */
  readonly counters: Readonly<Record<string, number>>;
  /** The keys the node is working on and has not seen decided (GenPaxosNode.pending), at most 100. */
  readonly pending: {
    readonly total: number;
    readonly keys: ReadonlyArray<{ readonly key: string; readonly state: string }>;
  };
}

export type ClientReply =
  | { readonly id: number; readonly type: 'decided'; readonly key: string; readonly value: PaxosValue }
  | {
      readonly id: number;
      readonly type: 'read';
      readonly key: string;
      readonly decided: boolean;
      readonly value: PaxosValue | null;
    }
  | { readonly id: number; readonly type: 'status'; readonly status: NodeStatus }
  | { readonly id: number; readonly type: 'faults'; readonly faults: LinkFaultSpec }
  /** How many held messages were released (0: no such message is held). */
  | { readonly id: number; readonly type: 'release'; readonly released: number }
  | {
      readonly id: number;
      readonly type: 'error';
      readonly code: string;
      readonly message: string;
      /** With WIRE_ERR_BUSY: wait about this long before sending the request again. */
      readonly retryAfterMs?: number;
    };

/** Client → node: requests queued in the same tick. */
export interface RequestsFrame {
  readonly v: number;
  readonly t: 'requests';
  readonly requests: readonly ClientRequest[];
}

/** Node → client: replies queued in the same tick. */
export interface RepliesFrame {
  readonly v: number;
  readonly t: 'replies';
  readonly replies: readonly ClientReply[];
}

export type Frame =
  | ChallengeFrame
  | HelloFrame
  | WelcomeFrame
  | RefusalFrame
  | BatchFrame
  | RuntimeFrame
  | RequestsFrame
  | RepliesFrame;
export type FrameType = Frame['t'];
export const FRAME_TYPES: readonly FrameType[] = [
  'challenge',
  'hello',
  'welcome',
  'refusal',
  'batch',
  'runtime',
  'requests',
  'replies',
];

/**
 * Event types that exist only inside a node (the node actor's and XState's own). One arriving
 * from the wire is refused with WIRE_ERR_LOCAL_EVENT: a peer must not drive a node's actors.
 */
export const LOCAL_EVENT_TYPES: readonly string[] = [
  'ask',
  'ask.cancel',
  'read',
  'inbound',
  'instance.decided',
  'instance.retire',
  'storage.failed',
];

export function isLocalEventType(type: string): boolean {
  return LOCAL_EVENT_TYPES.includes(type) || type.startsWith('xstate.');
}
