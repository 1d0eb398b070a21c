// A gen_server as XState actor logic: `genServerLogic(callbacks)` can be started by genServer,
// `createActor`, `spawnChild` or a supervisor's child spec. The snapshot's `context` is the server's
// state (plain data). Each event goes to one callback (calls, casts, anything else as info); the
// runtime carries the result out after the snapshot is updated: emits, then replies, then the idle
// timeout. Stopping in any way (a stop result, a stop request, XState's stop, a crash) runs
// `terminate` once.
import type { ActorLogic, AnyActorRef, AnyActorScope, EventObject, Snapshot } from 'xstate';
import { exitReasonOf, recordExitReason, type ExitReason } from '../exitReason.js';
import type { TimeoutEvent } from '../genFsm/events.js';
import type { From } from '../genFsm/reply.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from '../runtimeError.js';
import { acceptStopRequests, exitStatus, isStopRequest } from '../stopRequest.js';
import { admitCaller, dropCallersOf, takeCaller, type Caller } from './callers.js';
import type { CallerReply, GenServerCallbacks } from './callbacks.js';
import {
  armIdleTimeout,
  cancelIdleTimeout,
  checkTimeoutMs,
  isArmedTimer,
  isIdleTimer,
  TIMEOUT_INFO,
} from './idleTimeout.js';
import { isCallMessage, isCastMessage, type GenServerEvent } from './messages.js';

/** XState's AnyActorSystem, which the package does not export. */
type AnyActorSystem = AnyActorScope['system'];

/** XState's stop event: the parent, a supervisor or `actor.stop()` stops the actor. */
const XSTATE_STOP = 'xstate.stop';

/** A running genServer's snapshot: `context` is the state (`undefined` if init did not return one). */
export type GenServerSnapshot<TState> = Snapshot<undefined> & { readonly context: TState };

/** The logic of a gen_server callback module (see genServerLogic). */
export type GenServerLogic<
  TState,
  TInput = undefined,
  TCall = never,
  TReply = unknown,
  TCast = never,
  TInfo extends EventObject = EventObject,
  TEmitted extends EventObject = EventObject,
> = ActorLogic<
  GenServerSnapshot<TState>,
  GenServerEvent<TCall, TReply, TCast, TInfo>,
  TInput,
  AnyActorSystem,
  TEmitted
> & {
  /** The callback module, as given. */
  readonly callbacks: GenServerCallbacks<TState, TInput, TCall, TReply, TCast, TInfo, TEmitted>;
};

/** What a transition leaves for after the snapshot update, in this order. */
interface Pending {
  readonly emit: EventObject[];
  readonly sends: (readonly [From<unknown>, unknown])[];
  timeoutMs: number | undefined;
}

/** How a server ends: with a reason, by XState's stop, or by a crash (the error is kept as is). */
type Ending =
  | { readonly kind: 'reason' }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'crash'; readonly error: unknown };

function badReturn(callback: string, why: string): RuntimeError {
  return new RuntimeError(RUNTIME_ERROR_CODES.BAD_RETURN, `${callback} returned ${why}`);
}

function resultObject(callback: string, result: unknown): Record<string, unknown> {
  if (typeof result !== 'object' || result === null) throw badReturn(callback, String(result));
  return result as Record<string, unknown>;
}

function emitted(callback: string, result: Record<string, unknown>): EventObject[] {
  const emit = result.emit;
  if (emit === undefined) return [];
  if (!Array.isArray(emit)) throw badReturn(callback, 'an `emit` that is not an array');
  return emit as EventObject[];
}

function replies(callback: string, result: Record<string, unknown>): readonly CallerReply[] {
  const list = result.replies;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw badReturn(callback, 'a `replies` that is not an array');
  return list as CallerReply[];
}

