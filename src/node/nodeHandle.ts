// The handle of a running gen-paxos node (GenPaxosNode, what `startLink` returns): gen_paxos's
// ask/2, ask/1 and stop/0, membership changes, events and counters, over the node's supervision tree.
import type { Actor } from 'xstate';
import { ERROR_CODES, GenPaxosError, errorFromInfo } from '../base/errors.js';
import type { RuntimeClock } from '../base/clock.js';
import type { RandomSource } from '../base/random.js';
import type { InstanceStateName } from '../paxos/instanceMachine.js';
import type { PaxosValue } from '../paxos/messages.js';
import { isReservedKey } from '../paxos/config.js';
import { checkKey } from '../paxos/validate.js';
import type { ActorNode } from '../runtime/actorNode.js';
import type { SupervisorLogic } from '../runtime/supervisor/supervisor.js';
import type { DurableCommitStats } from '../storage/commitStats.js';
import type { DecidedLog } from '../storage/decidedLog.js';
import type { Storage } from '../storage/storage.js';
import type { Transport, TransportStats } from '../transport/transport.js';
import type { CatchupLimits, CatchupProgress } from './catchup/catchupPuller.js';
import { startNodeCatchup, type NodeCatchup } from './catchup/nodeCatchup.js';
import type { GenPaxosNodeLogic } from './genPaxosNode.js';
import type { KeySupervisor } from './keySupervisor.js';
import type { GenPaxosNodeEmitted, SupervisorStats } from './nodeEvents.js';
import { NodeCalls } from './nodeCalls.js';
import { reservedKeyError } from './nodeRequests.js';
import type { ChangeMembersOptions, MembersChange } from './membership/changeMembers.js';
import type { MembershipView } from './membership/nodeMembership.js';
import { MembershipChanges } from './membershipPort.js';
import type { PaxosPort } from './paxosPort.js';
import type { AskOptions, AskStats, PendingKeys, ReadOptions } from './startLinkOptions.js';

type Listener = (event: GenPaxosNodeEmitted) => void;

/** A running gen-paxos node: the handle `startLink` returns. */
export class GenPaxosNode {
  private stopped = false;
  private keys: KeySupervisor | null = null;
  private current: Actor<GenPaxosNodeLogic> | null = null;
  private root: Actor<SupervisorLogic> | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Asks and reads with options: gen_server calls to the node actor, and their counters. */
  private readonly calls: NodeCalls;
  private catchup: NodeCatchup | null = null;
  /** Membership changes run from this node, and the watch that resumes stalled transitions. */
  private readonly changes: MembershipChanges;

  /** @internal use `startLink`. */
  constructor(
    readonly id: string,
    /** The members given to `startLink`: configurations 0 and 1 (`members()` says what is current). */
    readonly startMembers: readonly string[],
    /** The actor runtime node this node runs on, where it is registered as `gen_paxos`. */
    readonly runtime: ActorNode,
    private readonly transport: Transport,
    private readonly storage: Storage,
    private readonly clock: RuntimeClock,
    askTimeoutMs: number,
  ) {
    this.calls = new NodeCalls({
      id,
      startMembers,
      runtime,
      transport,
      clock,
      askTimeoutMs,
      stopped: () => this.stopped,
      decidedAnswer: (key) => this.keys?.reads.decidedAnswer(key),
    });
    this.changes = new MembershipChanges({
      self: id,
      actor: () => (this.stopped ? null : this.current),
      clock,
      transport,
      storage,
    });
  }

  /** @internal the tree reports its node actor and its key supervisor here, at every (re)start. */
  attach(tree: {
    root?: Actor<SupervisorLogic>;
    actor?: Actor<GenPaxosNodeLogic>;
    keys?: KeySupervisor;
  }): void {
    if (tree.root) this.root = tree.root;
    if (tree.actor) this.current = tree.actor;
    if (tree.keys) this.keys = tree.keys;
  }

  /** @internal every event the node actor emits, across its restarts. */
  emitted(event: GenPaxosNodeEmitted): void {
    for (const type of [event.type, '*'])
      for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  /**
   * The node actor (genPaxosNode), as it runs now: inspect it, or send it events. After a crash its
   * supervisor starts a new one; subscribe with `on`, which follows restarts.
   */
  get actor(): Actor<GenPaxosNodeLogic> {
    return this.current as Actor<GenPaxosNodeLogic>;
  }

  /**
   * Subscribes to the node's emitted events (`decided`, `instance.restarted`, `message.refused`…, or
   * `'*'` for all), across restarts of the node actor. Returns the unsubscriber.
   *
   * @example
   * const stop = node.on('decided', (event) => console.log(event.key, event.value));
   */
  on<T extends GenPaxosNodeEmitted['type'] | '*'>(
    type: T,
    listener: (
      event: T extends '*' ? GenPaxosNodeEmitted : Extract<GenPaxosNodeEmitted, { type: T }>,
    ) => void,
  ): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const added = listener as Listener;
    set.add(added);
    return () => set.delete(added);
  }

