// Wraps an XState machine as gen_fsm-flavoured actor logic. Everything is delegated to the
// machine, plus two things XState has no notion of: the state timeout that any handled event
// cancels, and stop-with-reason (a normal reason ends the actor as `done`, any other as `error`,
// so a parent or supervisor learns why through XState's own done/error events).
import type {
  ActorLogic,
  AnyActorRef,
  AnyActorScope,
  AnyStateMachine,
  EmittedFrom,
  EventFromLogic,
  EventObject,
  InputFrom,
  SnapshotFrom,
} from 'xstate';
import { recordExitReason, type ExitReason } from '../exitReason.js';
import { acceptStopRequests, exitStatus, isStopRequest } from '../stopRequest.js';
import { cancelStateTimeoutOf, stateTimeoutGeneration } from './stateTimeout.js';

/** XState's AnyActorSystem, which the package does not export. */
type AnyActorSystem = AnyActorScope['system'];

/** A machine's logic as genFsm runs it: same snapshot, events, input and emitted events. */
export type GenFsmLogic<TMachine extends AnyStateMachine> = ActorLogic<
  SnapshotFrom<TMachine>,
  EventFromLogic<TMachine>,
  InputFrom<TMachine>,
  AnyActorSystem,
  EmittedFrom<TMachine>
> & { readonly machine: TMachine };

const wrapped = new WeakMap<AnyStateMachine, GenFsmLogic<AnyStateMachine>>();

/**
 * The genFsm logic of `machine`: use it where XState takes logic (`spawnChild`, `createActor`, a
 * supervisor's child spec) to get state timeouts and stop reasons. `genFsm.start` wraps for you.
 *
 * @example
 * const child = spawnChild(genFsmLogic(codeLockMachine), { id: 'lock', input: { code: [1, 2, 3] } });
 */
export function genFsmLogic<TMachine extends AnyStateMachine>(machine: TMachine): GenFsmLogic<TMachine> {
  const existing = wrapped.get(machine);
  if (existing) return existing as unknown as GenFsmLogic<TMachine>;
  type Snap = SnapshotFrom<TMachine>;

  function stopWith(snapshot: Snap, reason: ExitReason, scope: AnyActorScope): Snap {
    recordExitReason(scope.self, reason);
    // Let the machine stop its own children first, as it does for XState's stop.
    const stopped: object = machine.transition(snapshot, { type: 'xstate.stop' }, scope);
    return { ...stopped, ...exitStatus(reason) } as Snap;
  }

  const logic: GenFsmLogic<TMachine> = {
    machine,
    config: machine.config,
    getInitialSnapshot(scope, input) {
      acceptStopRequests(scope.self);
      return machine.getInitialSnapshot(scope, input) as Snap;
    },
    start(snapshot) {
      machine.start(snapshot);
    },
    transition(snapshot, event, scope) {
      const received = event as EventObject;
      if (isStopRequest(received)) return stopWith(snapshot, received.reason, scope);
      const generation = stateTimeoutGeneration(scope.self);
      const next = machine.transition(snapshot, event, scope) as Snap;
      // gen_fsm: every handled event ends the state timeout unless its handler sets a new one.
      // An event the machine does not handle leaves the snapshot as it was and the timer running:
      // XState ignores it, so it must not be able to wedge the machine by cancelling its timeout.
      if (next !== snapshot && stateTimeoutGeneration(scope.self) === generation) {
        cancelStateTimeoutOf(scope.self as AnyActorRef);
      }
      return next;
    },
    getPersistedSnapshot(snapshot, options) {
      return machine.getPersistedSnapshot(snapshot, options);
    },
    restoreSnapshot(persisted, scope) {
      acceptStopRequests(scope.self);
      return machine.restoreSnapshot(persisted, scope) as Snap;
    },
  };
  wrapped.set(machine, logic as unknown as GenFsmLogic<AnyStateMachine>);
  return logic;
}
