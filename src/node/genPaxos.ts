// The gen_paxos API: `startLink` starts a node — its supervision tree (nodeTree.ts) over a transport
// and a store — and returns a handle with `ask` / `read` / `stop`, like gen_paxos:start_link/2,
// ask/2, ask/1 and stop/0. `ask` is a gen_server call to the node (nodeRequests.ts).
import type { Actor } from 'xstate';
import { ERROR_CODES, GenPaxosError, errorFromInfo } from '../base/errors.js';
import { systemClock, type RuntimeClock } from '../base/clock.js';
import { Histogram } from '../base/histogram.js';
import { systemRandom } from '../base/random.js';
import type { InstanceStateName } from '../paxos/instanceMachine.js';
import type { PaxosValue } from '../paxos/messages.js';
import { isReservedKey } from '../paxos/config.js';
import { checkKey, checkValue } from '../paxos/validate.js';
import { createActorNode, type ActorNode } from '../runtime/actorNode.js';
import { createGenServer, type GenServer } from '../runtime/genServer/genServer.js';
import { RUNTIME_ERROR_CODES } from '../runtime/runtimeError.js';
import type { SupervisorLogic } from '../runtime/supervisor/supervisor.js';
import type { DurableCommitStats } from '../storage/commitStats.js';
import { hasDecidedLog, type DecidedLog } from '../storage/decidedLog.js';
import { LmdbStorage } from '../storage/lmdbStorage.js';
import { hasMembershipStore } from '../storage/membershipStore.js';
import { MemoryStorage } from '../storage/memoryStorage.js';
import type { Storage } from '../storage/storage.js';
import type { Transport, TransportStats } from '../transport/transport.js';
import { describeAskTimeout } from './askTimeout.js';
import type { CatchupLimits, CatchupProgress } from './catchup/catchupPuller.js';
import { startNodeCatchup, type NodeCatchup } from './catchup/nodeCatchup.js';
import type { GenPaxosNodeLogic } from './genPaxosNode.js';
import type { KeySupervisor } from './keySupervisor.js';
import type { GenPaxosNodeEmitted, GenPaxosNodeReply, SupervisorStats } from './nodeEvents.js';
import { GEN_PAXOS_NAME, reservedKeyError, type GenPaxosRequest } from './nodeRequests.js';
import type { ChangeMembersOptions, MembersChange } from './membership/changeMembers.js';
import type { MembershipView } from './membership/nodeMembership.js';
import { MembershipChanges } from './membershipPort.js';
import { DEFAULT_RESCAN_TIMEOUT_MS } from './transitionWatch.js';
import type { RandomSource } from '../base/random.js';
import { startNodeTree } from './nodeTree.js';
import type { PaxosPort } from './paxosPort.js';
import { checkTimeout } from './validateOptions.js';
import {
  ASK_LATENCY_BUCKETS_MS,
  DEFAULT_ASK_TIMEOUT_MS,
  checkStartLinkOptions,
  type AskOptions,
  type AskStats,
  type PendingKeys,
  type ReadOptions,
  type StartLinkOptions,
} from './startLinkOptions.js';

export { ASK_LATENCY_BUCKETS_MS, DEFAULT_ASK_TIMEOUT_MS } from './startLinkOptions.js';
export type { AskOptions, AskStats, PendingKeys, ReadOptions, StartLinkOptions } from './startLinkOptions.js';

type Listener = (event: GenPaxosNodeEmitted) => void;

