// Amnesia refusal (DESIGN.md §5): a node that lost its data directory lost its promises, so it
// must not vote under its old id. Each data directory has an incarnation id; peers remember the
// incarnation they first saw for each member (or learned from another member: incarnationGossip.ts)
// and refuse any other. `checkIncarnation` is the pure rule; `peerIncarnationCheck` turns a store
// into a transport handshake hook.
import { ERROR_CODES } from '../base/errors.js';

/** Where a node keeps its own incarnation and the incarnations it has seen (LmdbStorage). */
export interface IncarnationStore {
  /** This node's incarnation: generated when its data directory was created. */
  readonly incarnation: string;
  /** The incarnation remembered for `peerId`, or `undefined` if it was never seen. */
  knownIncarnation(peerId: string): string | undefined;
  /** Remembers `incarnation` for `peerId`; visible to `knownIncarnation` at once, durable on resolve. */
  rememberIncarnation(peerId: string, incarnation: string): Promise<void>;
}

/**
 * What a node records for a peer seen under two incarnations: one of them forgot its promises and
 * nobody can tell which, so the id is refused whatever it claims. Not a valid claim: no claimed
 * incarnation may start with NUL.
 */
export const DISPUTED_INCARNATION = '\u0000disputed';

/**
 * How every amnesia refusal begins: what the refused node must do. First, because a refusal
 * reaches the refused node in a WebSocket close reason, cut at 123 bytes.
 */
export function rejoinAdvice(nodeId: string): string {
  return `${JSON.stringify(nodeId)} must rejoin as a new member (new id)`;
}

const SEE_DOCS = '(see docs/operations.md, "Data directories and amnesia")';

export type IncarnationVerdict =
  | { readonly ok: true; readonly firstContact: boolean }
  | { readonly ok: false; readonly code: typeof ERROR_CODES.AMNESIA; readonly reason: string };

/**
 * Whether `peerId` may take part claiming incarnation `claimed`, given the one remembered
 * (`known`). First contact is accepted (and should be remembered); the same incarnation is
 * accepted; a missing or different one is refused.
 */
export function checkIncarnation(
  peerId: string,
  known: string | undefined,
  claimed: unknown,
): IncarnationVerdict {
  if (typeof claimed !== 'string' || claimed.length === 0) {
    return refuse(`peer ${JSON.stringify(peerId)} sent no incarnation id`);
  }
  if (claimed.startsWith('\u0000'))
    return refuse(`peer ${JSON.stringify(peerId)} sent an incarnation id starting with NUL (reserved)`);
  if (known === DISPUTED_INCARNATION)
    return refuse(
      `${rejoinAdvice(peerId)}: peer ${JSON.stringify(peerId)} has been seen under two incarnations ` +
        '(by this node or by members it talked to): one of them lost its data directory and may ' +
        `have forgotten its promises, so no incarnation is admitted under this id ${SEE_DOCS}`,
    );
  if (known === undefined) return { ok: true, firstContact: true };
  if (known === claimed) return { ok: true, firstContact: false };
  // The reason names neither incarnation: it reaches `status` (why a link is down), and clients
  // must learn nothing a peer hello needs (docs/security.md).
  return refuse(
    `${rejoinAdvice(peerId)}: peer ${JSON.stringify(peerId)} presents another incarnation than the ` +
      'one remembered for it: it restarted with an empty or different data directory and may have ' +
      `forgotten its promises, so it must not vote under this id ${SEE_DOCS}`,
  );
}

/**
 * A handshake hook `(peerId, incarnation) => reason | null` for transports: `null` admits the
 * peer; a string (starting with the error code) refuses it. A first contact is remembered.
 *
 * @example
 * const storage = new LmdbStorage({ path: dataDir, nodeId: id });
 * await storage.open();
 * const checkPeer = peerIncarnationCheck(storage); // hand to the transport with storage.incarnation
 */
export function peerIncarnationCheck(
  store: IncarnationStore,
  onRememberFailed: (error: unknown) => void = () => {},
): (peerId: string, incarnation: string) => string | null {
  return (peerId, incarnation) => {
    const verdict = checkIncarnation(peerId, store.knownIncarnation(peerId), incarnation);
    if (!verdict.ok) return `${verdict.code}: ${verdict.reason}`;
    if (verdict.firstContact) {
      // A failed write means the store failed; the node stops voting through its own writes.
      store.rememberIncarnation(peerId, incarnation).catch(onRememberFailed);
    }
    return null;
  };
}

function refuse(reason: string): IncarnationVerdict {
  return { ok: false, code: ERROR_CODES.AMNESIA, reason };
}