  /** This node as the leader layer (and any layer built on it) sees it. */
  get port(): PaxosPort {
    return {
      id: this.id,
      ask: (key, value, timeoutMs) => this.ask(key, value, { timeoutMs }),
      read: (key) => this.read(key),
      onDecided: (listener) => this.on('decided', (event) => listener(event.key, event.value)),
    };
  }

  /**
   * Asks the group to decide `value` for `key` (gen_paxos:ask/2). Resolves with the value the
   * group decided, which is `value` only if this ask won; every node gets the same answer.
   *
   * @example
   * const decided = await node.ask('leader', 'a');
   */
  ask(key: string, value: PaxosValue, options: AskOptions = {}): Promise<PaxosValue> {
    return this.calls.ask(key, value, options);
  }

  /** Asks made through this node: started, decided, failed by code, and their latency. */
  get askStats(): AskStats {
    return this.calls.askStats;
  }

  /**
   * The decided value of `key` as known on this node, or `undefined` (gen_paxos:ask/1): never a
   * value that was not chosen, and once this node answered an ask of `key` with a value, that value
   * (read-your-writes; docs/membership.md §8). It may be `undefined` for a key decided elsewhere.
   * Throws PAXOS_ERR_STOPPED after `stop()`, whatever the store (a closed one cannot be read).
   *
   * With options it returns a promise: `{ quorum: true }` is a linearizable read (what a quorum
   * knows); `{}` is this node's knowledge, also after a crash (a key accepted here but not decided
   * is resolved with a quorum read). See `ReadOptions`.
   *
   * @example
   * node.read('colour'); // 'red', or undefined if this node knows no decision
   * await node.read('colour', { quorum: true }); // 'red', or undefined if none can have been chosen
   */
  read(key: string): PaxosValue | undefined;
  read(key: string, options: ReadOptions): Promise<PaxosValue | undefined>;
  read(key: string, options?: ReadOptions): PaxosValue | undefined | Promise<PaxosValue | undefined> {
    if (options !== undefined) return this.calls.read(key, options);
    const problem = checkKey(key);
    if (problem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, problem);
    if (isReservedKey(key)) throw errorFromInfo(reservedKeyError(key));
    if (this.stopped) throw new GenPaxosError(ERROR_CODES.STOPPED, `node ${this.id} is stopped`);
    return this.keysOrThrow().reads.read(key);
  }

  /**
   * The group's configuration as this node adopted it (docs/membership.md §4): its number and
   * epoch, its members (id and URL), and whether the change that made it is complete.
   */
  async members(): Promise<MembershipView> {
    if (this.stopped) throw new GenPaxosError(ERROR_CODES.STOPPED, `node ${this.id} is stopped`);
    return this.keysOrThrow().membership.describe();
  }

  /**
   * Changes the group's members (docs/membership.md §6): `{ add: { id, url } }`, `{ remove: id }`,
   * or both at once to replace a member in one change. Resolves with the new configuration once
   * the change is complete (decided, adopted, rescanned, `\0done` decided); rejects with
   * PAXOS_ERR_CHANGE_IN_PROGRESS, _MEMBER_EXISTS, _NOT_A_MEMBER, _UNSAFE_CHANGE or
   * _CHANGE_CONFLICT when it is refused (nothing changed), PAXOS_ERR_TIMEOUT when its
   * configuration was not decided in time (it may still be), and PAXOS_ERR_CHANGE_INCOMPLETE
   * when it is decided but its transition did not complete (the message says where it stands).
   *
   * @example
   * await a.changeMembers({ remove: 'c', add: { id: 'f', url: 'wss://10.0.0.4:7001' } });
   */
  changeMembers(change: MembersChange, options: ChangeMembersOptions = {}): Promise<MembershipView> {
    return this.runChange(change, options, false);
  }

  /**
   * Adds a member (docs/membership.md §13.3): `changeMembers({ add: member })`. Start it with
   * `startLink({ join: true })` (or `gen-paxos node --join`), before or after; the change does not
   * wait for it.
   */
  addMember(
    member: { readonly id: string; readonly url?: string },
    options: ChangeMembersOptions = {},
  ): Promise<MembershipView> {
    return this.changeMembers({ add: member }, options);
  }

  /** Removes member `id`: `changeMembers({ remove: id })`. */
  removeMember(id: string, options: ChangeMembersOptions = {}): Promise<MembershipView> {
    return this.changeMembers({ remove: id }, options);
  }

