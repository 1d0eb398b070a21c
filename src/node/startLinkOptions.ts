// What `startLink` takes and what its handle reports (gen_paxos:start_link/2's arguments, grown up),
// and the checks every option passes before a node starts.
import type { InspectionEvent, Observer } from 'xstate';
import type { RuntimeClock } from '../base/clock.js';
import { ERROR_CODES, GenPaxosError } from '../base/errors.js';
import type { HistogramSnapshot } from '../base/histogram.js';
import type { RandomSource } from '../base/random.js';
import type { InstanceMachine, InstanceStateName, InstanceTiming } from '../paxos/instanceMachine.js';
import type { ActorNode } from '../runtime/actorNode.js';
import type { RestartIntensity } from '../runtime/restartIntensity.js';
import type { Storage } from '../storage/storage.js';
import type { Transport } from '../transport/transport.js';
import { checkMembers, checkTimeout, checkTransportMembers } from './validateOptions.js';
import { DEFAULT_CATCHUP_LIMITS, type CatchupLimits } from './catchup/catchupPuller.js';

export const DEFAULT_ASK_TIMEOUT_MS = 10_000;

export interface StartLinkOptions {
  /** This node's id (gen_paxos's InitN); must be one of `members`. */
  readonly id: string;
  /** Every member of the group, this node included (gen_paxos's Others plus itself). */
  readonly members: readonly string[];
  /** How this node reaches the others: `createMemoryNetwork().connect(id)`, or a WebSocket transport. */
  readonly transport: Transport;
  /**
   * Where acceptor state is kept. Default, unless `dataDir` is given: in memory, for tests and
   * embedding. Nothing survives the process: a node restarted without its state has forgotten its
   * promises and must not rejoin under the same id (its durable peers refuse it as amnesiac). Unlike
   * `gen-paxos node`, which needs `--data-dir` or an explicit `--memory`, this default is kept.
   */
  readonly storage?: Storage;
  /**
   * A data directory for durable acceptor state (an `LmdbStorage` opened there for this node's
   * id). Not together with `storage`. See docs/operations.md.
   */
  readonly dataDir?: string;
  /**
   * XState inspection of the node and every instance actor. Keys handled without an instance (the
   * acceptor fast path) are reported as their instance would be: the same actor id, events and
   * states (docs/inspection.md).
   */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /**
   * Default true. False: `inspect` sees live instances only, not the keys handled without one.
   */
  readonly inspectInstanceLess?: boolean;
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
   * (same step functions, same write-before-reply order). False: every key gets an instance.
   * Inspection and the live view show the same transitions either way (`inspect`).
   */
  readonly acceptorFastPath?: boolean;
  /**
   * Default true: a key's owner (a stable hash over the members) proposes its first value with
   * ballot 0, skipping phase 1, and other members forward their asks to it. False: every
   * proposal runs both phases (the classic protocol, as the walkthrough shows it).
   */
  readonly ownerFastPath?: boolean;
  /**
   * Default true: phase timeouts and backoff follow the phases this node completes (RFC 6298's
   * estimator: smoothed duration plus four deviations, within `timing.phaseTimeoutMs` … 60 s), so a
   * slow network keeps deciding; a phase that times out doubles them until one
   * completes (RFC 6298 §5.5, up to `timing.timeoutBackoffMaxMs`). `timing` is where they start.
   * False: `timing` fixed (an instance still backs off its own waits on its timeouts).
   */
  readonly adaptiveTiming?: boolean;
  /**
   * The actor runtime node the Paxos node runs on: it is registered there as `gen_paxos` under its
   * supervisor, so `genServer.call({ name: 'gen_paxos', node: id }, …)` reaches it from other
   * runtime nodes linked to this one. Default: a runtime node of its own, named after `id`, on
   * `clock`.
   */
  readonly runtime?: ActorNode;
  /**
   * Catch-up (node/catchup/): the node pulls the other members' decided logs over the runtime's
   * links, so its local reads answer keys decided while it was down or before it joined. On by
   * default with the limits in `DEFAULT_CATCHUP_LIMITS` (512 keys or 256 KiB a page, 8 MiB/s, two
   * peers at once); give limits to change them, or `false` to turn it off. Needs a store with a
   * decided log (both stores shipped here have one) and a runtime with a router to the peers (a
   * `runtime` of your own linked to theirs, as `startNetworkNode` makes); without one it is off.
   */
  readonly catchup?: false | Partial<CatchupLimits>;
  /**
   * A new member joining a running group (docs/membership.md §13.3): it starts with no
   * configuration, refuses asks with PAXOS_ERR_NOT_A_MEMBER and votes on nothing until a member
   * adds it (`changeMembers`) and sends it the group's chain. `members` then only needs to hold
   * this node's id. A node restarted on a store that holds a chain runs that chain either way.
   */
  readonly join?: boolean;
  /**
   * How long a voter of a new epoch waits for the transition to complete (`\0done`) before it runs
   * the rescan itself (docs/membership.md §6.2), jittered up to half as much again. Default 10 s.
   */
  readonly rescanTimeoutMs?: number;
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

/**
 * How `read` answers (docs/membership.md §8.1). Without options `read` is synchronous and answers
 * what this node knows; with them it returns a promise.
 */
export interface ReadOptions {
  /**
   * True: a linearizable read — what a quorum durably knows, the decided value or "not decided" only
   * if no value can have been chosen when the read started. One round trip to the members; it may
   * run the key's instance to a decision (phases 1 and 2) when the answers show an acceptance
   * without proof. False (default): this node's knowledge, a key accepted here but not decided
   * resolved with a quorum read, so that read-your-writes survives a crash.
   */
  readonly quorum?: boolean;
  /** Reject with PAXOS_ERR_TIMEOUT after this long (default: the node's ask timeout). */
  readonly timeoutMs?: number;
}

/** Keys a node is working on: see `GenPaxosNode.pending`. */
export interface PendingKeys {
  readonly total: number;
  readonly keys: ReadonlyArray<{ readonly key: string; readonly state: InstanceStateName | 'failed' }>;
}

/** Throws a coded GenPaxosError for the first option that is wrong. */
export function checkStartLinkOptions(options: StartLinkOptions): void {
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
  // Configurations 0 and 1 are `members`, and the transport announces its own start peers as
  // configuration 1 until the node says otherwise: when it has a list, it must be the same group.
  // A joining node's `members` and its transport's peers are only hints (the chain decides).
  const transportProblem =
    options.join === true ? null : checkTransportMembers(options.members, options.transport.members);
  if (transportProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_MEMBERS, transportProblem);
  const timeoutProblem = checkTimeout(options.askTimeoutMs ?? DEFAULT_ASK_TIMEOUT_MS);
  if (timeoutProblem !== null)
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, `askTimeoutMs: ${timeoutProblem}`);

