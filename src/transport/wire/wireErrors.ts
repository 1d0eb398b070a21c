// Stable codes of the wire layer (`WIRE_ERR_*` on `error.code`) and the WebSocket close codes
// that carry handshake refusals, all listed in docs/wire-protocol.md. Callers branch on codes.

export const WIRE_ERROR_CODES = {
  // One bad frame or envelope. Counted per code in the transport's stats.
  /** The frame is larger than `maxFrameBytes`. */
  OVERSIZED: 'WIRE_ERR_OVERSIZED',
  /** A text WebSocket message: frames are binary msgpack. */
  NOT_BINARY: 'WIRE_ERR_NOT_BINARY',
  /** Not exactly one well-formed msgpack value: truncated, trailing bytes, reserved byte, extension type. */
  MALFORMED: 'WIRE_ERR_MALFORMED',
  /** Arrays and maps nested deeper than the frame depth limit. */
  TOO_DEEP: 'WIRE_ERR_TOO_DEEP',
  /** A protocol version this node does not speak (in a frame, or in `hello`). */
  BAD_VERSION: 'WIRE_ERR_BAD_VERSION',
  /** The frame is not a map with a known shape (missing `t`, `envelopes` not an array…). */
  BAD_FRAME: 'WIRE_ERR_BAD_FRAME',
  /** An unknown frame type, message type or request type. */
  UNKNOWN_TAG: 'WIRE_ERR_UNKNOWN_TAG',
  /** A local-only event type (`ask`, `inbound`, `xstate.*`…) arriving from the wire. */
  LOCAL_EVENT: 'WIRE_ERR_LOCAL_EVENT',
  /** A required field is missing or has the wrong type. */
  BAD_FIELD: 'WIRE_ERR_BAD_FIELD',
  /** A number outside its range (a negative, fractional or unsafe ballot round, a bigint…). */
  OUT_OF_RANGE: 'WIRE_ERR_OUT_OF_RANGE',
  /** A key that `checkKey` refuses (empty, too long, not a string). */
  BAD_KEY: 'WIRE_ERR_BAD_KEY',
  /** A value that `checkValue` refuses (NaN, Date, nested too deep…). */
  BAD_VALUE: 'WIRE_ERR_BAD_VALUE',
  /** An envelope whose `from` is not the authenticated peer, or whose `to` is not this node. */
  SPOOFED: 'WIRE_ERR_SPOOFED',
  /** A valid frame that is not allowed here (a batch before the handshake, a request on a peer link…). */
  UNEXPECTED_FRAME: 'WIRE_ERR_UNEXPECTED_FRAME',

  // Handshake refusals: the link is closed with the matching close code.
  /** The HMAC proof of the cluster secret did not verify. */
  AUTH_FAILED: 'WIRE_ERR_AUTH_FAILED',
  /** A peer id that was never a member as far as this node knows (or is this node's own id). */
  UNKNOWN_NODE: 'WIRE_ERR_UNKNOWN_NODE',
  /** The dialler is a member removed by a completed transition (the reason starts `PAXOS_ERR_REMOVED`). */
  REMOVED: 'WIRE_ERR_REMOVED',
  /**
   * The node dialled was itself removed by a completed transition and links nobody: the dialler
   * is not removed (it has not adopted that change yet); it drops that peer once it does.
   */
  PEER_REMOVED: 'WIRE_ERR_PEER_REMOVED',
  /** A joining node (no configuration yet) whose id is not a member: add it first. */
  NOT_A_MEMBER: 'WIRE_ERR_NOT_A_MEMBER',
  /** Same configuration number, another configuration: two groups share a name and a secret, or a bug. */
  CONFIG_CONFLICT: 'WIRE_ERR_CONFIG_CONFLICT',
  /** A peer id that already has a link to this node. */
  DUPLICATE_NODE: 'WIRE_ERR_DUPLICATE_NODE',
  /** The other side belongs to another cluster. */
  WRONG_CLUSTER: 'WIRE_ERR_WRONG_CLUSTER',
  /** The `checkPeer` hook refused the peer's incarnation (for example a node that lost its disk). */
  INCARNATION_REFUSED: 'WIRE_ERR_INCARNATION_REFUSED',
  /** No `hello` / `welcome` within `handshakeTimeoutMs`. */
  HANDSHAKE_TIMEOUT: 'WIRE_ERR_HANDSHAKE_TIMEOUT',
  /** The node at a peer's URL answered with another node id. */
  PEER_MISMATCH: 'WIRE_ERR_PEER_MISMATCH',
  /**
   * Too many connections in their handshake, or too many requests in flight (a client's `error`
   * reply then carries `retryAfterMs`); try again later.
   */
  BUSY: 'WIRE_ERR_BUSY',
  /** Not an error: both nodes dialled, and this link lost the tie-break to the other one. */
  LINK_SUPERSEDED: 'WIRE_ERR_LINK_SUPERSEDED',
  /** A hello or welcome of a member whose key is pinned lacks a valid Ed25519 signature by it. */
  IDENTITY_FAILED: 'WIRE_ERR_IDENTITY_FAILED',
  /** A peer hello for a member whose link is up and healthy: a live link is never taken over. */
  LINK_UP: 'WIRE_ERR_LINK_UP',
  /** A client that does not read its replies: past the session's reply backlog, it is closed. */
  SLOW_CONSUMER: 'WIRE_ERR_SLOW_CONSUMER',

  // Client side.
  /** The WebSocket connection could not be opened. */
  CONNECT_FAILED: 'WIRE_ERR_CONNECT_FAILED',
  /** The connection closed while a request was waiting for its reply. */
  CONNECTION_CLOSED: 'WIRE_ERR_CONNECTION_CLOSED',
  /** No reply within the request's deadline. */
  REQUEST_TIMEOUT: 'WIRE_ERR_REQUEST_TIMEOUT',
} as const;

