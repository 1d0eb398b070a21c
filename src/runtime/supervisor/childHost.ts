// Creates, observes and stops the children of one actor (a supervisor, or any custom logic that
// hosts a simple_one_for_one engine). Children are XState children of the host, or — isolated —
// roots of actor systems of their own; either way their exits come back to the host as
// `xstate.error.actor.<id>` / `xstate.done.actor.<id>`, which childExitOf parses.
import {
  createActor,
  type AnyActorLogic,
  type AnyActorRef,
  type AnyActorScope,
  type EventObject,
  type InspectionEvent,
  type Observer,
} from 'xstate';
import type { TimerClock } from '../../base/clock.js';
import { isAlive } from '../actorLike.js';
import type { ActorNode } from '../actorNode.js';
import { recordExitReason } from '../exitReason.js';
import type { ChildObserver } from './childSpec.js';

export interface SpawnOptions {
  readonly input?: unknown;
  readonly name?: string | undefined;
  readonly observe?: ChildObserver<AnyActorLogic> | undefined;
  readonly restarted: boolean;
  /**
   * Run the child as the root of an actor system of its own, on the host's clock. XState scans
   * every timer of a system whenever one of its actors stops, so hosts of many short-lived
   * children (a node's per-key instances) isolate them to keep stopping one cheap.
   */
  readonly isolated?: boolean;
  /** Inspection for an isolated child (a host's own system observers do not see it). */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

export class ChildHost {
  constructor(
    private readonly scope: AnyActorScope,
    private readonly node: ActorNode | undefined,
  ) {}

  /** Creates and starts child `id`. Check `isAlive` after: a child can fail while starting. */
  spawn(id: string, logic: AnyActorLogic, options: SpawnOptions): AnyActorRef {
    const input = options.input !== undefined ? { input: options.input } : {};
    const child = options.isolated
      ? createActor(logic, {
          id,
          clock: (this.scope.self as unknown as { clock: TimerClock }).clock,
          ...(options.inspect ? { inspect: options.inspect } : {}),
          ...input,
        })
      : createActor(logic, { parent: this.scope.self, id, ...input });
    if (options.isolated) this.relayExits(id, child);
    const observe = options.observe;
    // Listeners go on before start, so events and snapshots of the start itself are seen.
    if (observe?.emitted) {
      const emitted = observe.emitted;
      child.on('*', (event: EventObject) => emitted(id, event, child));
    }
    if (observe?.snapshot) {
      const snapshot = observe.snapshot;
      // The error listener matters: without it XState rethrows the child's crash globally.
      child.subscribe({ next: (s) => snapshot(id, s, child), error: () => {} });
    }
    child.start();
    if (!isAlive(child)) return child;
    if (options.name !== undefined && this.node) this.node.register(options.name, child);
    observe?.started?.(id, child, options.restarted);
    return child;
  }

  /** Stops `child` (its exit reason is `shutdown`); no exit event comes back for it. */
  stop(child: AnyActorRef): void {
    const alive = isAlive(child);
    if (alive) recordExitReason(child, 'shutdown');
    if (child._parent === this.scope.self) this.scope.stopChild(child);
    else if (alive) {
      this.stopping.add(child);
      child.stop();
    }
  }

  private readonly stopping = new WeakSet<AnyActorRef>();

  /** Sends the host the exit event XState sends a parent, for a child that has none. */
  private relayExits(id: string, child: AnyActorRef): void {
    child.subscribe({
      error: (error: unknown) =>
        this.scope.self.send({ type: `xstate.error.actor.${id}`, error, actorId: id }),
      complete: () => {
        // Observers complete on a stop too; only a child that finished by itself has exited.
        if (this.stopping.has(child) || child.getSnapshot().status !== 'done') return;
        this.scope.self.send({
          type: `xstate.done.actor.${id}`,
          output: child.getSnapshot().output,
          actorId: id,
        });
      },
    });
  }
}

const ERROR_PREFIX = 'xstate.error.actor.';
const DONE_PREFIX = 'xstate.done.actor.';

/** The child id of an exit event (`xstate.error.actor.<id>` / `xstate.done.actor.<id>`), else null. */
export function childExitOf(event: EventObject): string | null {
  if (event.type.startsWith(ERROR_PREFIX)) return event.type.slice(ERROR_PREFIX.length);
  if (event.type.startsWith(DONE_PREFIX)) return event.type.slice(DONE_PREFIX.length);
  return null;
}