/** A running gen-paxos node: the handle `startLink` returns. */
export class GenPaxosNode {
  private stopped = false;
  private keys: KeySupervisor | null = null;
  private current: Actor<GenPaxosNodeLogic> | null = null;
  private root: Actor<SupervisorLogic> | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly server: GenServer;
  private readonly asks = { started: 0, decided: 0, failed: {} as Record<string, number> };
  private readonly askLatency = new Histogram(ASK_LATENCY_BUCKETS_MS);
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
    private readonly askTimeoutMs: number,
  ) {
    this.server = createGenServer(runtime);
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
  async ask(key: string, value: PaxosValue, options: AskOptions = {}): Promise<PaxosValue> {
    if (this.stopped) throw new GenPaxosError(ERROR_CODES.STOPPED, `node ${this.id} is stopped`);
    const keyProblem = checkKey(key);
    if (keyProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, keyProblem);
    if (isReservedKey(key)) throw errorFromInfo(reservedKeyError(key));
    const valueProblem = value === undefined ? 'value must not be undefined' : checkValue(value);
    if (valueProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_VALUE, valueProblem);
    const timeoutMs = options.timeoutMs ?? this.askTimeoutMs;
    const timeoutProblem = checkTimeout(timeoutMs);
    if (timeoutProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_OPTION, timeoutProblem);

    this.asks.started++;
    const startedAtMs = this.clock.now();
    const request: GenPaxosRequest = { type: 'ask', key, value };
    let reply: GenPaxosNodeReply;
    try {
      reply = await this.server.call<GenPaxosNodeReply>(GEN_PAXOS_NAME, request, { timeoutMs });
    } catch (error) {
      throw this.failure(this.callError(error, key, timeoutMs));
    }
    if (reply.type === 'paxos.decided') {
      this.asks.decided++;
      this.askLatency.observe(this.clock.now() - startedAtMs);
      return reply.value;
    }
    if (reply.type === 'paxos.failed') throw this.failure(errorFromInfo(reply.error));
    throw this.failure(new GenPaxosError(ERROR_CODES.BAD_OPTION, `unexpected reply ${reply.type} to an ask`));
  }

  /** A rejected gen_server call, as the ask's own error: a timeout, or the node gone. */
  private callError(error: unknown, key: string, timeoutMs: number): GenPaxosError {
    const code = (error as { code?: string }).code;
    if (code === RUNTIME_ERROR_CODES.TIMEOUT) {
      const linkUp = (peer: string) => this.transport.isLinkUp?.(peer);
      const facts = { key, timeoutMs, node: this.id, members: this.startMembers, linkUp };
      return new GenPaxosError(ERROR_CODES.TIMEOUT, describeAskTimeout(facts));
    }
    if (this.stopped)
      return new GenPaxosError(ERROR_CODES.STOPPED, `node ${this.id} stopped before the key was decided`);
    return new GenPaxosError(
      ERROR_CODES.NODE_RESTARTED,
      `node ${this.id} restarted before key ${JSON.stringify(key)} was decided; the outcome is unknown (${String((error as Error).message)})`,
      { cause: error },
    );
  }

  private failure(error: GenPaxosError): GenPaxosError {
    this.asks.failed[error.code] = (this.asks.failed[error.code] ?? 0) + 1;
    return error;
  }

  /** Asks made through this node: started, decided, failed by code, and their latency. */
  get askStats(): AskStats {
    return { ...this.asks, failed: { ...this.asks.failed }, latencyMs: this.askLatency.snapshot() };
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
    if (options !== undefined) return this.readAsync(key, options);
    const problem = checkKey(key);
    if (problem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, problem);
    if (isReservedKey(key)) throw errorFromInfo(reservedKeyError(key));
    if (this.stopped) throw new GenPaxosError(ERROR_CODES.STOPPED, `node ${this.id} is stopped`);
    return this.keysOrThrow().read(key);
  }

  private async readAsync(key: string, options: ReadOptions): Promise<PaxosValue | undefined> {
    if (this.stopped) throw new GenPaxosError(ERROR_CODES.STOPPED, `node ${this.id} is stopped`);
    const problem = checkKey(key);
    if (problem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, problem);
    if (isReservedKey(key)) throw errorFromInfo(reservedKeyError(key));
    if (options.quorum !== undefined && typeof options.quorum !== 'boolean')
      throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'quorum must be a boolean');
    const timeoutMs = options.timeoutMs ?? this.askTimeoutMs;
    const timeoutProblem = checkTimeout(timeoutMs);
    if (timeoutProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_OPTION, timeoutProblem);
    const request: GenPaxosRequest = { type: 'read', key, quorum: options.quorum === true };
    let reply: GenPaxosNodeReply;
    try {
      reply = await this.server.call<GenPaxosNodeReply>(GEN_PAXOS_NAME, request, { timeoutMs });
    } catch (error) {
      const failure = this.callError(error, key, timeoutMs);
      if (failure.code !== ERROR_CODES.TIMEOUT) throw failure;
      throw new GenPaxosError(
        ERROR_CODES.TIMEOUT,
        `no quorum answered a read of key ${JSON.stringify(key)} on node ${this.id} within ${timeoutMs} ms`,
      );
    }
    if (reply.type === 'paxos.read') return reply.decided ? (reply.value as PaxosValue) : undefined;
    if (reply.type === 'paxos.failed') throw errorFromInfo(reply.error);
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, `unexpected reply ${reply.type} to a read`);
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
    if (this.stopped) return;
    this.stopped = true;
    this.catchup?.stop();
    this.changes.stop();
    this.root?.stop();
    await this.transport.close();
    await this.storage.close();
  }

  /** Stops the node as a crash would: nothing is flushed or closed. For simulations. */
  halt(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.catchup?.stop();
    this.changes.stop();
    this.root?.stop();
    void this.transport.close();
  }
}

