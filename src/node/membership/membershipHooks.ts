// Where the key supervisor meets the node's configurations: it holds inbound messages while an
// adoption is written (replaying them once durable), routes membership messages to their handler,
// turns decided `\0cfg/N` and `\0done/e` keys into adoptions, says why this node may not ask
// (joining, removed), and lets a rescanner on this node hear its peers' answers.
import { ERROR_CODES, type ErrorInfo } from '../../base/errors.js';
import { RESERVED_PREFIX, isReservedKey, type Configuration, type ConfigView } from '../../paxos/config.js';
import { ownerAmongSorted } from '../../paxos/owner.js';
import type { GenPaxosNodeEmitted } from '../nodeEvents.js';
import type { Envelope, PaxosValue } from '../../paxos/messages.js';
import type { Storage } from '../../storage/storage.js';
import type { Transport, TransportMembership } from '../../transport/transport.js';
import { handleMembershipMessage } from './membershipInbound.js';
import {
  MEMBERSHIP_KEY,
  decodeMembership,
  membershipEnvelope,
  type MembershipMessage,
} from './membershipMessages.js';
import { NodeMembership } from './nodeMembership.js';
import { transportMembershipOf } from './transportMembership.js';

/** What the hooks need of the key supervisor. */
export interface MembershipHost {
  readonly options: {
    readonly id: string;
    readonly members: readonly string[];
    readonly storage: Storage;
    readonly transport: Transport;
    readonly joining?: boolean;
  };
  readonly runner: { afterWrites(key: string, callback: () => void): void };
  inbound(envelope: Envelope): void;
  stopVoting(failure: ErrorInfo): void;
}

export interface MembershipHooksOptions {
  /** Runs `task` in a later step of the node actor. */
  readonly later: (task: () => void) => void;
  /** A newer view took effect. */
  readonly adopted: (view: ConfigView, fence: number) => void;
  /** The node's clock, to pace what it tells a peer on an older or newer configuration. */
  readonly now: () => number;
}

/** At most one chain or fetch per peer this often (each refused request would trigger one). */
const TELL_INTERVAL_MS = 50;

type Listener = (from: string, message: MembershipMessage) => void;

const NO_VIEW: ConfigView = { epoch: 0, voters: [], previousVoters: null, complete: true };

export class MembershipHooks {
  readonly membership: NodeMembership;
  private held: Envelope[] = [];
  /** When this node last sent each peer its chain or a fetch. */
  private readonly told = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  /** What the transport was last told to link. */
  private linked: TransportMembership | null = null;

  constructor(
    private readonly host: MembershipHost,
    private readonly options: MembershipHooksOptions,
  ) {
    const { id, members, storage, joining } = host.options;
    this.membership = new NodeMembership({
      self: id,
      members,
      storage,
      joining: joining === true,
      settle: (apply) => options.later(apply),
      adopted: (view, fence) => {
        this.syncTransport();
        options.adopted(view, fence);
        this.replay();
      },
      failed: (error) =>
        host.stopVoting({
          code: ERROR_CODES.STORAGE_FAILED,
          message: `storage failed: ${error.message}`,
        }),
    });
    this.syncTransport();
    host.options.transport.onPeerConfig?.((peer, cfg) => options.later(() => this.peerLinked(peer, cfg)));
  }

  /**
   * Tells the transport the peers of the adopted configuration (a transport that follows it). A
   * peer dropped because its removal completed is first sent the chain, so that it learns it was
   * removed and stops (its link is closed right after, and it is refused from then on).
   */
  private syncTransport(): void {
    const { id, transport } = this.host.options;
    if (transport.setMembership === undefined) return;
    const { chain, completeEpoch, current } = this.membership;
    const next = transportMembershipOf(id, chain, current);
    for (const peer of Object.keys(this.linked?.peers ?? {}))
      if (next.removed[peer] !== undefined) this.send(peer, { type: 'cfg.chain', chain, completeEpoch });
    this.linked = next;
    transport.setMembership(next);
  }

  /**
   * A link came up with `peer`, which announced configuration `cfg` (§5.3, §5.4): a peer ahead of
   * this node is asked for its chain; a member behind it (or joining, without one) is sent ours.
   */
  private peerLinked(peer: string, cfg: number | undefined): void {
    const { adopted, chain, completeEpoch, current } = this.membership;
    if (current === null) return; // joining: the members send their chain
    if (cfg !== undefined && cfg > adopted) this.send(peer, { type: 'cfg.fetch', since: adopted });
    else if (cfg === undefined || cfg < adopted) this.send(peer, { type: 'cfg.chain', chain, completeEpoch });
  }

