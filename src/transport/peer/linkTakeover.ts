// Who keeps the link when a peer's hello (inbound) or welcome (outbound) arrives while a link to
// that member is already up: the tie-break of handshake.ts, and the rule that a healthy link is
// never taken over (docs/security.md, "Who can do what"). The transport carries out the verdict.
import { performance } from 'node:perf_hooks';
import { winningDialler } from '../wire/handshake.js';
import { WIRE_ERROR_CODES, problem, type WireProblem } from '../wire/wireErrors.js';
import type { PeerLink } from './peerLink.js';

/** What the decision needs to know of the link that is up. */
export interface ExistingLink {
  /** `dialled` when this node opened it. */
  readonly side: 'accepted' | 'dialled';
  readonly isOpen: boolean;
  /** Milliseconds since anything was heard on it. */
  readonly silentForMs: number;
  /** Milliseconds since it came up. */
  readonly upForMs: number;
}

/** What the decision needs of `link`, read now. */
export function factsOf(link: PeerLink): ExistingLink {
  return {
    side: link.conn.side,
    isOpen: link.conn.isOpen,
    silentForMs: link.conn.silentForMs(),
    upForMs: performance.now() - link.upSinceMs,
  };
}

export type TakeoverVerdict =
  /** No link is up: open the new one. */
  | { readonly kind: 'open' }
  /** The new link replaces the old: by the tie-break, or because the old one is dead. */
  | { readonly kind: 'replace'; readonly deadLink: boolean }
  /**
   * The old link stays and the new one is refused with `problem`. `logLevel` is `warn` when
   * someone claims a member whose link is live, `info` for the normal race of both members dialling.
   */
  | { readonly kind: 'refuse'; readonly problem: WireProblem; readonly logLevel: 'debug' | 'info' | 'warn' };

/** A peer hello from `claimed`, received by `self`, while `existing` may be up. */
export function judgeInboundHello(
  self: string,
  claimed: string,
  existing: ExistingLink | undefined,
  heartbeatTimeoutMs: number,
): TakeoverVerdict {
  if (existing === undefined) return { kind: 'open' };
  if (existing.side === 'dialled' && winningDialler(self, claimed) === self)
    return {
      kind: 'refuse',
      problem: problem(WIRE_ERROR_CODES.LINK_SUPERSEDED, `the link dialled by ${self} is kept`),
      logLevel: 'debug',
    };
  // An inbound hello never takes over a healthy link, whoever would win the tie-break: the
  // hello may come from an impostor holding the member's credentials, and the real member
  // must not be locked out (issue 17). The member's own second dial is refused the same way
  // and converges on the link that is up. A link gone silent past the heartbeat timeout is
  // dead: it is dropped and the proven newcomer takes its place.
  if (existing.isOpen && existing.silentForMs <= heartbeatTimeoutMs) {
    // Both members dialling at start is normal (the link this node dialled came up first).
    const race = existing.side === 'dialled' && existing.upForMs < heartbeatTimeoutMs;
    return {
      kind: 'refuse',
      problem: problem(
        WIRE_ERROR_CODES.LINK_UP,
        `node ${JSON.stringify(claimed)} has a healthy link; a live link is not taken over`,
      ),
      logLevel: race ? 'info' : 'warn',
    };
  }
  return { kind: 'replace', deadLink: true };
}

/** The welcome of `peer` to a dial of `self`'s, while a link to `peer` may be up. */
export function judgeOutboundWelcome(self: string, peer: string, linkUp: boolean): TakeoverVerdict {
  if (!linkUp) return { kind: 'open' };
  if (winningDialler(self, peer) !== self)
    return {
      kind: 'refuse',
      problem: problem(WIRE_ERROR_CODES.LINK_SUPERSEDED, `the link dialled by ${peer} is kept`),
      logLevel: 'debug',
    };
  return { kind: 'replace', deadLink: false };
}
