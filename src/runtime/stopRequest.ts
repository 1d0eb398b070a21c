// Stopping an actor with a reason. `node.stop(target, reason)` sends a stop request to actors whose
// logic accepts one (genFsm, genServer): the logic ends the actor as `done` for a normal reason and
// as failed for any other, so a parent or supervisor learns why through XState's own events.
// Peers cannot send it: the wire refuses event types starting with `genFsm.`.
import type { EventObject } from 'xstate';
import { describeExitReason, isNormalExit, type ExitReason } from './exitReason.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from './runtimeError.js';

/** Sent by `stop(target, reason)`; handled by the behaviour's logic, never seen by user code. */
export const STOP_REQUEST_TYPE = 'genFsm.stop';

export interface StopRequest {
  readonly type: typeof STOP_REQUEST_TYPE;
  readonly reason: ExitReason;
}

export function isStopRequest(event: EventObject): event is StopRequest {
  return event.type === STOP_REQUEST_TYPE;
}

// Actors whose logic handles stop requests; any other child can only be stopped by its parent.
const accepting = new WeakSet<object>();

/** Marks `actor` as handling stop requests (call it where its logic creates its first snapshot). */
export function acceptStopRequests(actor: object): void {
  accepting.add(actor);
}

/** True if `actor`'s logic handles stop requests. */
export function acceptsStopRequests(actor: object): boolean {
  return accepting.has(actor);
}

/** The snapshot status fields of an actor ending with `reason`: done if normal, else failed. */
export type ExitStatus =
  | { readonly status: 'done'; readonly output: undefined; readonly error: undefined }
  | { readonly status: 'error'; readonly output: undefined; readonly error: RuntimeError };

export function exitStatus(reason: ExitReason): ExitStatus {
  if (isNormalExit(reason)) return { status: 'done', output: undefined, error: undefined };
  const error = new RuntimeError(
    RUNTIME_ERROR_CODES.ABNORMAL_STOP,
    `stopped with reason ${describeExitReason(reason)}`,
    { reason, cause: typeof reason === 'object' && 'error' in reason ? reason.error : undefined },
  );
  return { status: 'error', output: undefined, error };
}
