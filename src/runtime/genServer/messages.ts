// What a gen_server receives, as XState events. Calls and casts are wrapped like OTP's
// `{'$gen_call', From, Request}` and `{'$gen_cast', Request}`, so a request can be any plain data
// and cannot be mistaken for an info message; every other event is an info message (handle_info).
import type { EventObject } from 'xstate';
import type { TimeoutEvent } from '../genFsm/events.js';
import type { From } from '../genFsm/reply.js';

/** The type of call events (`genServer.call`): OTP's `'$gen_call'`. */
export const GEN_SERVER_CALL_TYPE = '$gen_call';

/** The type of cast events (`genServer.cast`): OTP's `'$gen_cast'`. */
export const GEN_SERVER_CAST_TYPE = '$gen_cast';

/** A call as the server receives it; the node adds `replyTo` (a peer cannot send one). */
export interface CallMessage<TCall = unknown, TReply = unknown> {
  readonly type: typeof GEN_SERVER_CALL_TYPE;
  readonly request: TCall;
  readonly replyTo?: From<TReply>;
}

/** A cast as the server receives it. */
export interface CastMessage<TCast = unknown> {
  readonly type: typeof GEN_SERVER_CAST_TYPE;
  readonly request: TCast;
}

/** Every event a genServer accepts: calls, casts, and info messages (the idle timeout among them). */
export type GenServerEvent<TCall, TReply, TCast, TInfo extends EventObject> =
  CallMessage<TCall, TReply> | CastMessage<TCast> | TInfo | TimeoutEvent;

export function isCallMessage(event: EventObject): event is CallMessage {
  return event.type === GEN_SERVER_CALL_TYPE;
}

export function isCastMessage(event: EventObject): event is CastMessage {
  return event.type === GEN_SERVER_CAST_TYPE;
}