  /**
   * Replaces member `oldId` with a new member in one change: `changeMembers({ remove, add })`.
   *
   * @example
   * await a.replaceMember('c', { id: 'f', url: 'wss://10.0.0.4:7001' });
   */
  replaceMember(
    oldId: string,
    member: { readonly id: string; readonly url?: string },
    options: ChangeMembersOptions = {},
  ): Promise<MembershipView> {
    return this.changeMembers({ remove: oldId, add: member }, options);
  }

  /**
   * @internal The same change with its transition completed without the rescan: UNSAFE, for the
   * must-fail controls of the tests only (it loses decisions, which is what they show).
   */
  changeMembersSkippingRescan(
    change: MembersChange,
    options: ChangeMembersOptions = {},
  ): Promise<MembershipView> {
    return this.runChange(change, options, true);
  }

  private runChange(
    change: MembersChange,
    options: ChangeMembersOptions,
    skipRescan: boolean,
  ): Promise<MembershipView> {
    if (this.stopped)
      return Promise.reject(new GenPaxosError(ERROR_CODES.STOPPED, `node ${this.id} is stopped`));
    return this.changes.change(change, options, skipRescan);
  }

  /** @internal startLink: resume transitions nobody completes (docs/membership.md §6.2). */
  watchTransitions(random: RandomSource, timeoutMs: number): void {
    this.changes.watch(random, timeoutMs, (listener) => this.on('config.adopted', listener));
    const view = this.keysOrThrow().membership.describe();
    this.changes.seen({ complete: view.complete, voters: view.members.map((member) => member.id) });
  }

  /** The state of `key`'s instance on this node (`decided` once retired to storage). */
  stateOf(key: string): InstanceStateName | 'failed' {
    return this.keysOrThrow().stateOf(key);
  }

  /**
   * What this node is working on: the keys it has not seen decided but holds a live instance, a
   * waiting ask, a vote awaiting its outcome for, or has given up; at most `limit` of them (in no
   * particular order) with their states, and how many there are.
   */
  pending(limit = 100): PendingKeys {
    const keys = this.keysOrThrow().pendingKeys();
    return {
      total: keys.length,
      keys: keys.slice(0, Math.max(0, limit)).map((key) => ({ key, state: this.keysOrThrow().stateOf(key) })),
    };
  }

  /** The storage's group-commit counters, if it keeps them. */
  get storageStats(): DurableCommitStats | undefined {
    return this.storage.commitStats?.();
  }

  /** The transport's counters, if it keeps them. */
  get transportStats(): TransportStats | undefined {
    return this.transport.stats?.();
  }

  /** Supervisor counters: instances spawned, retired, restarted; asks; messages. */
  get stats(): Readonly<SupervisorStats> & { readonly liveInstances: number } {
    return { ...this.keysOrThrow().stats, liveInstances: this.keysOrThrow().liveInstances };
  }

  /**
   * How far this node has pulled the other members' decided logs (catch-up), or null when catch-up
   * is off (the `catchup: false` option, or a store without a decided log).
   */
  get catchupProgress(): CatchupProgress | null {
    return this.catchup?.progress() ?? null;
  }

  /** @internal startLink starts catch-up once the node runs. */
  startCatchup(storage: Storage & DecidedLog, limits: Partial<CatchupLimits>): void {
    this.catchup = startNodeCatchup({
      id: this.id,
      members: this.startMembers,
      runtime: this.runtime,
      storage,
      clock: this.clock,
      deliver: (envelope) => {
        if (!this.stopped) this.current?.send({ type: 'inbound', envelope });
      },
      keys: () => this.keys,
      emit: (event) => this.emitted(event),
      limits,
    });
  }

  /** The node's key supervisor as it runs now, for the node's own layers (servers, inspection). */
  get internals(): KeySupervisor {
    return this.keysOrThrow();
  }

  private keysOrThrow(): KeySupervisor {
    if (this.keys === null) throw new GenPaxosError(ERROR_CODES.STOPPED, `node ${this.id} is not running`);
    return this.keys;
  }

  /** Stops the node: pending asks reject with PAXOS_ERR_STOPPED; transport and storage are closed. */
  async stop(): Promise<void> {
    if (!this.stopOnce()) return;
    await this.transport.close();
    await this.storage.close();
  }

  /** Stops the node as a crash would: nothing is flushed or closed. For simulations. */
  halt(): void {
    if (!this.stopOnce()) return;
    void this.transport.close();
  }

  /** What `stop` and `halt` share: catch-up, changes and the tree stop. False if already stopped. */
  private stopOnce(): boolean {
    if (this.stopped) return false;
    this.stopped = true;
    this.catchup?.stop();
    this.changes.stop();
    this.root?.stop();
    return true;
  }
}
