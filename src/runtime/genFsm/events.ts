// The event vocabulary genFsm adds on top of a machine's own events: all-state events (gen_fsm's
// handle_event), info messages (handle_info) and the state timeout. (The runtime's stop request:
// stopRequest.ts.)
import type { EventObject } from 'xstate';

/** Any event with fields: what a call or cast by name accepts (its fields are not known statically). */
export interface LooseEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * All-state events arrive with this prefix on their type, so a machine handles them at its root
 * (`on: { 'all.stop': … }`) and no state-level handler of the plain type can catch them first.
 */
export const ALL_STATE_PREFIX = 'all.';

/**
 * The delivered type of an all-state event, for root handler keys.
 *
 * @example
 * createMachine({ on: { [allState('stop')]: '.stopped' }, … }); // handles sendAllStateEvent(…, { type: 'stop' })
 */
export function allState<TType extends string>(type: TType): `${typeof ALL_STATE_PREFIX}${TType}` {
  return `${ALL_STATE_PREFIX}${type}`;
}

/** An event as `sendAllStateEvent` delivers it. */
export type AllStateEvent<TEvent extends EventObject> = Omit<TEvent, 'type'> & {
  readonly type: `${typeof ALL_STATE_PREFIX}${TEvent['type']}`;
};

/** The type of events that carry plain messages (`sendInfo`), like gen_fsm's handle_info. */
export const INFO_EVENT_TYPE = 'info';

/** A plain message delivered to a machine: handle it with `on: { info: … }`. */
export interface InfoEvent<TMessage = unknown> {
  readonly type: typeof INFO_EVENT_TYPE;
  readonly message: TMessage;
}

/** The event a state timeout delivers unless told otherwise (gen_fsm's `timeout`). */
export interface TimeoutEvent {
  readonly type: 'timeout';
}

/** Throws unless `event` is an object with a string `type` (a programming error, like badarg). */
export function checkEvent(event: unknown, what = 'event'): asserts event is EventObject {
  if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') {
    throw new TypeError(`${what} must be an object with a string type`);
  }
}
