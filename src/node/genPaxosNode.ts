// `genPaxosNode`: a gen-paxos node as XState actor logic, so it can be created with
// `createActor`, spawned inside a user's machine (`spawnChild(genPaxosNode, { input,
// systemId: 'paxos' })`) or supervised by the runtime's supervisors (startLink does), and talked to
// with events or with gen_server calls (nodeRequests.ts). The logic is a thin adapter: the key
// supervisor's state lives in a KeySupervisor, the snapshot exposes plain-data counters.
import type {
  ActorLogic,
  ActorRef,
  ActorSystem,
  AnyActorRef,
  InspectionEvent,
  Observer,
  Snapshot,
} from 'xstate';
import { ERROR_CODES, errorFromInfo, errorInfo, type ErrorInfo } from '../base/errors.js';
import { instanceMachine, type InstanceMachine, type InstanceTiming } from '../paxos/instanceMachine.js';
import type { Envelope, PaxosValue } from '../paxos/messages.js';
import type { Storage } from '../storage/storage.js';
import type { Transport } from '../transport/transport.js';
import { systemClock, type RuntimeClock } from '../base/clock.js';
import { KeySupervisor } from './keySupervisor.js';
import type { GenPaxosNodeEmitted, GenPaxosNodeReply, ReplyTo, SupervisorStats } from './nodeEvents.js';
import { systemRandom, type RandomSource } from '../base/random.js';
import { DEFAULT_RESTART_INTENSITY, type RestartIntensity } from '../runtime/restartIntensity.js';
import {
  GEN_SERVER_CALL_TYPE,
  GEN_SERVER_CAST_TYPE,
  type CallMessage,
} from '../runtime/genServer/messages.js';
import { answerRead, handleRequest } from './nodeRequests.js';

export interface GenPaxosNodeInput {
  /** This node's id; must be one of `members`. */
  readonly id: string;
  /** Every member of the group, this node included. */
  readonly members: readonly string[];
  readonly transport: Transport;
  /** Opened by the caller; the node does not close what it is given. */
  readonly storage: Storage;
  /** Read for restart intensity; give the same clock to `createActor` for the instances' timers. */
  readonly clock?: RuntimeClock;
  /** Seeds each instance's backoff jitter. */
  readonly random?: RandomSource;
  readonly timing?: Partial<InstanceTiming>;
  /** Per key: beyond this many crashes in the period the key is given up. */
  readonly restartIntensity?: RestartIntensity;
  /** An instance machine to use instead of the standard one (instrumented variants, tests). */
  readonly instanceLogic?: InstanceMachine;
  /**
   * Inspection of the per-key instance actors, which run in actor systems of their own (the
   * `inspect` option of your root actor sees the node actor only).
   */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Default true: `inspect` also sees keys handled without an instance, as their instance would be. */
  readonly inspectInstanceLess?: boolean;
  /**
   * Default true: a node answers requests for keys it has no instance for (it only votes on them)
   * by applying the instance's step functions to the stored record, without spawning an actor.
   * False: every such key gets an instance actor. `inspect` sees the same transitions either way.
   */
  readonly acceptorFastPath?: boolean;
  /**
   * Default true: each key's owner (a stable hash of the key over the members) proposes with
   * ballot 0 and skips phase 1, and other members forward their asks to it, falling back to
   * both phases if no decision comes. False: every proposal runs both phases.
   */
  readonly ownerFastPath?: boolean;
  /**
   * Default true: phase timeouts follow the phases this node completes (RFC 6298's estimator,
   * adaptiveTiming.ts), within `timing.phaseTimeoutMs` … 60 s, backed off on timeouts; `timing` is the start.
   * False: `timing` as given.
   */
  readonly adaptiveTiming?: boolean;
  /**
   * Given the node's key supervisor when the actor starts (and again after a restart): how the
   * node's owner (startLink's handle) reads local state synchronously. Optional.
   */
  readonly expose?: (keys: KeySupervisor) => void;
  /**
   * A new member joining a running group (docs/membership.md §13.3): no configuration until a
   * member that adds it sends the group's chain. Ignored when the store holds a chain already.
   */
  readonly joining?: boolean;
}

export type GenPaxosNodeEvent =
  | { readonly type: 'ask'; readonly key: string; readonly value: PaxosValue; readonly replyTo: ReplyTo }
  | { readonly type: 'ask.cancel'; readonly key: string; readonly replyTo: ReplyTo }
  /** A read (nodeRequests.ts): `quorum` true for a linearizable one; answered with `paxos.read`. */
  | { readonly type: 'read'; readonly key: string; readonly quorum?: boolean; readonly replyTo: ReplyTo }
  /** gen_server's call and cast (`genServer.call(node, { type: 'ask', key, value })`): nodeRequests.ts. */
  | CallMessage
  | { readonly type: typeof GEN_SERVER_CAST_TYPE; readonly request: unknown }
  | { readonly type: 'inbound'; readonly envelope: Envelope }
  /** The store settled a write the node issued (the effect runner's token). */
  | { readonly type: 'storage.settled'; readonly token: number; readonly error?: ErrorInfo }
  /** A key's instance is done (decided, or idle): retire it. */
  | { readonly type: 'instance.retire'; readonly key: string; readonly sessionId: string }
  /** A key's takeover timer fired. */
  | { readonly type: 'takeover'; readonly key: string }
  /**
   * In-process only: run `run` with the key supervisor inside the actor's step (configuration
   * writes settling, membership changes driven from the node's handle). Never sent by a peer.
   */
  | { readonly type: 'node.task'; readonly run: (keys: KeySupervisor) => void };

