// Why an actor stopped, in OTP's terms. Supervisors and monitors read it: `normal`, `shutdown`
// and `{ shutdown }` are normal exits (a transient child is not restarted), anything else is not.
import type { Snapshot } from 'xstate';

/**
 * The reason an actor exited.
 * - `'normal'`: it finished (a final state, or `stop(ref)`).
 * - `'shutdown'` / `{ shutdown }`: it was stopped from outside (its supervisor or parent stopped it).
 * - `{ error }`: it crashed, or was stopped with an abnormal reason.
 * - `'noproc'`: it was not running when it was monitored or called.
 * - `'noconnection'`: its node went down (remote monitors only).
 */
export type ExitReason =
  | 'normal'
  | 'shutdown'
  | 'noproc'
  | 'noconnection'
  | { readonly shutdown: unknown }
  | { readonly error: unknown };

/**
 * True for the reasons OTP calls normal: a transient child that exits so is not restarted.
 *
 * @example
 * isNormalExit({ shutdown: 'maintenance' }); // true
 */
export function isNormalExit(reason: ExitReason): boolean {
  return reason === 'normal' || reason === 'shutdown' || (typeof reason === 'object' && 'shutdown' in reason);
}

// Reasons given to genFsm.stop, by actor. XState's snapshots only say done/error/stopped, so the
// stopping side records the finer reason here before the actor stops.
const recorded = new WeakMap<object, ExitReason>();

/** Records why `actor` is about to stop (used by genFsm's stop). */
export function recordExitReason(actor: object, reason: ExitReason): void {
  recorded.set(actor, reason);
}

/** Why `actor` stopped: a recorded reason, else derived from its final snapshot. */
export function exitReasonOf(actor: { getSnapshot(): Snapshot<unknown> }): ExitReason {
  const reason = recorded.get(actor);
  if (reason !== undefined) return reason;
  const snapshot = actor.getSnapshot();
  if (snapshot.status === 'done') return 'normal';
  if (snapshot.status === 'error') return { error: snapshot.error };
  return 'shutdown';
}

/** A printable form of a reason, for messages and logs. */
export function describeExitReason(reason: ExitReason): string {
  if (typeof reason === 'string') return reason;
  if ('shutdown' in reason) return `{shutdown, ${String(reason.shutdown)}}`;
  const error = reason.error;
  return error instanceof Error ? error.message : String(error);
}
