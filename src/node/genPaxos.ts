// The gen_paxos API: `startLink` starts a node (supervisor + transport + storage) and returns a
// handle with `ask` / `read` / `stop`, like gen_paxos:start_link/2, ask/2, ask/1 and stop/0.
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import { ERROR_CODES, GenPaxosError, errorFromInfo } from '../base/errors.js';
import type { InstanceMachine, InstanceStateName, InstanceTiming } from '../paxos/instanceMachine.js';
import type { PaxosValue } from '../paxos/messages.js';
import { checkKey, checkValue } from '../paxos/validate.js';
import { systemClock, type RuntimeClock } from '../base/clock.js';
import { genPaxosNode, supervisorOf, type GenPaxosNodeLogic } from './genPaxosNode.js';
import type { KeySupervisor } from './keySupervisor.js';
import type { ReplyTo, SupervisorStats } from './nodeEvents.js';
import { systemRandom, type RandomSource } from '../base/random.js';
import type { RestartIntensity } from '../runtime/restartIntensity.js';
import { LmdbStorage } from '../storage/lmdbStorage.js';
import { MemoryStorage } from '../storage/memoryStorage.js';
import type { Storage } from '../storage/storage.js';
import type { Transport, TransportStats } from '../transport/transport.js';
import type { DurableCommitStats } from '../storage/commitStats.js';
import { Histogram, type HistogramSnapshot } from '../base/histogram.js';
import { checkMembers, checkTimeout, checkTransportMembers } from './validateOptions.js';
import { describeAskTimeout } from './askTimeout.js';

export const DEFAULT_ASK_TIMEOUT_MS = 10_000;

export interface StartLinkOptions {
  /** This node's id (gen_paxos's InitN); must be one of `members`. */
  readonly id: string;
  /** Every member of the group, this node included (gen_paxos's Others plus itself). */
  readonly members: readonly string[];
  /** How this node reaches the others: `createMemoryNetwork().connect(id)`, or a WebSocket transport. */
  readonly transport: Transport;
  /** Where acceptor state is kept. Default: in memory (nothing survives the process), unless `dataDir` is given. */
  readonly storage?: Storage;
  /**
   * A data directory for durable acceptor state (an `LmdbStorage` opened there for this node's
   * id). Not together with `storage`. See docs/operations.md.
   */
  readonly dataDir?: string;
  /** XState inspection of the node and every instance actor. */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Drives every timer of the node; XState's `SimulatedClock` or a `VirtualClock` in tests. */
  readonly clock?: RuntimeClock;
  /** Seeds backoff jitter; a seeded source makes runs replayable. */
  readonly random?: RandomSource;
  readonly timing?: Partial<InstanceTiming>;
  readonly restartIntensity?: RestartIntensity;
  /** Timeout of `ask` when the call gives none. */
  readonly askTimeoutMs?: number;
  /** An instance machine to use instead of the standard one (instrumented variants, tests). */
  readonly instanceLogic?: InstanceMachine;
  /**
   * Default true: keys this node only votes on are answered without spawning an instance actor
   * (same step functions, same write-before-reply order). False: every key gets an instance, so
   * every acceptor's state transitions can be watched (teaching, the live view).
   */
  readonly acceptorFastPath?: boolean;
  /**
   * Default true: a key's owner (a stable hash over the members) proposes its first value with
   * ballot 0, skipping phase 1, and other members forward their asks to it. False: every
   * proposal runs both phases (the classic protocol, as the walkthrough shows it).
   */
  readonly ownerFastPath?: boolean;
}

/** Ask latency buckets, in milliseconds of the node's clock. */
export const ASK_LATENCY_BUCKETS_MS: readonly number[] = [
  0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000,
];

/** What became of the asks made through this node. */
export interface AskStats {
  readonly started: number;
  readonly decided: number;
  /** Asks that ended without a decision here, by error code (timeouts included). */
  readonly failed: Readonly<Record<string, number>>;
  /** From the call to the decision, for asks that got one. */
  readonly latencyMs: HistogramSnapshot;
}

