// The parts of an XState ActorRef the runtime uses, as a structural type any actor satisfies
// (XState's own ActorRef type is invariant in its emitted events, so it cannot be a parameter
// type for "any actor that accepts these events"), plus helpers to check and watch liveness.
import type { EventObject, Observer, Snapshot, Subscription } from 'xstate';
import { exitReasonOf, type ExitReason } from './exitReason.js';

/** An actor that accepts `TEvent`: any XState `Actor` / `ActorRef` fits. */
export interface ActorLike<TEvent extends EventObject = EventObject> {
  readonly id: string;
  readonly sessionId: string;
  send(event: TEvent): void;
  getSnapshot(): Snapshot<unknown>;
  subscribe(observer: Observer<Snapshot<unknown>>): Subscription;
}

/** True while the actor can process events. Sending to a stopped actor is a dropped message. */
export function isAlive(actor: { getSnapshot(): Snapshot<unknown> }): boolean {
  return actor.getSnapshot().status === 'active';
}

/** Delivers `event` if `actor` is alive (XState warns on sends to stopped actors). */
export function sendIfAlive<TEvent extends EventObject>(actor: ActorLike<TEvent>, event: TEvent): boolean {
  if (!isAlive(actor)) return false;
  actor.send(event);
  return true;
}

type ExitWatcher = (reason: ExitReason) => void;

/** The watchers of one actor's exit, behind the one subscription they share. */
interface ExitWatch {
  readonly watchers: Set<ExitWatcher>;
  /** Set once the actor exited. */
  reason?: ExitReason;
}

const exitWatches = new WeakMap<ActorLike, ExitWatch>();

/**
 * Calls `onExit` once when `actor` stops, crashes or finishes, with the reason. The caller must
 * check `isAlive` first: an actor that stopped before anyone watched it never calls back (one
 * that was watched calls a later watcher at once).
 *
 * Every watcher of one actor shares a single subscription: XState walks an actor's observers on
 * every snapshot it takes, so one observer per pending call (a node with hundreds of asks in
 * flight) made each event cost as much as there were calls waiting.
 */
export function watchExit(actor: ActorLike, onExit: ExitWatcher): Subscription {
  let watch = exitWatches.get(actor);
  if (!watch) {
    const created: ExitWatch = { watchers: new Set() };
    exitWatches.set(actor, created);
    const fireAll = () => {
      if (created.reason !== undefined) return;
      const reason = (created.reason = exitReasonOf(actor));
      const watchers = [...created.watchers];
      created.watchers.clear();
      for (const watcher of watchers) watcher(reason);
    };
    // An error listener must be present: an observer without one makes XState rethrow the
    // actor's error as an uncaught exception.
    actor.subscribe({ complete: fireAll, error: fireAll });
    watch = created;
  }
  if (watch.reason !== undefined) {
    onExit(watch.reason);
    return { unsubscribe: () => {} };
  }
  // A watcher of its own per call (fireAll runs each once), so that unsubscribing one call never
  // removes another that passed the same function.
  const watcher: ExitWatcher = (reason) => onExit(reason);
  const watchers = watch.watchers;
  watchers.add(watcher);
  return { unsubscribe: () => void watchers.delete(watcher) };
}
