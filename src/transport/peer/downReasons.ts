// Why each peer's link is down, as this node last saw it (linkReasons.ts), and since when. The
// transport records every failed dial and every closed link here; `status`, /metrics and the view
// read it. `record` says whether the reason changed, so a failure is logged once, not per attempt.
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../base/log.js';
import type { Connection } from '../wire/connection.js';
import type { LinkDownReason, LinkStatus } from '../wire/frames.js';
import type { CheckPeer, IncarnationGossip } from '../wire/handshake.js';
import { WIRE_ERROR_CODES, problem } from '../wire/wireErrors.js';
import {
  NOT_YET_CONNECTED,
  describeReason,
  isPermanent,
  reasonOfClose,
  sameReason,
} from '../wire/linkReasons.js';
import type { PeerLink } from './peerLink.js';
import type { DialOutcome } from './redialler.js';

export class DownReasons {
  private readonly reasons = new Map<string, LinkDownReason>();
  private readonly sinceMs = new Map<string, number>();

  constructor(peers: readonly string[]) {
    const now = performance.now();
    for (const peer of peers) {
      this.reasons.set(peer, NOT_YET_CONNECTED);
      this.sinceMs.set(peer, now);
    }
  }

  /** A new peer (the configuration added it): not yet connected. */
  add(peer: string): void {
    this.reasons.set(peer, NOT_YET_CONNECTED);
    this.sinceMs.set(peer, performance.now());
  }

  /** A peer no longer linked (the configuration dropped it). */
  forget(peer: string): void {
    this.reasons.delete(peer);
    this.sinceMs.delete(peer);
  }

  /** Records why `peer` is down; true when it is another reason than the last one. */
  record(peer: string, reason: LinkDownReason): boolean {
    const changed = !sameReason(this.reasons.get(peer), reason);
    this.reasons.set(peer, reason);
    return changed;
  }

  /** The link to `peer` went down now (the reason follows through `record`). */
  wentDown(peer: string): void {
    this.sinceMs.set(peer, performance.now());
  }

  /** The link on `conn` to `peer` closed with `code` and `reason`: records why (reasonOfClose), logs it. */
  connectionClosed(
    peer: string,
    { code, reason }: { readonly code: number; readonly reason: string },
    conn: Pick<Connection, 'closedBy' | 'heartbeatLost'>,
    heartbeatTimeoutMs: number,
    logger: Logger,
  ): void {
    this.wentDown(peer);
    const { closedBy, heartbeatLost } = conn;
    const why = reasonOfClose({ code, reason, closedBy, heartbeatLost, heartbeatTimeoutMs });
    this.record(peer, why);
    logger.info('link down', { peer, code, reason, why: describeReason(why) });
  }

  reasonOf(peer: string): LinkDownReason {
    return this.reasons.get(peer) ?? NOT_YET_CONNECTED;
  }

  downSinceMs(peer: string): number {
    return this.sinceMs.get(peer) ?? performance.now();
  }

  /**
   * Records a failed dial; logs it when the reason changed (a refusal repeats at every attempt
   * until someone fixes the configuration), and tells the redialler whether it is permanent.
   */
  failedDial(peer: string, url: string, why: LinkDownReason, logger: Logger): DialOutcome {
    if (this.record(peer, why)) {
      // LINK_UP: someone holds this node's place at the peer until its heartbeat lapses (an
      // impostor, or this node's own link that the peer has not yet seen die): it passes.
      const quiet =
        why.kind === 'unreachable' || why.kind === 'connecting' || why.code === WIRE_ERROR_CODES.LINK_UP;
      logger[quiet ? 'info' : 'warn'](quiet ? 'peer unreachable' : 'handshake with peer failed', {
        peer,
        url,
        ...(why.code !== null ? { code: why.code } : {}),
        why: describeReason(why),
      });
    } else {
      logger.debug('dial failed', { peer, url, why: describeReason(why) });
    }
    return isPermanent(why) ? 'refused' : 'failed';
  }

  /** Each peer's link, up or down, and why it is down (no URL: a member added without one dials us). */
  linkStatus(peers: ReadonlyMap<string, string | null>, links: ReadonlyMap<string, PeerLink>): LinkStatus[] {
    const nowMs = performance.now();
    return [...peers].map(([peer, known]): LinkStatus => {
      const url = known === null ? {} : { url: known };
      const link = links.get(peer);
      if (link) {
        return {
          peer,
          ...url,
          state: 'up',
          dialledBy: link.dialledBy,
          forMs: Math.round(nowMs - link.upSinceMs),
          reason: null,
        };
      }
      return {
        peer,
        ...url,
        state: 'down',
        dialledBy: null,
        forMs: Math.round(nowMs - this.downSinceMs(peer)),
        reason: this.reasonOf(peer),
      };
    });
  }
}

/**
 * Wraps the amnesia check so that each refusal is noted as why that peer's link is down, whichever
 * side dialled: the refusal of the peer's own dial would otherwise be seen only by the peer.
 */
export function noteIncarnationRefusals(checkPeer: CheckPeer, context: RefusalContext): CheckPeer {
  return (peer, incarnation) => {
    const refusal = checkPeer(peer, incarnation);
    if (refusal !== null && context.isWatched(peer)) {
      const why = incarnationRefused(refusal);
      if (context.down().record(peer, why))
        context.logger.warn('peer refused', { peer, code: why.code, why: describeReason(why) });
    }
    return refusal;
  };
}

/**
 * Wraps the incarnation gossip as the handshakes use it: a member telling us that we forgot is
 * noted as why its link is down, and `revet` then closes the links whose records it disputes.
 */
export function noteGossipRefusals(
  gossip: IncarnationGossip,
  context: RefusalContext & { readonly revet: () => void },
): IncarnationGossip {
  return {
    records: () => gossip.records(),
    settled: () => gossip.settled(),
    learn: (from, records) => {
      const forgot = gossip.learn(from, records);
      if (forgot !== null) {
        if (context.isWatched(from)) context.down().record(from, incarnationRefused(forgot));
        context.logger.error('a member remembers this node under another incarnation', {
          peer: from,
          why: forgot,
        });
      }
      context.revet();
      return forgot;
    },
  };
}

/** Closes every link whose peer the amnesia check now refuses (the gossip disputed its id). */
export function closeRefusedLinks(
  links: Iterable<PeerLink>,
  checkPeer: CheckPeer | undefined,
  logger: Logger,
): void {
  if (!checkPeer) return;
  for (const link of [...links]) {
    const refusal = checkPeer(link.peer.id, link.peer.incarnation);
    if (refusal === null) continue;
    logger.warn('peer refused', { peer: link.peer.id, why: refusal });
    link.conn.fail(problem(WIRE_ERROR_CODES.INCARNATION_REFUSED, refusal));
  }
}

/** What the two wrappers above need of the transport. */
export interface RefusalContext {
  readonly down: () => DownReasons;
  /** A member whose link is not up: a refusal of anyone else changes nothing here. */
  readonly isWatched: (peer: string) => boolean;
  readonly logger: Logger;
}

/** An incarnation refused here, by the amnesia check or by a member's records, as a down reason. */
function incarnationRefused(detail: string): LinkDownReason {
  return {
    kind: 'refused',
    code: WIRE_ERROR_CODES.INCARNATION_REFUSED,
    side: 'local',
    closeCode: null,
    detail,
  };
}