  if (options.rescanTimeoutMs !== undefined) {
    const problem = checkTimeout(options.rescanTimeoutMs);
    if (problem !== null) throw new GenPaxosError(ERROR_CODES.BAD_OPTION, `rescanTimeoutMs: ${problem}`);
  }
  if (options.join !== undefined && typeof options.join !== 'boolean')
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'join must be a boolean');
  const catchupProblem = checkCatchupOption(options.catchup);
  if (catchupProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_OPTION, `catchup: ${catchupProblem}`);

  if (options.dataDir !== undefined) {
    if (typeof options.dataDir !== 'string' || options.dataDir.length === 0)
      throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'dataDir must be a non-empty path');
    if (options.storage !== undefined)
      throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'give either storage or dataDir, not both');
  }
}

function checkCatchupOption(catchup: StartLinkOptions['catchup']): string | null {
  if (catchup === undefined || catchup === false) return null;
  if (typeof catchup !== 'object' || catchup === null) return 'give false or an object of limits';
  for (const [name, value] of Object.entries(catchup)) {
    if (!(name in DEFAULT_CATCHUP_LIMITS)) return `unknown limit ${JSON.stringify(name)}`;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      return `${name} must be a positive number, got ${JSON.stringify(value)}`;
  }
  return null;
}
