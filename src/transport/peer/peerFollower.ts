// Keeps a WebSocket transport's links following its node's configuration (docs/membership.md
// §5.4): one redialler per peer that has a URL, peers added and dropped as the roster changes,
// links the roster no longer admits closed, and the hosts of the members' URLs (whose handshakes
// are never pushed out by others') kept current. The transport owns the links; this owns the dials.
import type { Logger } from '../../base/log.js';
import type { RandomSource } from '../../base/random.js';
import type { TransportMembership } from '../transport.js';
import { checkMember } from '../wire/roster.js';
import type { WireProblem } from '../wire/wireErrors.js';
import type { DownReasons } from './downReasons.js';
import { normalAddress } from './handshakeSlots.js';
import type { PeerLink } from './peerLink.js';
import type { PeerRoster } from './peerRoster.js';
import { Redialler, type DialOutcome } from './redialler.js';

export interface FollowerHost {
  readonly roster: PeerRoster;
  readonly links: ReadonlyMap<string, PeerLink>;
  readonly down: DownReasons;
  readonly logger: Logger;
  readonly redial: {
    readonly baseMs: number;
    readonly maxMs: number;
    readonly refusedMs: number;
    readonly random: RandomSource;
  };
  dial(peer: string, url: string): Promise<DialOutcome>;
  /** True once the transport is closing: nothing more is dialled. */
  closing(): boolean;
}

export class PeerFollower {
  private readonly diallers = new Map<string, Redialler>();
  private memberAddresses = new Set<string>();

  constructor(private readonly host: FollowerHost) {
    this.noteMemberAddresses();
  }

  /** Dials every peer of the roster (at start). */
  start(): void {
    for (const peer of this.host.roster.peers().keys()) this.keepDialled(peer);
  }

  /** Whether `address` is a member's (the host of a peer's URL). */
  isMemberAddress(address: string): boolean {
    return this.memberAddresses.has(address);
  }

  /** Why the roster refuses a link to `peer` now (which announced `cfg`), or null. */
  refusalOf(peer: string, cfg: number | undefined): WireProblem | null {
    return checkMember(peer, cfg !== undefined ? { cfg } : {}, this.host.roster);
  }

  /** The link to `peer` went down: redial it, if it is still a peer. */
  linkDown(peer: string): void {
    this.diallers.get(peer)?.linkDown();
  }

  stop(): void {
    for (const dialler of this.diallers.values()) dialler.stop();
    this.diallers.clear();
  }

  /**
   * The node adopted a configuration: new peers are dialled, peers no longer in it dropped (their
   * links closed, with WIRE_ERR_REMOVED for a removed member; a node removed itself closes all of
   * its links with WIRE_ERR_PEER_REMOVED), a peer at a new URL redialled there.
   */
  follow(membership: TransportMembership): void {
    const { roster, down, links, logger } = this.host;
    const change = roster.update(membership);
    this.noteMemberAddresses();
    for (const peer of change.dropped) {
      this.diallers.get(peer)?.stop();
      this.diallers.delete(peer);
      down.forget(peer);
    }
    // Links to peers the roster no longer admits: dropped ones, and any admitted because they
    // announced a newer configuration whose chain did not make them members.
    for (const link of [...links.values()]) {
      const refusal = this.refusalOf(link.peer.id, link.peer.cfg);
      if (refusal === null) continue;
      logger.info('link dropped: not a member any more', { peer: link.peer.id, why: refusal.detail });
      // After the flush of this tick's batch: what the node sent it last (the decision that ends
      // its transition, the chain that tells a removed member why) leaves before the close frame.
      setImmediate(() => link.conn.fail(refusal));
    }
    for (const peer of change.added) {
      down.add(peer);
      this.keepDialled(peer);
    }
    for (const peer of change.moved) this.keepDialled(peer);
    if (change.added.length + change.dropped.length + change.moved.length > 0)
      logger.info('peers follow the configuration', {
        config: membership.configuration?.number ?? null,
        ...change,
      });
  }

  /** Keeps `peer` dialled at its URL from the roster (a peer without one dials us). */
  private keepDialled(peer: string): void {
    this.diallers.get(peer)?.stop();
    this.diallers.delete(peer);
    const url = this.host.roster.peers().get(peer) ?? null;
    if (url === null || this.host.closing()) return;
    const dialler = new Redialler(
      () => this.host.dial(peer, url),
      () => this.host.links.has(peer),
      this.host.redial,
    );
    this.diallers.set(peer, dialler);
    dialler.start();
  }

  private noteMemberAddresses(): void {
    const urls = [...this.host.roster.peers().values()].filter((url): url is string => url !== null);
    this.memberAddresses = new Set(urls.map((url) => normalAddress(new URL(url).hostname)));
  }
}
