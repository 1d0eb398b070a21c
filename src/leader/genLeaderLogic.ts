// `genLeader`: a leader process as XState actor logic, so it can be created with `createActor`
// or spawned in a user's system next to its `genPaxosNode` (`spawnChild(genLeader, { input })`).
// Like genPaxosNode it is a thin adapter: the election runs in an Elector; the snapshot carries
// plain data; `leader.call` / `leader.cast` events reach the user's handlers only while this node
// holds the lease, each with the epoch to fence with.
import type { ActorLogic, ActorRef, ActorSystem, AnyActorRef, Snapshot } from 'xstate';
import type { RuntimeClock } from '../base/clock.js';
import type { From } from '../runtime/genFsm/reply.js';
import { systemRandom, type RandomSource } from '../base/random.js';
import { Elector, type ElectorStats } from './elector.js';
import type { LeaderEmitted } from './leaderEvents.js';
import { LEADER_ERROR_CODES, type LeaderErrorCode, type LeaderInfo } from './leaderError.js';
import { checkGroupName } from './leaseRecord.js';
import { leaseTiming } from './leaseTiming.js';
import { monotonicClock } from './monotonicClock.js';
import { paxosPortOf, type PaxosSource } from './paxosPort.js';

/** What a handler learns about the leadership it serves under. */
export interface LeaderRequestContext {
  readonly group: string;
  /** This node: the leader. */
  readonly node: string;
  /** The fencing token: pass it to whatever the request changes, which must refuse older epochs. */
  readonly epoch: number;
}

/** gen_leader's handle_leader_call/4: runs on the leader, its result is the caller's reply (plain data). */
export type LeaderCallHandler = (request: unknown, context: LeaderRequestContext) => unknown;
/** gen_leader's handle_leader_cast/3. */
export type LeaderCastHandler = (request: unknown, context: LeaderRequestContext) => void;

export interface GenLeaderInput {
  /** The group's name: leaders of one name on different nodes elect one among them. */
  readonly name: string;
  /** This node's gen-paxos node (a `startLink` handle or a `genPaxosNode` actor); its id names the holder. */
  readonly paxos: PaxosSource;
  /** The node ids that may lead; a node not listed follows (it learns the leader, routes to it). */
  readonly candidates: readonly string[];
  /** Lease length on the holder's clock. */
  readonly leaseMs: number;
  /** ρ, the bound on every clock's rate error (docs/leader.md). 0.0001 is 100 ppm. */
  readonly driftBound: number;
  /** When the holder renews, from the start of its lease. Default leaseMs/2. */
  readonly renewAfterMs?: number;
  /** Added to the computed guard interval. Default 0. */
  readonly extraGuardMs?: number;
  /** Extra takeover wait per place in `candidates`, so earlier candidates win. Default leaseMs/20. */
  readonly takeoverStaggerMs?: number;
  /** How long one ask of the lease log may wait before it counts as unknown. Default leaseMs/2. */
  readonly askTimeoutMs?: number;
  /** Times the lease. Default: monotonic time (performance.now), never the wall clock. */
  readonly clock?: RuntimeClock;
  /** Claim tags and retry jitter; seed it to replay a run. */
  readonly random?: RandomSource;
  readonly handleLeaderCall?: LeaderCallHandler;
  readonly handleLeaderCast?: LeaderCastHandler;
  /**
   * Also sent every emitted event, as an XState event: give the parent machine (`self` in the
   * spawning input) to handle `elected`, `steppedDown`… in its states.
   */
  readonly notify?: { send(event: LeaderEmitted): void };
}

/** The answer to a `leader.call`, as it travels between nodes (and as an event, to an actor's replyTo). */
export type LeaderCallReply =
  | {
      readonly type: 'leader.reply';
      readonly ok: true;
      readonly reply: unknown;
      readonly node: string;
      readonly epoch: number;
    }
  | {
      readonly type: 'leader.reply';
      readonly ok: false;
      readonly code: LeaderErrorCode;
      readonly message: string;
      readonly leader: LeaderInfo | null;
    };