  /** The view instances run under; a joining node has none yet, and votes and proposes nothing. */
  view(): ConfigView {
    return this.membership.current ?? NO_VIEW;
  }

  /**
   * The key's owner in the node's configuration, when round 0 may be used for it at all: a
   * complete epoch (§6.4, I7), a user key. Voters are kept sorted (config.ts).
   */
  ownerOf(key: string): string | null {
    const view = this.membership.current;
    if (view === null || !view.complete || isReservedKey(key)) return null;
    return ownerAmongSorted(key, view.voters);
  }

  /** The node's `config.adopted` event for `view`. */
  adoptedEvent(view: ConfigView): GenPaxosNodeEmitted {
    const { config } = this.membership.describe();
    return {
      type: 'config.adopted',
      config,
      epoch: view.epoch,
      complete: view.complete,
      voters: view.voters,
    };
  }

  /** True when `envelope` must wait for the adoption being written (it is kept for `replay`). */
  hold(envelope: Envelope): boolean {
    if (!this.membership.holding) return false;
    this.held.push(envelope);
    return true;
  }

  /** A membership message: handled here (true), never by a key's step. */
  inbound(envelope: Envelope): boolean {
    if (envelope.key !== MEMBERSHIP_KEY) return false;
    const message = decodeMembership(envelope);
    if (message === null) return true; // malformed: dropped, like a bad frame
    const { id, storage } = this.host.options;
    handleMembershipMessage(
      {
        self: id,
        membership: this.membership,
        storage,
        send: (to, reply) => this.send(to, reply),
        step: (inner) => this.host.inbound(inner),
        afterWrites: (key, callback) => this.host.runner.afterWrites(key, callback),
        answer: (from, reply) => this.listeners.forEach((listener) => listener(from, reply)),
        conflict: (from) =>
          this.host.stopVoting({
            code: ERROR_CODES.DISAGREEMENT,
            message: `${from} sent a configuration chain that contradicts this node's: two groups share a name and a secret, or a bug`,
          }),
      },
      envelope.from,
      message,
    );
    return true;
  }

  send(to: string, message: MembershipMessage): void {
    if (to === this.host.options.id) {
      this.inbound(membershipEnvelope(to, to, message));
      return;
    }
    this.host.options.transport.send(membershipEnvelope(this.host.options.id, to, message));
  }

  /**
   * A request refused for its epoch (§5.3): a sender below this node's fence is sent the chain; a
   * sender ahead of this node's configuration, or one this node does not know as a member (it may
   * have been added in a configuration this node missed), is asked for it. Paced per peer; a peer
   * answers a fetch only when its chain is longer.
   */
  refused(reason: string, from: string): void {
    if (reason !== 'below-fence' && reason !== 'ahead-of-config' && reason !== 'not-member') return;
    if (from === this.host.options.id) return;
    const now = this.options.now();
    if (now - (this.told.get(from) ?? -Infinity) < TELL_INTERVAL_MS) return;
    this.told.set(from, now);
    const { chain, completeEpoch, adopted } = this.membership;
    // Below the fence, or a former member refused (removed): it is behind, tell it. Else ask.
    const behind =
      reason === 'below-fence' ||
      (reason === 'not-member' && chain.some((config) => config.voters.includes(from)));
    if (behind) this.send(from, { type: 'cfg.chain', chain, completeEpoch });
    else this.send(from, { type: 'cfg.fetch', since: adopted });
  }

  /** Listens to the answers of peers (reports, copies held); returns the remover. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A reserved key was decided here: a configuration, or the completion of an epoch. */
  decided(key: string, value: PaxosValue): void {
    const cfg = new RegExp(`^${RESERVED_PREFIX}cfg/(\\d+)$`).exec(key);
    if (cfg !== null) {
      this.membership.learnConfig(value as unknown as Configuration);
      return;
    }
    const done = new RegExp(`^${RESERVED_PREFIX}done/(\\d+)$`).exec(key);
    if (done !== null && value === true) this.membership.learnDone(Number(done[1]));
  }

  /** Why this node refuses asks now, or null. */
  exclusion(): ErrorInfo | null {
    switch (this.membership.exclusion()) {
      case 'joining':
        return {
          code: ERROR_CODES.NOT_A_MEMBER,
          message: `node ${this.host.options.id} has not received its group's configuration yet: add it with changeMembers on a member first`,
        };
      case 'removed':
        return {
          code: ERROR_CODES.REMOVED,
          message: `node ${this.host.options.id} was removed in configuration ${this.membership.adopted}`,
        };
      case null:
        return null;
    }
  }

  private replay(): void {
    const held = this.held;
    this.held = [];
    for (const envelope of held) this.host.inbound(envelope);
  }
}
