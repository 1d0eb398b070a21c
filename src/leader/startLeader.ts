// The gen_leader-style API: `startLeader(name, options)` starts a leader process on this node and
// returns a handle to ask who leads (`isLeader`, `leader`), to route requests to the leader
// (`leaderCall`, `leaderCast`) and to stop. The process is a `genLeader` actor registered on the
// runtime node as `leader/<name>`; calls travel through the node's RemoteRouter like any
// `syncSendEvent` to `{ name, node }`.
import { createActor, type Actor } from 'xstate';
import { createActorNode, type ActorNode } from '../runtime/actorNode.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from '../runtime/runtimeError.js';
import type { Elector } from './elector.js';
import {
  checkLeaderInput,
  electorOf,
  genLeader,
  type GenLeaderInput,
  type GenLeaderLogic,
  type LeaderCallHandler,
  type LeaderCallReply,
  type LeaderCastHandler,
  type LeaderRequestContext,
} from './genLeaderLogic.js';
import type { LeaderEmitted, LeaderEmittedType } from './leaderEvents.js';
import { LEADER_ERROR_CODES, LeaderError, type LeaderInfo } from './leaderError.js';
import { monotonicClock } from './monotonicClock.js';
import { paxosPortOf } from './paxosPort.js';

/** gen_leader's default call timeout, like gen_fsm's. */
export const DEFAULT_LEADER_CALL_TIMEOUT_MS = 5000;

type Listener<T extends LeaderEmittedType> = (event: Extract<LeaderEmitted, { type: T }>) => void;

export interface StartLeaderOptions<TRequest = unknown, TReply = unknown> extends Omit<
  GenLeaderInput,
  'name' | 'handleLeaderCall' | 'handleLeaderCast'
> {
  /**
   * The runtime node to register the leader process on and to route `leaderCall` through; its
   * name must be the Paxos node's id. Without one, a private node without links is used, so only
   * a leader on this node can be called.
   */
  readonly node?: ActorNode;
  /** gen_leader's handle_leader_call: runs on the leader; resolves to the reply (plain data). */
  readonly handleLeaderCall?: (request: TRequest, context: LeaderRequestContext) => TReply | Promise<TReply>;
  /** gen_leader's handle_leader_cast. */
  readonly handleLeaderCast?: (request: TRequest, context: LeaderRequestContext) => void;
  /** This node was elected (gen_leader's elected/3). */
  readonly elected?: Listener<'elected'>;
  /** This node renewed its lease. */
  readonly renewed?: Listener<'renewed'>;
  /** This node stopped acting as leader: stop leader work now. */
  readonly steppedDown?: Listener<'steppedDown'>;
  /** Another node was elected, and this one follows it (gen_leader's surrendered/3). */
  readonly surrendered?: Listener<'surrendered'>;
  /** The leader as this node sees it changed. */
  readonly leaderChanged?: Listener<'leaderChanged'>;
}

export interface LeaderCallOptions {
  /** Reject with LEADER_ERR_TIMEOUT after this long. Default 5000. */
  readonly timeoutMs?: number;
}

/** The registered name of group `name`'s leader process on every node. */
export function leaderProcessName(name: string): string {
  return `leader/${name}`;
}

/** A running leader process. */
export class GenLeader<TRequest = unknown, TReply = unknown> {
  private stopped = false;

  /** @internal use `startLeader`. */
  constructor(
    readonly name: string,
    /** The process as an XState actor: subscribe to its emitted events, inspect its snapshot. */
    readonly actor: Actor<GenLeaderLogic>,
    /** The runtime node it is registered on. */
    readonly node: ActorNode,
    private readonly elector: Elector,
  ) {}

  /** This node's id (its Paxos node's). */
  get id(): string {
    return this.elector.id;
  }

  /**
   * Whether this node holds the lease at this instant of its clock. Ask right before acting;
   * carry `epoch()` to whatever the action changes, so a late action can still be refused.
   *
   * @example
   * if (leader.isLeader()) await store.write(data, leader.epoch());
   */
  isLeader(): boolean {
    return !this.stopped && this.elector.isLeader();
  }

  /**
   * This node's epoch while it leads (the fencing token), else null.
   *
   * @example
   * const epoch = leader.epoch();
   * if (epoch !== null) await store.write({ key, value, epoch }); // the store refuses older epochs
   */
  epoch(): number | null {
    const role = this.elector.currentRole();
    return !this.stopped && role.kind === 'leader' ? role.epoch : null;
  }

  /**
   * The leader as this node sees it now, or null (gen_leader:leader_node/1). Only the leader's own
   * answer is authoritative; elsewhere it is a hint for routing.
   *
   * @example
   * leader.leader(); // { node: 'b', epoch: 3 }
   */
  leader(): LeaderInfo | null {
    return this.stopped ? null : this.elector.leader();
  }

  /**
   * Sends `request` to the leader and resolves with its `handleLeaderCall` reply
   * (gen_leader:leader_call/2,3). Rejects with LEADER_ERR_NO_LEADER, LEADER_ERR_NOT_LEADER (the
   * node reached no longer leads; `error.leader` is its hint), LEADER_ERR_UNREACHABLE,
   * LEADER_ERR_TIMEOUT (outcome unknown), LEADER_ERR_NO_HANDLER or LEADER_ERR_CALL_FAILED.
   *
   * @example
   * const n = await leader.leaderCall({ op: 'next-id' }, { timeoutMs: 1000 });
   */
  async leaderCall(request: TRequest, options: LeaderCallOptions = {}): Promise<TReply> {
    if (this.stopped) throw new LeaderError(LEADER_ERROR_CODES.STOPPED, `leader ${this.name} is stopped`);
    const leader = this.elector.leader();
    if (leader === null)
      throw new LeaderError(LEADER_ERROR_CODES.NO_LEADER, `no leader of ${this.name} is known on ${this.id}`);
    let reply: LeaderCallReply;
    try {
      reply = await this.node.genFsm.syncSendEvent<LeaderCallReply>(
        { name: leaderProcessName(this.name), node: leader.node },
        { type: 'leader.call', request },
        { timeoutMs: options.timeoutMs ?? DEFAULT_LEADER_CALL_TIMEOUT_MS },
      );
    } catch (error) {
      throw routingError(error, leader);
    }
    if (reply.ok) return reply.reply as TReply;
    throw new LeaderError(reply.code, reply.message, { leader: reply.leader });
  }

