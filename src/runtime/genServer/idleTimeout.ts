// The idle timeout of a genServer result (the `Timeout` of `{noreply, State, Timeout}`): after
// `timeoutMs` without a message, handleInfo gets `{ type: 'timeout' }`. It runs on the actor
// system's scheduler, so the system's clock (SimulatedClock, VirtualClock) drives it, and any message
// cancels it. Each timer event is a fresh object: one that fired but was overtaken by another message,
// or one forged by a peer, is not the armed one and is dropped.
import type { AnyActorRef, EventObject } from 'xstate';
import type { TimeoutEvent } from '../genFsm/events.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from '../runtimeError.js';

/** The type of the scheduled event (delivered to handleInfo as `{ type: 'timeout' }`). */
export const IDLE_TIMER_TYPE = '$gen_timeout';

/** The scheduler id of the idle timeout: one per actor. */
const IDLE_TIMER_ID = 'genServer.idleTimeout';

/** What handleInfo receives when the idle timeout runs out. */
export const TIMEOUT_INFO: TimeoutEvent = { type: 'timeout' };

const armed = new WeakMap<object, EventObject>();

/**
 * The timeout a result asks for: a number of ms >= 0, `Infinity` or absent for none. Anything else
 * is a bad return value (GENSERVER_ERR_BAD_RETURN).
 */
export function checkTimeoutMs(timeoutMs: unknown): number | undefined {
  if (timeoutMs === undefined || timeoutMs === Number.POSITIVE_INFINITY) return undefined;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
    throw new RuntimeError(
      RUNTIME_ERROR_CODES.BAD_RETURN,
      `timeoutMs must be a number >= 0 or Infinity, got ${String(timeoutMs)}`,
    );
  }
  return timeoutMs;
}

/** Arms `actor`'s idle timeout, replacing any pending one. */
export function armIdleTimeout(actor: AnyActorRef, timeoutMs: number): void {
  cancelIdleTimeout(actor);
  const event: EventObject = { type: IDLE_TIMER_TYPE };
  armed.set(actor, event);
  actor.system.scheduler.schedule(actor, actor, event, timeoutMs, IDLE_TIMER_ID);
}

/** Cancels `actor`'s idle timeout, if armed. */
export function cancelIdleTimeout(actor: AnyActorRef): void {
  if (!armed.delete(actor)) return;
  actor.system.scheduler.cancel(actor, IDLE_TIMER_ID);
}

/** True if `event` is a scheduled idle timer (current or stale). */
export function isIdleTimer(event: EventObject): boolean {
  return event.type === IDLE_TIMER_TYPE;
}

/** True if `event` is the timer `actor` armed last and has not cancelled. */
export function isArmedTimer(actor: object, event: EventObject): boolean {
  return armed.get(actor) === event;
}