/**
 * Starts a gen-paxos node (gen_paxos:start_link/2).
 *
 * @example
 * const network = createMemoryNetwork();
 * const members = ['a', 'b', 'c'];
 * const nodes = await Promise.all(members.map((id) => startLink({ id, members, transport: network.connect(id) })));
 * await nodes[0].ask('colour', 'red'); // 'red'
 */
export async function startLink(options: StartLinkOptions): Promise<GenPaxosNode> {
  checkStartLinkOptions(options);
  const storage =
    options.storage ??
    (options.dataDir !== undefined
      ? new LmdbStorage({ path: options.dataDir, nodeId: options.id })
      : new MemoryStorage());
  await storage.open();
  // A joining node records that it joins: restarted without `join` before its group added it, it
  // must not take its start members for a group of its own and decide alone. Not awaited (a store
  // on a virtual clock commits only when the clock runs); the store commits writes in order, so any
  // adoption written later lands after it, and a failed write stops the node at its next write.
  if (options.join === true && hasMembershipStore(storage) && storage.loadMembership() === undefined)
    storage.saveMembership({ chain: [], fence: 0, completeEpoch: 0 }).catch(() => {});
  const clock = options.clock ?? systemClock;
  const runtime = options.runtime ?? createActorNode({ name: options.id, clock });
  const node = new GenPaxosNode(
    options.id,
    [...options.members],
    runtime,
    options.transport,
    storage,
    clock,
    options.askTimeoutMs ?? DEFAULT_ASK_TIMEOUT_MS,
  );
  const root = startNodeTree({
    runtime,
    clock,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    input: {
      id: options.id,
      members: [...options.members],
      transport: options.transport,
      storage,
      clock,
      random: options.random ?? systemRandom,
      ...(options.timing ? { timing: options.timing } : {}),
      ...(options.restartIntensity ? { restartIntensity: options.restartIntensity } : {}),
      ...(options.instanceLogic ? { instanceLogic: options.instanceLogic } : {}),
      ...(options.inspect ? { inspect: options.inspect } : {}),
      ...(options.inspectInstanceLess !== undefined
        ? { inspectInstanceLess: options.inspectInstanceLess }
        : {}),
      ...(options.acceptorFastPath !== undefined ? { acceptorFastPath: options.acceptorFastPath } : {}),
      ...(options.ownerFastPath !== undefined ? { ownerFastPath: options.ownerFastPath } : {}),
      ...(options.adaptiveTiming !== undefined ? { adaptiveTiming: options.adaptiveTiming } : {}),
      ...(options.join === true ? { joining: true } : {}),
      expose: (keys) => node.attach({ keys }),
    },
    started: (actor) => node.attach({ actor: actor as Actor<GenPaxosNodeLogic> }),
    emitted: (event) => node.emitted(event),
  });
  node.attach({ root });
  node.watchTransitions(options.random ?? systemRandom, options.rescanTimeoutMs ?? DEFAULT_RESCAN_TIMEOUT_MS);
  // Catch-up pulls over the runtime's links: a runtime that cannot link to others has no one to ask.
  if (options.catchup !== false && hasDecidedLog(storage) && runtime.isAlive())
    node.startCatchup(storage, options.catchup ?? {});
  return node;
}