  /**
   * Sends `request` to the leader without waiting (gen_leader:leader_cast/2). False if no leader
   * is known or its node cannot be reached; a cast that reaches a node no longer leading is dropped.
   *
   * @example
   * leader.leaderCast({ op: 'tick' });
   */
  leaderCast(request: TRequest): boolean {
    const leader = this.leader();
    if (leader === null) return false;
    return this.node.genFsm.sendEvent(
      { name: leaderProcessName(this.name), node: leader.node },
      { type: 'leader.cast', request },
    );
  }

  /**
   * Stops at once as a crash would: no release, no more events. For simulations.
   *
   * @example
   * leader.halt(); // then the node's own halt(), as a kill -9 would
   */
  halt(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.elector.halt();
    this.actor.stop();
  }

  /**
   * Subscribes to one kind of event; returns the unsubscriber.
   *
   * @example
   * const off = leader.on('steppedDown', (e) => stopWork(e.epoch));
   */
  on<T extends LeaderEmittedType>(type: T, listener: Listener<T>): () => void {
    const subscription = this.actor.on(type, listener as (event: LeaderEmitted) => void);
    return () => subscription.unsubscribe();
  }

  /**
   * Stops the process: it acts as leader no more from this call on. With `release`, a leader first
   * records in the lease log that it gave the lease up (waiting at most `timeoutMs`, default one
   * lease), so the others take over at once instead of waiting the lease out.
   *
   * @example
   * process.once('SIGTERM', () => void leader.stop({ release: true }));
   */
  async stop(options: { release?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.elector.stop(options);
    this.actor.stop();
  }
}

function routingError(error: unknown, leader: LeaderInfo): LeaderError {
  const code = error instanceof RuntimeError ? error.code : undefined;
  if (code === RUNTIME_ERROR_CODES.TIMEOUT)
    return new LeaderError(LEADER_ERROR_CODES.TIMEOUT, `no answer from leader ${leader.node} in time`, {
      cause: error,
      leader,
    });
  return new LeaderError(
    LEADER_ERROR_CODES.UNREACHABLE,
    `leader ${leader.node} cannot be reached: ${(error as Error).message}`,
    { cause: error, leader },
  );
}

/**
 * Starts a leader process for group `name` on this node (gen_leader:start_link/4): it takes part
 * in electing one leader among `candidates` through leases decided by Paxos, and serves
 * `leaderCall`s while it leads.
 *
 * @example
 * const leader = startLeader('scheduler', {
 *   paxos: node, // from startLink
 *   node: actorNode, // createActorNode({ name: node.id, router, clock })
 *   candidates: ['a', 'b', 'c'],
 *   leaseMs: 2000,
 *   driftBound: 0.001,
 *   elected: (e) => console.log(`leading epoch ${e.epoch}`),
 *   steppedDown: () => console.log('stop leader work'),
 *   handleLeaderCall: (request, { epoch }) => ({ done: request, epoch }),
 * });
 */
export function startLeader<TRequest = unknown, TReply = unknown>(
  name: string,
  options: StartLeaderOptions<TRequest, TReply>,
): GenLeader<TRequest, TReply> {
  const { handleLeaderCall, handleLeaderCast, node: given, ...rest } = options;
  const input: GenLeaderInput = {
    ...rest,
    name,
    // The handlers see requests as they arrived off the wire; the caller's types are a promise
    // between its leaderCall and its handler, which this cast carries across.
    ...(handleLeaderCall ? { handleLeaderCall: handleLeaderCall as LeaderCallHandler } : {}),
    ...(handleLeaderCast ? { handleLeaderCast: handleLeaderCast as LeaderCastHandler } : {}),
  };
  const problem = checkLeaderInput(input);
  if (problem !== null) throw new LeaderError(LEADER_ERROR_CODES.BAD_OPTION, problem);
  // Not the runtime node's clock by default: that one may be wall-clock time (see monotonicClock.ts).
  const clock = options.clock ?? monotonicClock;
  const id = paxosPortOf(options.paxos, clock).id;
  if (given && given.name !== id)
    throw new LeaderError(
      LEADER_ERROR_CODES.BAD_OPTION,
      `the runtime node is ${JSON.stringify(given.name)} but the Paxos node is ${JSON.stringify(id)}: leases name holders by the Paxos id, and calls are routed to the node of that name`,
    );
  const node = given ?? createActorNode({ name: id, clock });
  const processName = leaderProcessName(name);
  if (node.whereis(processName))
    throw new LeaderError(LEADER_ERROR_CODES.ALREADY_STARTED, `${processName} is already running on ${id}`);
  const actor = createActor(genLeader, { clock, input: { ...input, clock } });
  const callbacks = ['elected', 'renewed', 'steppedDown', 'surrendered', 'leaderChanged'] as const;
  for (const type of callbacks) {
    const callback = options[type] as ((event: LeaderEmitted) => void) | undefined;
    if (callback) actor.on(type, callback);
  }
  actor.start();
  node.register(processName, actor);
  return new GenLeader<TRequest, TReply>(name, actor, node, electorOf(actor) as Elector);
}