/** The node's snapshot: plain data only, so it inspects and prints well. */
export type GenPaxosNodeSnapshot = Snapshot<undefined> & {
  readonly context: {
    readonly id: string;
    readonly members: readonly string[];
    readonly liveInstances: number;
    readonly storageFailed: boolean;
    readonly stats: Readonly<SupervisorStats>;
  };
};

export type GenPaxosNodeLogic = ActorLogic<
  GenPaxosNodeSnapshot,
  GenPaxosNodeEvent,
  GenPaxosNodeInput,
  ActorSystem<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- xstate's own AnyActorSystem
  GenPaxosNodeEmitted
>;
export type GenPaxosNodeActorRef = ActorRef<GenPaxosNodeSnapshot, GenPaxosNodeEvent, GenPaxosNodeEmitted>;

const supervisors = new WeakMap<AnyActorRef, KeySupervisor>();

function snapshotOf(supervisor: KeySupervisor, status: 'active' | 'stopped'): GenPaxosNodeSnapshot {
  return {
    status,
    output: undefined,
    error: undefined,
    context: {
      id: supervisor.options.id,
      members: supervisor.options.members,
      liveInstances: supervisor.liveInstances,
      storageFailed: supervisor.storageFailed,
      stats: { ...supervisor.stats },
    },
  } as GenPaxosNodeSnapshot;
}

export const genPaxosNode: GenPaxosNodeLogic = {
  getInitialSnapshot(scope, input) {
    if (!input.members.includes(input.id)) {
      throw new Error(
        `${ERROR_CODES.BAD_MEMBERS}: members must include the node's own id ${JSON.stringify(input.id)}`,
      );
    }
    const supervisor = new KeySupervisor({
      id: input.id,
      members: input.members,
      transport: input.transport,
      storage: input.storage,
      clock: input.clock ?? systemClock,
      random: input.random ?? systemRandom,
      timing: input.timing ?? {},
      restartIntensity: input.restartIntensity ?? DEFAULT_RESTART_INTENSITY,
      instanceLogic: input.instanceLogic ?? instanceMachine,
      ...(input.inspect ? { inspect: input.inspect } : {}),
      ...(input.inspectInstanceLess !== undefined ? { inspectInstanceLess: input.inspectInstanceLess } : {}),
      acceptorFastPath: input.acceptorFastPath ?? true,
      ownerFastPath: input.ownerFastPath ?? true,
      adaptiveTiming: input.adaptiveTiming ?? true,
      ...(input.joining === true ? { joining: true } : {}),
    });
    supervisors.set(scope.self, supervisor);
    input.expose?.(supervisor);
    return snapshotOf(supervisor, 'active');
  },

  start(_snapshot, scope) {
    const self = scope.self;
    supervisors.get(self)?.start({
      scope,
      settle: (write) =>
        self.send({
          type: 'storage.settled',
          token: write.token,
          ...(write.error ? { error: errorInfo(write.error) } : {}),
        }),
      retire: (key, sessionId) => self.send({ type: 'instance.retire', key, sessionId }),
      timerFired: (key) => self.send({ type: 'takeover', key }),
      later: (task) => self.send({ type: 'node.task', run: () => task() }),
    });
  },

  transition(snapshot, event, scope) {
    const supervisor = supervisors.get(scope.self);
    if (!supervisor || snapshot.status !== 'active') return snapshot;
    const type = event.type as string;
    // xstate.error.actor.<key>: an instance crashed; the pool restarts it or gives the key up.
    if (supervisor.childExited(event)) return snapshotOf(supervisor, 'active');
    if (type === 'xstate.stop') {
      supervisor.stop();
      return snapshotOf(supervisor, 'stopped');
    }
    switch (event.type) {
      case 'ask':
        supervisor.ask(event.key, event.value, event.replyTo);
        break;
      case 'ask.cancel':
        supervisor.cancelAsk(event.key, event.replyTo);
        break;
      case 'read':
        answerRead(supervisor, event.key, event.quorum === true, event.replyTo);
        break;
      case GEN_SERVER_CALL_TYPE:
        handleRequest(supervisor, event.request, event.replyTo);
        break;
      case GEN_SERVER_CAST_TYPE:
        // A cast has nobody to answer: only an ask makes sense (fire and forget).
        handleRequest(supervisor, event.request, undefined);
        break;
      case 'inbound':
        supervisor.inbound(event.envelope);
        break;
      case 'storage.settled':
        supervisor.writeSettled({
          token: event.token,
          ...(event.error ? { error: errorFromInfo(event.error) } : {}),
        });
        break;
      case 'instance.retire':
        supervisor.retire(event.key, event.sessionId);
        break;
      case 'takeover':
        supervisor.takeover(event.key);
        break;
      case 'node.task':
        if (typeof event.run === 'function') event.run(supervisor);
        break;
      default:
        // Unknown events are ignored, like unmatched messages in a gen_fsm's handle_info.
        return snapshot;
    }
    return snapshotOf(supervisor, 'active');
  },

  getPersistedSnapshot(snapshot) {
    // The durable state is in storage; the snapshot only carries counters.
    return snapshot;
  },
};

export type { GenPaxosNodeEmitted, GenPaxosNodeReply, ReplyTo };