export interface AskOptions {
  /** Reject with PAXOS_ERR_TIMEOUT after this long. The value may still be chosen later. */
  readonly timeoutMs?: number;
}

/** Keys a node is working on: see `GenPaxosNode.pending`. */
export interface PendingKeys {
  readonly total: number;
  readonly keys: ReadonlyArray<{ readonly key: string; readonly state: InstanceStateName | 'failed' }>;
}

/** A running gen-paxos node. */
export class GenPaxosNode {
  private stopped = false;
  private readonly supervisor: KeySupervisor;
  private readonly asks = { started: 0, decided: 0, failed: {} as Record<string, number> };
  private readonly askLatency = new Histogram(ASK_LATENCY_BUCKETS_MS);

  /** @internal use `startLink`. */
  constructor(
    readonly id: string,
    readonly members: readonly string[],
    /** The node as an XState actor: inspect it, or subscribe to its emitted events. */
    readonly actor: Actor<GenPaxosNodeLogic>,
    private readonly transport: Transport,
    private readonly storage: Storage,
    private readonly clock: RuntimeClock,
    private readonly askTimeoutMs: number,
  ) {
    this.supervisor = supervisorOf(actor) as KeySupervisor;
  }

  /**
   * Asks the group to decide `value` for `key` (gen_paxos:ask/2). Resolves with the value the
   * group decided, which is `value` only if this ask won; every node gets the same answer.
   *
   * @example
   * const decided = await node.ask('leader', 'a');
   */
  ask(key: string, value: PaxosValue, options: AskOptions = {}): Promise<PaxosValue> {
    if (this.stopped)
      return Promise.reject(new GenPaxosError(ERROR_CODES.STOPPED, `node ${this.id} is stopped`));
    const keyProblem = checkKey(key);
    if (keyProblem !== null) return Promise.reject(new GenPaxosError(ERROR_CODES.BAD_KEY, keyProblem));
    const valueProblem = value === undefined ? 'value must not be undefined' : checkValue(value);
    if (valueProblem !== null) return Promise.reject(new GenPaxosError(ERROR_CODES.BAD_VALUE, valueProblem));
    const timeoutMs = options.timeoutMs ?? this.askTimeoutMs;
    const timeoutProblem = checkTimeout(timeoutMs);
    if (timeoutProblem !== null)
      return Promise.reject(new GenPaxosError(ERROR_CODES.BAD_OPTION, timeoutProblem));

    this.asks.started++;
    const startedAtMs = this.clock.now();
    return new Promise<PaxosValue>((resolve, reject) => {
      let settled = false;
      const replyTo: ReplyTo = {
        send: (reply) => {
          if (settled) return;
          settled = true;
          this.clock.clearTimeout(timer);
          if (reply.type === 'paxos.decided') {
            this.asks.decided++;
            this.askLatency.observe(this.clock.now() - startedAtMs);
            resolve(reply.value);
          } else if (reply.type === 'paxos.failed') {
            this.countFailure(reply.error.code);
            reject(errorFromInfo(reply.error));
          }
        },
      };
      const timer = this.clock.setTimeout(() => {
        if (settled) return;
        settled = true;
        this.countFailure(ERROR_CODES.TIMEOUT);
        this.actor.send({ type: 'ask.cancel', key, replyTo });
        const linkUp = (peer: string) => this.transport.isLinkUp?.(peer);
        const facts = { key, timeoutMs, node: this.id, members: this.members, linkUp };
        reject(new GenPaxosError(ERROR_CODES.TIMEOUT, describeAskTimeout(facts)));
      }, timeoutMs);
      this.actor.send({ type: 'ask', key, value, replyTo });
    });
  }

  /** Asks made through this node: started, decided, failed by code, and their latency. */
  get askStats(): AskStats {
    return { ...this.asks, failed: { ...this.asks.failed }, latencyMs: this.askLatency.snapshot() };
  }

  private countFailure(code: string): void {
    this.asks.failed[code] = (this.asks.failed[code] ?? 0) + 1;
  }

