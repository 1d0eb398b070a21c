// A WebSocket transport's peers as the node's configuration has them (docs/membership.md §5.4):
// who is linked and at which URL, who was removed and by which configuration, and the adopted
// configuration's number and digest that the handshake announces. Until the node says otherwise
// it is the peers the transport was started with, as configuration 1 (the start members, §4.5).
// `update` says which peers to dial, which to drop, and whose URL changed; the transport acts.
import { createHash } from 'node:crypto';
import { initialConfiguration, type Configuration } from '../../paxos/config.js';
import type { TransportMembership } from '../transport.js';
import type { AnnouncedConfig, Roster } from '../wire/roster.js';

/** SHA-256 (hex) of a configuration's canonical encoding: number, epoch, sorted voters, sorted URLs. */
export function configDigest(config: Configuration): string {
  const urls = Object.entries(config.urls).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify([config.number, config.epoch, [...config.voters].sort(), urls]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** What changed in an update: peers to dial now, peers no longer linked, peers at a new URL. */
export interface RosterChange {
  readonly added: readonly string[];
  readonly dropped: readonly string[];
  readonly moved: readonly string[];
}

export class PeerRoster implements Roster {
  private linked: Map<string, string | null>;
  private removed = new Map<string, number>();
  private announced: AnnouncedConfig | null;

  constructor(
    private readonly self: string,
    /** The peers given at start, by id: their URLs stay dial hints when the chain has none. */
    private readonly hints: Readonly<Record<string, string>>,
    joining: boolean,
  ) {
    this.linked = new Map(Object.entries(hints));
    const start = { ...initialConfiguration([self, ...Object.keys(hints)]), number: 1 };
    this.announced = joining ? null : { number: 1, digest: configDigest(start) };
  }

  get config(): AnnouncedConfig | null {
    return this.announced;
  }

  isMember(id: string): boolean {
    return this.linked.has(id);
  }

  removedIn(id: string): number | null {
    return this.removed.get(id) ?? null;
  }

  /** The configuration that removed this node itself (a completed transition left it out), or null. */
  get selfRemovedIn(): number | null {
    return this.removed.get(this.self) ?? null;
  }

  /** Linked peers and the URL each is dialled at (null: it dials us, we cannot dial it). */
  peers(): ReadonlyMap<string, string | null> {
    return this.linked;
  }

  update(membership: TransportMembership): RosterChange {
    if (membership.configuration === null) {
      // A joining node without a configuration: it keeps dialling its hints and announces none.
      this.announced = null;
      return { added: [], dropped: [], moved: [] };
    }
    const next = new Map<string, string | null>();
    // A node that was removed links nobody: it no longer answers or counts in any quorum.
    if (membership.removed[this.self] === undefined)
      for (const [id, url] of Object.entries(membership.peers))
        if (id !== this.self) next.set(id, url ?? this.linked.get(id) ?? this.hints[id] ?? null);
    const before = this.linked;
    this.linked = next;
    this.removed = new Map(Object.entries(membership.removed));
    const { configuration } = membership;
    this.announced = { number: configuration.number, digest: configDigest(configuration) };
    return {
      added: [...next.keys()].filter((id) => !before.has(id)),
      dropped: [...before.keys()].filter((id) => !next.has(id)),
      moved: [...next.keys()].filter((id) => before.has(id) && before.get(id) !== next.get(id)),
    };
  }
}