export type WireErrorCode = (typeof WIRE_ERROR_CODES)[keyof typeof WIRE_ERROR_CODES];

/**
 * WebSocket close codes. 1000–1015 are RFC 6455's; 4000–4999 are ours (RFC 6455 §7.4.2 leaves
 * them to applications). The close reason starts with the matching `WIRE_ERR_*` code.
 */
export const CLOSE_CODES = {
  /** A dialler's close after a proven refusal (the refusing node closes with the refusal's code). */
  NORMAL: 1000,
  /** The node is shutting down. */
  GOING_AWAY: 1001,
  /** ws closes with 1009 by itself when a frame exceeds `maxPayload`. */
  MESSAGE_TOO_BIG: 1009,
  /** Too many handshakes in progress. */
  TRY_AGAIN_LATER: 1013,
  AUTH_FAILED: 4001,
  UNKNOWN_NODE: 4002,
  DUPLICATE_NODE: 4003,
  WRONG_CLUSTER: 4004,
  BAD_VERSION: 4005,
  INCARNATION_REFUSED: 4006,
  HANDSHAKE_TIMEOUT: 4007,
  PEER_MISMATCH: 4008,
  /** 4009 was WIRE_ERR_MEMBERS_MISMATCH (protocol v1): member lists now differ legitimately for a while. */
  /** Not an error: both nodes dialled, and this link lost the tie-break to the other one. */
  LINK_SUPERSEDED: 4010,
  /** The link sent a frame that breaks the protocol (malformed, wrong version, unexpected). */
  PROTOCOL_ERROR: 4011,
  IDENTITY_FAILED: 4012,
  LINK_UP: 4013,
  SLOW_CONSUMER: 4014,
  REMOVED: 4015,
  NOT_A_MEMBER: 4016,
  CONFIG_CONFLICT: 4017,
  PEER_REMOVED: 4018,
} as const;

/** The close code that refuses a handshake for each refusal code. */
export const REFUSAL_CLOSE_CODES: Readonly<Record<string, number>> = {
  [WIRE_ERROR_CODES.AUTH_FAILED]: CLOSE_CODES.AUTH_FAILED,
  [WIRE_ERROR_CODES.UNKNOWN_NODE]: CLOSE_CODES.UNKNOWN_NODE,
  [WIRE_ERROR_CODES.DUPLICATE_NODE]: CLOSE_CODES.DUPLICATE_NODE,
  [WIRE_ERROR_CODES.WRONG_CLUSTER]: CLOSE_CODES.WRONG_CLUSTER,
  [WIRE_ERROR_CODES.BAD_VERSION]: CLOSE_CODES.BAD_VERSION,
  [WIRE_ERROR_CODES.INCARNATION_REFUSED]: CLOSE_CODES.INCARNATION_REFUSED,
  [WIRE_ERROR_CODES.HANDSHAKE_TIMEOUT]: CLOSE_CODES.HANDSHAKE_TIMEOUT,
  [WIRE_ERROR_CODES.PEER_MISMATCH]: CLOSE_CODES.PEER_MISMATCH,
  [WIRE_ERROR_CODES.REMOVED]: CLOSE_CODES.REMOVED,
  [WIRE_ERROR_CODES.NOT_A_MEMBER]: CLOSE_CODES.NOT_A_MEMBER,
  [WIRE_ERROR_CODES.CONFIG_CONFLICT]: CLOSE_CODES.CONFIG_CONFLICT,
  [WIRE_ERROR_CODES.PEER_REMOVED]: CLOSE_CODES.PEER_REMOVED,
  [WIRE_ERROR_CODES.BUSY]: CLOSE_CODES.TRY_AGAIN_LATER,
  [WIRE_ERROR_CODES.LINK_SUPERSEDED]: CLOSE_CODES.LINK_SUPERSEDED,
  [WIRE_ERROR_CODES.IDENTITY_FAILED]: CLOSE_CODES.IDENTITY_FAILED,
  [WIRE_ERROR_CODES.LINK_UP]: CLOSE_CODES.LINK_UP,
  [WIRE_ERROR_CODES.SLOW_CONSUMER]: CLOSE_CODES.SLOW_CONSUMER,
};

/** An error of the wire layer, with a stable `code`. */
export class WireError extends Error {
  readonly code: WireErrorCode;
  /** With WIRE_ERR_BUSY from a node: how long it asks the client to wait before trying again. */
  readonly retryAfterMs: number | undefined;

  constructor(code: WireErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.name = 'WireError';
    this.code = code;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A refused frame, envelope or handshake: the code and a human description. */
export interface WireProblem {
  readonly code: WireErrorCode;
  readonly detail: string;
}

export function problem(code: WireErrorCode, detail: string): WireProblem {
  return { code, detail };
}

/** RFC 6455 §5.5: a close frame's reason is at most 123 bytes of UTF-8. */
const MAX_CLOSE_REASON_BYTES = 123;

/** `WIRE_ERR_X: detail`, cut to fit a close frame. */
export function closeReason(p: WireProblem): string {
  let reason = `${p.code}: ${p.detail}`;
  while (Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES) reason = reason.slice(0, -1);
  return reason;
}

/** The wire error code at the start of a close reason, if the reason carries one. */
export function codeOfCloseReason(reason: string): WireErrorCode | null {
  const match = /^(WIRE_ERR_[A-Z_]+)/.exec(reason);
  const known = Object.values(WIRE_ERROR_CODES) as string[];
  return match && known.includes(match[1] as string) ? (match[1] as WireErrorCode) : null;
}
