// A node's configurations (docs/membership.md §4.5, §5.2): the chain it adopted, its epoch fence
// and the highest epoch it knows complete, loaded from the store's configuration database, and the
// adoption of newer ones. Configuration 0 and 1 are the members the node was started with (epoch
// 0, complete: a group that never changes runs exactly as before configurations, and writes
// nothing here). Every adoption is written durably before it takes effect: while the write is in
// flight the node holds every inbound message (its caller replays them once it is durable), so it
// never votes under a new epoch, nor reports, before its fence is on disk (I3).
import {
  initialConfiguration,
  prepareTargets,
  sameVoters,
  viewOf,
  type Configuration,
  type ConfigView,
} from '../../paxos/config.js';
import type { Storage } from '../../storage/storage.js';
import { hasMembershipStore, type StoredMembership } from '../../storage/membershipStore.js';

export interface NodeMembershipOptions {
  readonly self: string;
  /** The members the node was started with: configurations 0 and 1 unless the store holds a chain. */
  readonly members: readonly string[];
  readonly storage: Storage;
  /** A new member: it starts with no configuration and waits for the group's chain (`cfg.chain`). */
  readonly joining: boolean;
  /** Hands a settled write back through the node actor's mailbox (the write's outcome, or its error). */
  readonly settle: (apply: () => void, error?: Error) => void;
  /** A newer view took effect (its write is durable): tell the instances, replay held messages. */
  readonly adopted: (view: ConfigView, fence: number) => void;
  /** The configuration write failed: the node must stop voting. */
  readonly failed: (error: Error) => void;
}

/** What `members()` reports: the adopted configuration and whether its transition is complete. */
export interface MembershipView {
  /** The adopted configuration's number (0: the node joined and adopted none yet). */
  readonly config: number;
  readonly epoch: number;
  /** True once the change that started this epoch is complete (`\0done/epoch` decided). */
  readonly complete: boolean;
  readonly members: ReadonlyArray<{ readonly id: string; readonly url: string | null }>;
  /** While the transition runs: the voters of the previous epoch, who still answer phase 1. */
  readonly previousVoters: readonly string[] | null;
}

export class NodeMembership {
  private state: StoredMembership;
  private view: ConfigView | null = null;
  /** `prepareTargets(view)`, kept with the view: asked for on every message. */
  private targets: readonly string[] = [];
  /** A state being written; `queued` is the latest one asked for meanwhile. */
  private writing: StoredMembership | null = null;
  private queued: StoredMembership | null = null;

  constructor(private readonly options: NodeMembershipOptions) {
    const stored = hasMembershipStore(options.storage) ? options.storage.loadMembership() : undefined;
    if (stored !== undefined) this.state = stored;
    else if (options.joining) this.state = { chain: [], fence: 0, completeEpoch: 0 };
    else {
      const initial = initialConfiguration(options.members);
      this.state = { chain: [initial, { ...initial, number: 1 }], fence: 0, completeEpoch: 0 };
    }
    this.setView(this.viewOfState(this.state));
  }

  private setView(view: ConfigView | null): void {
    this.view = view;
    this.targets = view === null ? [] : prepareTargets(view);
  }

  /** The configuration the node runs under, or null before a joining node adopted one. */
  get current(): ConfigView | null {
    return this.view;
  }

  get fence(): number {
    return this.state.fence;
  }

  get chain(): readonly Configuration[] {
    return this.state.chain;
  }

  get completeEpoch(): number {
    return this.state.completeEpoch;
  }

  /** The number of the adopted configuration (-1: none). */
  get adopted(): number {
    return this.state.chain.length - 1;
  }

  /** True while an adoption is being written: inbound messages wait for it. */
  get holding(): boolean {
    return this.writing !== null;
  }

  /** Whose messages count: the voters, and the previous voters while the epoch is in transition. */
  members(): readonly string[] {
    return this.targets;
  }

  /** Why this node may not ask or propose now, or null: a joining node, or a removed one. */
  exclusion(): 'joining' | 'removed' | null {
    if (this.view === null) return 'joining';
    return this.members().includes(this.options.self) ? null : 'removed';
  }

  describe(): MembershipView {
    const config = this.state.chain.at(-1);
    return {
      config: config?.number ?? 0,
      epoch: config?.epoch ?? 0,
      complete: this.view?.complete ?? false,
      members: (config?.voters ?? []).map((id) => ({ id, url: config?.urls[id] ?? null })),
      previousVoters: this.view?.previousVoters ?? null,
    };
  }

  /**
   * `chain` (configurations 0..N) and `completeEpoch` learned from a peer or a decision: adopts
   * the configurations this node does not have, in order. Returns false when the chain
   * contradicts the one adopted here (a configuration number with other voters: never adopted).
   */
  learnChain(chain: readonly Configuration[], completeEpoch: number): boolean {
    const base = this.queued ?? this.writing ?? this.state;
    const merged = [...base.chain];
    for (const config of chain) {
      const known = merged[config.number];
      if (known !== undefined) {
        if (known.epoch !== config.epoch || !sameVoters(known.voters, config.voters)) return false;
        continue;
      }
      if (config.number !== merged.length) break; // a gap: adopt in order only (§5.3 fetches the rest)
      merged.push(config);
    }
    const last = merged.at(-1);
    const complete = Math.min(Math.max(base.completeEpoch, completeEpoch), last?.epoch ?? 0);
    if (merged.length === base.chain.length && complete === base.completeEpoch) return true;
    this.save({ chain: merged, fence: Math.max(base.fence, last?.epoch ?? 0), completeEpoch: complete });
    return true;
  }

  /** `\0cfg/N` was decided with `config`. */
  learnConfig(config: Configuration): boolean {
    const base = this.queued ?? this.writing ?? this.state;
    if (config.number !== base.chain.length) return true; // known already, or a gap to fetch
    return this.learnChain([...base.chain, config], base.completeEpoch);
  }

  /** `\0done/epoch` was decided: the transition into `epoch` is complete. */
  learnDone(epoch: number): void {
    const base = this.queued ?? this.writing ?? this.state;
    this.learnChain(base.chain, epoch);
  }

  private save(next: StoredMembership): void {
    if (this.writing !== null) {
      this.queued = next;
      return;
    }
    this.writing = next;
    const storage = this.options.storage;
    if (!hasMembershipStore(storage)) {
      // A store without a configuration database: the node adopts in memory only (custom stores).
      this.options.settle(() => this.written(next));
      return;
    }
    storage.saveMembership(next).then(
      () => this.options.settle(() => this.written(next)),
      (error: unknown) =>
        this.options.settle(
          () => this.options.failed(error instanceof Error ? error : new Error(String(error))),
          error instanceof Error ? error : new Error(String(error)),
        ),
    );
  }

  private written(state: StoredMembership): void {
    this.state = state;
    this.writing = null;
    this.setView(this.viewOfState(state));
    const queued = this.queued;
    this.queued = null;
    if (queued !== null) this.save(queued);
    if (this.view !== null && this.writing === null) this.options.adopted(this.view, state.fence);
  }

  private viewOfState(state: StoredMembership): ConfigView | null {
    if (state.chain.length === 0) return null;
    return viewOf(state.chain, state.chain.length - 1, state.completeEpoch);
  }
}
