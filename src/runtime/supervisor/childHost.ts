// Creates, observes and stops the children of one actor (a supervisor, or any custom logic that
// hosts a simple_one_for_one engine). Children are XState children of the host: their exits come
// back to it as `xstate.error.actor.<id>` / `xstate.done.actor.<id>`, which childExitOf parses.
import {
  createActor,
  type AnyActorLogic,
  type AnyActorRef,
  type AnyActorScope,
  type EventObject,
} from 'xstate';
import { isAlive } from '../actorLike.js';
import type { ActorNode } from '../actorNode.js';
import { recordExitReason } from '../exitReason.js';
import type { ChildObserver } from './childSpec.js';

export interface SpawnOptions {
  readonly input?: unknown;
  readonly name?: string | undefined;
  readonly observe?: ChildObserver<AnyActorLogic> | undefined;
  readonly restarted: boolean;
}

export class ChildHost {
  constructor(
    private readonly scope: AnyActorScope,
    private readonly node: ActorNode | undefined,
  ) {}

  /** Creates and starts child `id`. Check `isAlive` after: a child can fail while starting. */
  spawn(id: string, logic: AnyActorLogic, options: SpawnOptions): AnyActorRef {
    const child = createActor(logic, {
      parent: this.scope.self,
      id,
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
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
    if (isAlive(child)) recordExitReason(child, 'shutdown');
    this.scope.stopChild(child);
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
