// gen_fsm-style state timeouts: `stateTimeout(ms)` arms a timer that delivers `timeout` unless the
// machine handles some other event first. XState's `after` is only cancelled by leaving the state;
// this one is cancelled by any handled event (the genFsm wrapper does it, see genFsmLogic.ts).
import type { ActionArgs, AnyActorRef, EventObject, MachineContext, ParameterizedObject } from 'xstate';
import { RUNTIME_ERROR_CODES, RuntimeError } from '../runtimeError.js';
import type { TimeoutEvent } from './events.js';

/** The scheduler id of the state timeout: one per actor, re-arming replaces it. */
export const STATE_TIMEOUT_ID = 'genFsm.stateTimeout';

// How many times each actor armed its state timeout. The wrapper compares it before and after a
// transition to know whether the transition re-armed the timer (and must not cancel it).
const generations = new WeakMap<object, number>();

export function stateTimeoutGeneration(actor: object): number {
  return generations.get(actor) ?? 0;
}

/** Cancels `actor`'s state timeout, if armed. */
export function cancelStateTimeoutOf(actor: AnyActorRef): void {
  actor.system.scheduler.cancel(actor, STATE_TIMEOUT_ID);
}

function arm(actor: AnyActorRef, delayMs: number, event: EventObject): void {
  if (!(delayMs >= 0) || delayMs === Number.POSITIVE_INFINITY) {
    throw new RuntimeError(
      RUNTIME_ERROR_CODES.BAD_ARGUMENT,
      `a state timeout must be a finite number of ms >= 0, got ${String(delayMs)}`,
    );
  }
  // The scheduler does not replace a pending event with the same id, so cancel first.
  actor.system.scheduler.cancel(actor, STATE_TIMEOUT_ID);
  actor.system.scheduler.schedule(actor, actor, event, delayMs, STATE_TIMEOUT_ID);
  generations.set(actor, stateTimeoutGeneration(actor) + 1);
}

/** An action of any machine, typed like XState's built-in action creators. */
export interface RuntimeAction<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
> {
  (args: ActionArgs<TContext, TExpressionEvent, TEvent>, params: TParams): void;
}

/**
 * Arms the state timeout: after `delayMs` the actor receives `event` (default `{ type: 'timeout' }`)
 * unless it handles another event first, as with gen_fsm's `{next_state, S, Data, Timeout}`. Use it
 * as an entry or transition action. Arming again replaces the pending timeout.
 *
 * Only actors started through genFsm (or `genFsmLogic`) cancel it on other events; under a plain
 * `createActor` it behaves like a delayed `raise` that re-arming replaces.
 *
 * @example
 * open: {
 *   entry: stateTimeout(30_000),          // relock after 30 s without a handled event
 *   on: { timeout: { target: 'locked' } },
 * }
 */
export function stateTimeout<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  delayMs: number | ((args: ActionArgs<TContext, TExpressionEvent, TEvent>, params: TParams) => number),
  event: TEvent | TimeoutEvent = { type: 'timeout' },
): RuntimeAction<TContext, TExpressionEvent, TParams, TEvent> {
  return (args, params) => {
    const ms = typeof delayMs === 'function' ? delayMs(args, params) : delayMs;
    arm(args.self as AnyActorRef, ms, event);
  };
}

/**
 * Cancels the pending state timeout, if any.
 *
 * @example
 * on: { hold: { actions: cancelStateTimeout() } }
 */
export function cancelStateTimeout<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(): RuntimeAction<TContext, TExpressionEvent, TParams, TEvent> {
  return (args) => cancelStateTimeoutOf(args.self as AnyActorRef);
}