  /**
   * The decided value of `key` as known on this node, or `undefined` (gen_paxos:ask/1). Throws
   * PAXOS_ERR_STOPPED after `stop()`, whatever the store (a closed one cannot be read).
   */
  read(key: string): PaxosValue | undefined {
    const problem = checkKey(key);
    if (problem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, problem);
    if (this.stopped) throw new GenPaxosError(ERROR_CODES.STOPPED, `node ${this.id} is stopped`);
    return this.supervisor.read(key);
  }

  /** The state of `key`'s instance on this node (`decided` once retired to storage). */
  stateOf(key: string): InstanceStateName | 'failed' {
    return this.supervisor.stateOf(key);
  }

  /**
   * What this node is working on: the keys it has not seen decided but holds a live instance, a
   * waiting ask, a vote awaiting its outcome for, or has given up; at most `limit` of them (in no
   * particular order) with their states, and how many there are.
   */
  pending(limit = 100): PendingKeys {
    const keys = this.supervisor.pendingKeys();
    return {
      total: keys.length,
      keys: keys.slice(0, Math.max(0, limit)).map((key) => ({ key, state: this.supervisor.stateOf(key) })),
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
    return { ...this.supervisor.stats, liveInstances: this.supervisor.liveInstances };
  }

  /** The supervisor, for the runtime's own layers (transport servers, inspection). */
  get internals(): KeySupervisor {
    return this.supervisor;
  }

  /** Stops the node: pending asks reject with PAXOS_ERR_STOPPED; transport and storage are closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.actor.stop();
    await this.transport.close();
    await this.storage.close();
  }

  /** Stops the node as a crash would: nothing is flushed or closed. For simulations. */
  halt(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.actor.stop();
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
  if (typeof options !== 'object' || options === null) {
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'startLink needs an options object');
  }
  const membersProblem = checkMembers(options.id, options.members);
  if (membersProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_MEMBERS, membersProblem);
  if (!options.transport || typeof options.transport.send !== 'function') {
    throw new GenPaxosError(
      ERROR_CODES.BAD_OPTION,
      'startLink needs a transport (for example network.connect(id))',
    );
  }
  if (options.transport.nodeId !== options.id) {
    throw new GenPaxosError(
      ERROR_CODES.BAD_OPTION,
      `the transport belongs to node ${JSON.stringify(options.transport.nodeId)}, not ${JSON.stringify(options.id)}`,
    );
  }
  // Quorums are counted over `members`, while the transport's handshake holds every peer to the
  // transport's own member list: when the transport has one, they must be the same group.
  const transportProblem = checkTransportMembers(options.members, options.transport.members);
  if (transportProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_MEMBERS, transportProblem);
  const askTimeoutMs = options.askTimeoutMs ?? DEFAULT_ASK_TIMEOUT_MS;
  const timeoutProblem = checkTimeout(askTimeoutMs);
  if (timeoutProblem !== null)
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, `askTimeoutMs: ${timeoutProblem}`);

  if (options.dataDir !== undefined) {
    if (typeof options.dataDir !== 'string' || options.dataDir.length === 0)
      throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'dataDir must be a non-empty path');
    if (options.storage !== undefined)
      throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'give either storage or dataDir, not both');
  }
  const storage =
    options.storage ??
    (options.dataDir !== undefined
      ? new LmdbStorage({ path: options.dataDir, nodeId: options.id })
      : new MemoryStorage());
  await storage.open();
  const clock = options.clock ?? systemClock;
  const actor = createActor(genPaxosNode, {
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
      ...(options.acceptorFastPath !== undefined ? { acceptorFastPath: options.acceptorFastPath } : {}),
      ...(options.ownerFastPath !== undefined ? { ownerFastPath: options.ownerFastPath } : {}),
    },
  });
  actor.start();
  return new GenPaxosNode(
    options.id,
    [...options.members],
    actor,
    options.transport,
    storage,
    clock,
    askTimeoutMs,
  );
}