export type GenLeaderEvent =
  | { readonly type: 'leader.call'; readonly request: unknown; readonly replyTo?: From<LeaderCallReply> }
  | { readonly type: 'leader.cast'; readonly request: unknown }
  /** Internal: the elector has events to emit and a new snapshot. */
  | { readonly type: 'leader.changed' };

/**
 * Plain data, as of the leader's last event (it emits one whenever its role changes, expiry
 * included). To decide whether to act, call `isLeader()`, which reads the clock.
 */
export type GenLeaderSnapshot = Snapshot<undefined> & {
  readonly context: {
    readonly group: string;
    readonly node: string;
    readonly candidate: boolean;
    readonly isLeader: boolean;
    /** Who leads as this node sees it (itself included). */
    readonly leader: LeaderInfo | null;
    /** While leader: the end of the lease on this node's clock. */
    readonly untilMs: number | null;
    /** The lowest slot of the lease log not known here. */
    readonly frontier: number;
    readonly stats: Readonly<ElectorStats>;
  };
};

export type GenLeaderLogic = ActorLogic<
  GenLeaderSnapshot,
  GenLeaderEvent,
  GenLeaderInput,
  ActorSystem<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- xstate's own AnyActorSystem
  LeaderEmitted
>;
export type GenLeaderActorRef = ActorRef<GenLeaderSnapshot, GenLeaderEvent, LeaderEmitted>;

interface Running {
  readonly elector: Elector;
  readonly input: GenLeaderInput;
  readonly queued: LeaderEmitted[];
}

const running = new WeakMap<AnyActorRef, Running>();

/** The elector behind a running genLeader actor (for the façade and tests). */
export function electorOf(actor: AnyActorRef): Elector | undefined {
  return running.get(actor)?.elector;
}

/** The input's problem, or null: thrown as LEADER_ERR_BAD_OPTION by the façade. */
export function checkLeaderInput(input: GenLeaderInput): string | null {
  if (typeof input !== 'object' || input === null) return 'the leader needs an options object';
  const group = checkGroupName(input.name);
  if (group !== null) return group;
  if (!input.paxos) return 'paxos: give the gen-paxos node this leader runs on';
  if (
    !Array.isArray(input.candidates) ||
    input.candidates.length === 0 ||
    !input.candidates.every((c) => typeof c === 'string' && c.length > 0)
  )
    return 'candidates must be a non-empty array of node ids';
  const timing = leaseTiming(input);
  if (typeof timing === 'string') return timing;
  const ask = input.askTimeoutMs;
  if (ask !== undefined && !(typeof ask === 'number' && ask > 0 && Number.isFinite(ask)))
    return `askTimeoutMs must be a positive number, got ${String(ask)}`;
  return null;
}

function snapshotOf(
  elector: Elector,
  input: GenLeaderInput,
  status: 'active' | 'stopped',
): GenLeaderSnapshot {
  const role = elector.currentRole();
  return {
    status,
    output: undefined,
    error: undefined,
    context: {
      group: input.name,
      node: elector.id,
      candidate: input.candidates.includes(elector.id),
      isLeader: role.kind === 'leader',
      leader: elector.leader(),
      untilMs: role.kind === 'leader' ? role.untilMs : null,
      frontier: elector.view().frontier,
      stats: { ...elector.stats, byPurpose: { ...elector.stats.byPurpose } },
    },
  } as GenLeaderSnapshot;
}

function refusal(code: LeaderErrorCode, message: string, leader: LeaderInfo | null): LeaderCallReply {
  return { type: 'leader.reply', ok: false, code, message, leader };
}

