// The gen_server callback module, as plain functions of plain data: each callback gets the request
// (or message) and the state and returns what to do, like OTP's `{reply, R, State, Timeout}`. The
// runtime carries the result out: it replies, emits, arms the idle timeout or stops the server.
import type { EventObject } from 'xstate';
import type { ExitReason } from '../exitReason.js';
import type { TimeoutEvent } from '../genFsm/events.js';
import type { Caller } from './callers.js';

/** An answer to a call kept from earlier (gen_server:reply/2 as data). */
export interface CallerReply<TReply = unknown> {
  readonly to: Caller<TReply>;
  readonly value: TReply;
}

/** What any result may ask for besides the new state; carried out once the state is updated. */
export interface ServerEffects<TReply = unknown, TEmitted extends EventObject = EventObject> {
  /** Emitted in order, before any reply (XState's `emit`: `actor.on(type, …)`, a supervisor's `observe.emitted`). */
  readonly emit?: readonly TEmitted[];
  /** Answers to callers kept in the state: `noreply` then, `replies` later. */
  readonly replies?: readonly CallerReply<TReply>[];
}

/**
 * `timeoutMs`: if no message arrives within it, `handleInfo` gets `{ type: 'timeout' }` (the
 * `Timeout` of OTP's results; `Infinity` or absent: none). Any message cancels it.
 */
export interface Timed {
  readonly timeoutMs?: number;
}

/** init/1's `{ok, State}` / `{ok, State, Timeout}` or `{stop, Reason}` (the server does not start). */
export type InitResult<TState, TEmitted extends EventObject = EventObject> =
  (Timed & { readonly state: TState; readonly emit?: readonly TEmitted[] }) | { readonly stop: ExitReason };

/** `{reply, Reply, State}` / `{reply, Reply, State, Timeout}`. */
export interface ReplyResult<TState, TReply, TEmitted extends EventObject = EventObject>
  extends ServerEffects<TReply, TEmitted>, Timed {
  readonly reply: TReply;
  readonly state: TState;
}

/** `{noreply, State}` / `{noreply, State, Timeout}`: a call stays unanswered until a later `replies`. */
export interface NoReplyResult<TState, TReply = unknown, TEmitted extends EventObject = EventObject>
  extends ServerEffects<TReply, TEmitted>, Timed {
  readonly noreply: true;
  readonly state: TState;
}

/**
 * `{stop, Reason, State}`: `terminate(reason, state)` runs, then the server ends, normally for
 * `normal`, `shutdown` and `{ shutdown }` (a transient child is not restarted), as failed otherwise.
 */
export interface StopResult<
  TState,
  TReply = unknown,
  TEmitted extends EventObject = EventObject,
> extends ServerEffects<TReply, TEmitted> {
  readonly stop: ExitReason;
  /** The state `terminate` gets; default the current one. */
  readonly state?: TState;
}

/** What handleCall returns; `{stop, Reason, Reply, State}` is a StopResult with `reply`. */
export type CallResult<TState, TReply, TEmitted extends EventObject = EventObject> =
  | ReplyResult<TState, TReply, TEmitted>
  | NoReplyResult<TState, TReply, TEmitted>
  | (StopResult<TState, TReply, TEmitted> & { readonly reply?: TReply });

/** What handleCast and handleInfo return. */
export type CastResult<TState, TReply = unknown, TEmitted extends EventObject = EventObject> =
  NoReplyResult<TState, TReply, TEmitted> | StopResult<TState, TReply, TEmitted>;

/** What terminate may still do: emit, and answer callers kept in the state. */
export type TerminateResult<TReply = unknown, TEmitted extends EventObject = EventObject> =
  ServerEffects<TReply, TEmitted> | undefined | void;

/**
 * A gen_server callback module. Callbacks are pure: they compute from their arguments and return
 * a result; the runtime replies, emits, arms timeouts and stops. Keep the state plain data.
 * A callback that throws crashes the server (terminate runs with `{ error }` first).
 */
export interface GenServerCallbacks<
  TState,
  TInput = undefined,
  TCall = never,
  TReply = unknown,
  TCast = never,
  TInfo extends EventObject = EventObject,
  TEmitted extends EventObject = EventObject,
> {
  /**
   * init/1: the first state, from the start's `input`. (The state's type is taken from the handlers'
   * `state` parameters: a `{ stop }` branch here would otherwise widen it with `undefined`.)
   */
  init(input: TInput): InitResult<NoInfer<TState>, TEmitted>;
  /** handle_call/3: `from` names the caller, for a reply now (`reply`) or later (`replies`). */
  handleCall(request: TCall, from: Caller<TReply>, state: TState): CallResult<TState, TReply, TEmitted>;
  /** handle_cast/2. Absent: casts are ignored. */
  handleCast?(request: TCast, state: TState): CastResult<TState, TReply, TEmitted>;
  /**
   * handle_info/2: any other event (`sendInfo`'s `{ type: 'info', message }`, a monitor's `down`,
   * `nodeup`…), and `{ type: 'timeout' }` when a result's `timeoutMs` ran out. Absent: ignored.
   */
  handleInfo?(info: TInfo | TimeoutEvent, state: TState): CastResult<TState, TReply, TEmitted>;
  /**
   * terminate/2: the server is stopping (a stop result, `genServer.stop`, its supervisor, a crash).
   * Runs once; its result may still emit and reply. Callers left unanswered get GENFSM_ERR_EXITED.
   */
  terminate?(reason: ExitReason, state: TState): TerminateResult<TReply, TEmitted>;
}
