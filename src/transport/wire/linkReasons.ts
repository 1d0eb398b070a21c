// Why a link is down (frames.ts LinkDownReason): made from what a dial attempt or a closed link
// came to, said in words for `status`, `health`, /metrics and the view, and judged permanent or
// not (a permanent refusal is redialled once a minute, not every few seconds). Pure.
import type { LinkDownReason } from './frames.js';
import { CLOSE_CODES, WIRE_ERROR_CODES, codeOfCloseReason, type WireProblem } from './wireErrors.js';

export const NOT_YET_CONNECTED: LinkDownReason = {
  kind: 'connecting',
  code: null,
  side: null,
  closeCode: null,
  detail: 'no connection attempt has finished yet',
};

/** Refusals that the same configuration will give again: retrying soon cannot help. */
const PERMANENT: readonly string[] = [
  WIRE_ERROR_CODES.AUTH_FAILED,
  WIRE_ERROR_CODES.WRONG_CLUSTER,
  WIRE_ERROR_CODES.BAD_VERSION,
  WIRE_ERROR_CODES.UNKNOWN_NODE,
  WIRE_ERROR_CODES.REMOVED,
  // A removed node stays removed: the dialler drops it once it adopts that change, and until then
  // redials it at the refused pace (an unauthenticated close frame is no proof to drop it on).
  WIRE_ERROR_CODES.PEER_REMOVED,
  WIRE_ERROR_CODES.NOT_A_MEMBER,
  WIRE_ERROR_CODES.CONFIG_CONFLICT,
  WIRE_ERROR_CODES.INCARNATION_REFUSED,
  WIRE_ERROR_CODES.PEER_MISMATCH,
  WIRE_ERROR_CODES.IDENTITY_FAILED,
];

/** What one dial attempt came to, when it did not bring a link up. */
export interface FailedDial {
  /** Whether the WebSocket opened (the handshake then failed) or not (nothing answered). */
  readonly opened: boolean;
  /** The socket's error, when it did not open. */
  readonly socketError: string | null;
  readonly problem: WireProblem;
  /** Who closed the connection: the peer (its refusal came in the close frame) or this node. */
  readonly closedBy: 'local' | 'remote' | null;
  readonly closeCode: number | null;
  /** The peer's refusal came in a refusal frame that verified (handshakeRefusal.ts). */
  readonly authenticated?: boolean | undefined;
}

export function reasonOfDial(dial: FailedDial): LinkDownReason {
  if (!dial.opened)
    return {
      kind: 'unreachable',
      code: null,
      side: null,
      closeCode: null,
      detail: dial.socketError ?? dial.problem.detail,
    };
  const { code, detail } = dial.problem;
  if (dial.authenticated === true)
    // Proven by the peer itself; this side may have closed first, answering it.
    return { kind: 'refused', code, side: 'peer', closeCode: dial.closeCode, detail, authenticated: true };
  if (code === WIRE_ERROR_CODES.CONNECTION_CLOSED || code === WIRE_ERROR_CODES.HANDSHAKE_TIMEOUT)
    return { kind: 'unreachable', code, side: null, closeCode: dial.closeCode, detail };
  return {
    kind: 'refused',
    code,
    side: dial.closedBy === 'remote' ? 'peer' : 'local',
    closeCode: dial.closedBy === 'remote' ? dial.closeCode : null,
    detail,
  };
}

/** What closed an open link. */
export interface ClosedLink {
  readonly code: number;
  readonly reason: string;
  readonly closedBy: 'local' | 'remote' | null;
  /** This node dropped the link because the peer fell silent. */
  readonly heartbeatLost: boolean;
  readonly heartbeatTimeoutMs: number;
}