function serveCall(run: Running, event: Extract<GenLeaderEvent, { type: 'leader.call' }>): void {
  const { elector, input } = run;
  const replyTo = event.replyTo;
  const answer = (reply: LeaderCallReply) => replyTo?.send(reply);
  const role = elector.currentRole();
  if (role.kind !== 'leader') {
    answer(
      refusal(LEADER_ERROR_CODES.NOT_LEADER, `${elector.id} does not lead ${input.name}`, elector.leader()),
    );
    return;
  }
  const handler = input.handleLeaderCall;
  if (!handler) {
    answer(refusal(LEADER_ERROR_CODES.NO_HANDLER, `${input.name} has no handleLeaderCall`, elector.leader()));
    return;
  }
  const context: LeaderRequestContext = { group: input.name, node: elector.id, epoch: role.epoch };
  const failed = (error: unknown) =>
    answer(
      refusal(
        LEADER_ERROR_CODES.CALL_FAILED,
        error instanceof Error ? error.message : String(error),
        elector.leader(),
      ),
    );
  try {
    Promise.resolve(handler(event.request, context)).then(
      (reply) => answer({ type: 'leader.reply', ok: true, reply, node: elector.id, epoch: role.epoch }),
      failed,
    );
  } catch (error) {
    failed(error);
  }
}

/**
 * A leader process as actor logic. Its input names the group, the Paxos node, the candidates and
 * the lease; it emits `elected`, `renewed`, `steppedDown`, `surrendered` and `leaderChanged`.
 *
 * @example
 * const leader = createActor(genLeader, {
 *   clock,
 *   input: { name: 'scheduler', paxos: node, candidates: ['a', 'b', 'c'], leaseMs: 2000, driftBound: 0.001, clock },
 * });
 * leader.on('elected', (e) => console.log(`${e.node} leads epoch ${e.epoch}`));
 * leader.start();
 */
export const genLeader: GenLeaderLogic = {
  getInitialSnapshot(scope, input) {
    const problem = checkLeaderInput(input);
    if (problem !== null) throw new Error(`${LEADER_ERROR_CODES.BAD_OPTION}: ${problem}`);
    const clock = input.clock ?? monotonicClock;
    const timing = leaseTiming(input);
    if (typeof timing === 'string') throw new Error(`${LEADER_ERROR_CODES.BAD_OPTION}: ${timing}`);
    const port = paxosPortOf(input.paxos, clock);
    const queued: LeaderEmitted[] = [];
    const self = scope.self;
    const elector = new Elector({
      group: input.name,
      candidate: input.candidates.includes(port.id),
      rank: Math.max(0, input.candidates.indexOf(port.id)),
      timing,
      port,
      clock,
      random: input.random ?? systemRandom,
      askTimeoutMs: input.askTimeoutMs ?? timing.leaseMs / 2,
      onEvents: (events) => {
        queued.push(...events);
        // Emitted from a transition, in order, with the snapshot that goes with them.
        self.send({ type: 'leader.changed' });
      },
    });
    running.set(self, { elector, input, queued });
    return snapshotOf(elector, input, 'active');
  },

  start(_snapshot, scope) {
    running.get(scope.self)?.elector.start();
  },

  transition(snapshot, event, scope) {
    const run = running.get(scope.self);
    if (!run || snapshot.status !== 'active') return snapshot;
    const { elector, input } = run;
    if ((event.type as string) === 'xstate.stop') {
      elector.halt();
      return snapshotOf(elector, input, 'stopped');
    }
    switch (event.type) {
      case 'leader.changed':
        for (const emitted of run.queued.splice(0)) {
          scope.emit(emitted);
          input.notify?.send(emitted);
        }
        break;
      case 'leader.call':
        serveCall(run, event);
        return snapshot;
      case 'leader.cast': {
        const role = elector.currentRole();
        // A cast that reaches a node that no longer leads is dropped, as gen_leader drops it.
        if (role.kind === 'leader')
          input.handleLeaderCast?.(event.request, { group: input.name, node: elector.id, epoch: role.epoch });
        return snapshot;
      }
      default:
        return snapshot;
    }
    return snapshotOf(elector, input, 'active');
  },

  getPersistedSnapshot(snapshot) {
    // Leadership never survives a restart (a new incarnation claims afresh): nothing to persist.
    return snapshot;
  },
};
