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

/**
 * Calls `onExit` once when `actor` stops, crashes or finishes, with the reason. The caller must
 * check `isAlive` first: an actor already stopped never calls back.
 */
export function watchExit(actor: ActorLike, onExit: (reason: ExitReason) => void): Subscription {
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    onExit(exitReasonOf(actor));
  };
  // An error listener must be present: an observer without one makes XState rethrow the
  // actor's error as an uncaught exception.
  return actor.subscribe({ complete: fire, error: fire });
}