export function reasonOfClose(closed: ClosedLink): LinkDownReason {
  if (closed.heartbeatLost)
    return {
      kind: 'heartbeat',
      code: null,
      side: null,
      closeCode: null,
      detail: `nothing heard from the peer for ${closed.heartbeatTimeoutMs} ms`,
    };
  const stated = codeOfCloseReason(closed.reason);
  const side = closed.closedBy === 'local' ? 'local' : 'peer';
  const detail =
    closed.reason.replace(/^WIRE_ERR_[A-Z_]+: ?/, '') ||
    (closed.code === 1006 ? 'connection lost without a close frame' : `close code ${closed.code}`);
  if (stated !== null && PERMANENT.includes(stated))
    return { kind: 'refused', code: stated, side, closeCode: closed.code, detail };
  return {
    kind: 'closed',
    code: stated,
    side: closed.code === 1006 ? null : side,
    closeCode: closed.code,
    detail,
  };
}

/** A refusal the same configuration will give again. */
export function isPermanent(reason: LinkDownReason): boolean {
  return reason.kind === 'refused' && reason.code !== null && PERMANENT.includes(reason.code);
}

/** Whether two reasons are the same for logging: kind, code, side, proof (details vary per attempt). */
export function sameReason(a: LinkDownReason | undefined, b: LinkDownReason): boolean {
  return (
    a !== undefined &&
    a.kind === b.kind &&
    a.code === b.code &&
    a.side === b.side &&
    a.authenticated === b.authenticated
  );
}

const REFUSAL_WORDS: Readonly<Record<string, string>> = {
  [WIRE_ERROR_CODES.AUTH_FAILED]: 'wrong secret',
  [WIRE_ERROR_CODES.WRONG_CLUSTER]: 'wrong cluster',
  [WIRE_ERROR_CODES.BAD_VERSION]: 'protocol version',
  [WIRE_ERROR_CODES.UNKNOWN_NODE]: 'not a member',
  [WIRE_ERROR_CODES.REMOVED]: 'removed',
  [WIRE_ERROR_CODES.PEER_REMOVED]: 'peer removed',
  [WIRE_ERROR_CODES.NOT_A_MEMBER]: 'not a member yet',
  [WIRE_ERROR_CODES.CONFIG_CONFLICT]: 'configuration conflict',
  [WIRE_ERROR_CODES.INCARNATION_REFUSED]: 'amnesia',
  [WIRE_ERROR_CODES.PEER_MISMATCH]: 'another node at that URL',
  [WIRE_ERROR_CODES.BUSY]: 'busy',
  [WIRE_ERROR_CODES.DUPLICATE_NODE]: 'duplicate link',
  [WIRE_ERROR_CODES.IDENTITY_FAILED]: 'identity',
  [WIRE_ERROR_CODES.LINK_UP]: 'link already up',
};

/** A few words for tables: `refused by peer: member mismatch`, `unreachable`, `closed by peer (1001)`. */
export function reasonSummary(reason: LinkDownReason): string {
  switch (reason.kind) {
    case 'connecting':
      return 'connecting';
    case 'unreachable':
      return reason.code === WIRE_ERROR_CODES.HANDSHAKE_TIMEOUT
        ? 'unreachable (handshake timeout)'
        : 'unreachable';
    case 'refused': {
      const what =
        (reason.code !== null ? REFUSAL_WORDS[reason.code] : undefined) ?? reason.code ?? 'refused';
      const by = reason.side === 'peer' ? (reason.authenticated ? 'peer (proven)' : 'peer') : 'this node';
      return `refused by ${by}: ${what}`;
    }
    case 'closed': {
      if (reason.closeCode === CLOSE_CODES.GOING_AWAY && reason.side === 'peer')
        return 'closed by peer: stopping';
      if (reason.side === null) return `connection lost (${reason.closeCode ?? '?'})`;
      return `closed by ${reason.side === 'peer' ? 'peer' : 'this node'} (${reason.closeCode ?? '?'})`;
    }
    case 'heartbeat':
      return 'heartbeat lost';
  }
}

/** The summary, the code and the detail: `refused by peer: amnesia (WIRE_ERR_INCARNATION_REFUSED: …)`. */
export function describeReason(reason: LinkDownReason): string {
  const code = reason.code !== null && reason.kind !== 'unreachable' ? `${reason.code}: ` : '';
  return `${reasonSummary(reason)} (${code}${reason.detail})`;
}