/** Takes the callers of `list` out of the table (after validation, so a bad result takes none). */
function sendsOf(list: readonly CallerReply[]): (readonly [From<unknown>, unknown])[] {
  const sends: (readonly [From<unknown>, unknown])[] = [];
  for (const { to, value } of list) {
    const replyTo = takeCaller(to);
    if (replyTo) sends.push([replyTo, value]);
  }
  return sends;
}

/**
 * The XState logic of a gen_server callback module: give it to `genServer.start`, to a
 * supervisor's child spec, or to `spawnChild` / `createActor`.
 *
 * @example
 * const counter = genServerLogic({
 *   init: (start: number) => ({ state: start }),
 *   handleCall: (request: 'get', _from, count: number) => ({ reply: count, state: count }),
 *   handleCast: (request: 'inc', count: number) => ({ noreply: true, state: count + 1 }),
 * });
 * const actor = genServer.start(counter, { name: 'counter', input: 41 });
 */
export function genServerLogic<
  TState,
  TInput = undefined,
  TCall = never,
  TReply = unknown,
  TCast = never,
  TInfo extends EventObject = EventObject,
  TEmitted extends EventObject = EventObject,
>(
  callbacks: GenServerCallbacks<TState, TInput, TCall, TReply, TCast, TInfo, TEmitted>,
): GenServerLogic<TState, TInput, TCall, TReply, TCast, TInfo, TEmitted> {
  type Snap = GenServerSnapshot<TState>;

  function carryOut(scope: AnyActorScope, pending: Pending): void {
    if (pending.emit.length === 0 && pending.sends.length === 0 && pending.timeoutMs === undefined) return;
    const self = scope.self as AnyActorRef;
    scope.defer(() => {
      for (const event of pending.emit) scope.emit(event);
      for (const [replyTo, value] of pending.sends) replyTo.send(value);
      if (pending.timeoutMs !== undefined) armIdleTimeout(self, pending.timeoutMs);
    });
  }

  /** Runs terminate once, then ends the actor; what terminate returns is carried out too. */
  function finish(
    snapshot: Snap,
    scope: AnyActorScope,
    reason: ExitReason,
    state: TState,
    pending: Pending,
    ending: Ending,
  ): Snap {
    const self = scope.self as AnyActorRef;
    let failure: { readonly error: unknown } | null =
      ending.kind === 'crash' ? { error: ending.error } : null;
    try {
      const result: unknown = callbacks.terminate?.(reason, state);
      if (result !== undefined) {
        const fields = resultObject('terminate', result);
        pending.emit.push(...emitted('terminate', fields));
        pending.sends.push(...sendsOf(replies('terminate', fields)));
      }
    } catch (error) {
      // A crash keeps its own error; a terminate that throws while stopping fails the actor.
      failure ??= { error };
    }
    cancelIdleTimeout(self);
    dropCallersOf(self);
    pending.timeoutMs = undefined;
    carryOut(scope, pending);
    const base = { ...snapshot, context: state };
    if (failure) return { ...base, status: 'error', output: undefined, error: failure.error };
    if (ending.kind === 'stopped') return { ...base, status: 'stopped', output: undefined, error: undefined };
    recordExitReason(self, reason);
    return { ...base, ...exitStatus(reason) };
  }

  /** Carries out a handler's result: a new state (with replies and a timeout), or a stop. */
  function apply(
    callback: string,
    snapshot: Snap,
    scope: AnyActorScope,
    result: unknown,
    from: Caller | undefined,
  ): Snap {
    const fields = resultObject(callback, result);
    const emit = emitted(callback, fields);
    const later = replies(callback, fields);
    if ('stop' in fields) {
      const reason = fields.stop as ExitReason;
      const state = 'state' in fields ? (fields.state as TState) : snapshot.context;
      const own = from !== undefined && 'reply' in fields ? takeCaller(from) : undefined;
      const sends = [...(own ? [[own, fields.reply] as const] : []), ...sendsOf(later)];
      return finish(
        snapshot,
        scope,
        reason,
        state,
        { emit: [...emit], sends, timeoutMs: undefined },
        {
          kind: 'reason',
        },
      );
    }
    const replying = 'reply' in fields;
    if (replying && from === undefined) throw badReturn(callback, 'a `reply`, but nobody called');
    if (!replying && fields.noreply !== true)
      throw badReturn(callback, 'neither `reply`, `noreply` nor `stop`');
    if (!('state' in fields)) throw badReturn(callback, 'no `state`');
    const timeoutMs = checkTimeoutMs(fields.timeoutMs);
    const own = replying && from !== undefined ? takeCaller(from) : undefined;
    const sends = [...(own ? [[own, fields.reply] as const] : []), ...sendsOf(later)];
    carryOut(scope, { emit: [...emit], sends, timeoutMs });
    return { ...snapshot, context: fields.state as TState };
  }

  const logic: GenServerLogic<TState, TInput, TCall, TReply, TCast, TInfo, TEmitted> = {
    callbacks,
    getInitialSnapshot(scope, input) {
      acceptStopRequests(scope.self);
      const none = undefined as TState;
      try {
        const fields = resultObject('init', callbacks.init(input));
        if ('stop' in fields) {
          const reason = fields.stop as ExitReason;
          recordExitReason(scope.self, reason);
          return { ...exitStatus(reason), context: none };
        }
        if (!('state' in fields)) throw badReturn('init', 'neither `state` nor `stop`');
        const timeoutMs = checkTimeoutMs(fields.timeoutMs);
        // Deferred to the start: the system's scheduler runs from then, and emit listeners are on.
        carryOut(scope, { emit: [...emitted('init', fields)], sends: [], timeoutMs });
        return { status: 'active', output: undefined, error: undefined, context: fields.state as TState };
      } catch (error) {
        return { status: 'error', output: undefined, error, context: none };
      }
    },
    transition(snapshot, event, scope) {
      if (snapshot.status !== 'active') return snapshot;
      const self = scope.self as AnyActorRef;
      const received = event as EventObject;
      if (received.type === XSTATE_STOP) {
        return finish(snapshot, scope, exitReasonOf(self), snapshot.context, empty(), { kind: 'stopped' });
      }
      if (isStopRequest(received)) {
        return finish(snapshot, scope, received.reason, snapshot.context, empty(), { kind: 'reason' });
      }
      // A timer overtaken by a message, or one forged by a peer: not a message at all.
      if (isIdleTimer(received) && !isArmedTimer(self, received)) return snapshot;
      // gen_server: any message ends the idle timeout; the callback's result may set a new one.
      cancelIdleTimeout(self);
      const state = snapshot.context;
      try {
        if (isCallMessage(received)) {
          const from = admitCaller(self, received.replyTo) as Caller<TReply>;
          const result = callbacks.handleCall(received.request as TCall, from, state);
          return apply('handleCall', snapshot, scope, result, from);
        }
        if (isCastMessage(received)) {
          const result = callbacks.handleCast
            ? callbacks.handleCast(received.request as TCast, state)
            : { noreply: true, state };
          return apply('handleCast', snapshot, scope, result, undefined);
        }
        const info = (isIdleTimer(received) ? TIMEOUT_INFO : received) as TInfo | TimeoutEvent;
        const result = callbacks.handleInfo ? callbacks.handleInfo(info, state) : { noreply: true, state };
        return apply('handleInfo', snapshot, scope, result, undefined);
      } catch (error) {
        // OTP: a crashing callback runs terminate with the error, then the server exits with it.
        return finish(snapshot, scope, { error }, state, empty(), { kind: 'crash', error });
      }
    },
    getPersistedSnapshot(snapshot) {
      return snapshot;
    },
    restoreSnapshot(persisted, scope) {
      acceptStopRequests(scope.self);
      return persisted as Snap;
    },
  };
  return logic;
}

function empty(): Pending {
  return { emit: [], sends: [], timeoutMs: undefined };
}
