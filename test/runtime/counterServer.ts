// A genServer for the runtime's tests: a counter whose requests exercise every kind of result
// (reply, noreply with callers kept in the state, stop, crash, idle timeouts, a bad return value).
// It emits what terminate and the idle timeout see, so tests observe them without side effects.
import type { ExitReason } from '../../src/runtime/exitReason.js';
import type { InfoEvent, TimeoutEvent } from '../../src/runtime/genFsm/events.js';
import type { CallResult, CastResult, TerminateResult } from '../../src/runtime/genServer/callbacks.js';
import type { Caller } from '../../src/runtime/genServer/callers.js';
import { genServerLogic } from '../../src/runtime/genServer/genServerLogic.js';

export interface CounterState {
  readonly count: number;
  /** Callers of `hold`, answered by the `release` cast. */
  readonly held: readonly Caller<number>[];
  readonly timeouts: number;
}

export interface CounterInput {
  readonly start?: number;
  /** init's idle timeout. */
  readonly timeoutMs?: number;
  /** init returns `{ stop }` with this reason. */
  readonly stop?: ExitReason;
  /** init throws. */
  readonly failInit?: boolean;
}

export type CounterCall =
  | { readonly type: 'get' }
  | { readonly type: 'hold' }
  | { readonly type: 'idle'; readonly timeoutMs: number }
  | { readonly type: 'stop'; readonly reason: ExitReason }
  | { readonly type: 'crash' }
  | { readonly type: 'bad' };

export type CounterCast =
  | { readonly type: 'inc' }
  | { readonly type: 'release' }
  | { readonly type: 'idle'; readonly timeoutMs: number }
  | { readonly type: 'stop'; readonly reason: ExitReason };

export type CounterEmitted =
  | { readonly type: 'started'; readonly count: number }
  | { readonly type: 'terminated'; readonly reason: ExitReason; readonly count: number }
  | { readonly type: 'timedOut'; readonly count: number };

export const counterServer = genServerLogic({
  init: (input: CounterInput | undefined) => {
    if (input?.failInit) throw new Error('cannot start');
    if (input?.stop !== undefined) return { stop: input.stop };
    const count = input?.start ?? 0;
    return {
      state: { count, held: [], timeouts: 0 } as CounterState,
      timeoutMs: input?.timeoutMs,
      emit: [{ type: 'started', count } as CounterEmitted],
    };
  },
  handleCall(
    request: CounterCall,
    from,
    state: CounterState,
  ): CallResult<CounterState, number, CounterEmitted> {
    switch (request.type) {
      case 'get':
        return { reply: state.count, state };
      case 'hold':
        return { noreply: true, state: { ...state, held: [...state.held, from] } };
      case 'idle':
        return { reply: state.count, state, timeoutMs: request.timeoutMs };
      case 'stop':
        return { stop: request.reason, reply: state.count, state };
      case 'crash':
        throw new Error('boom');
      case 'bad':
        return { state } as unknown as CallResult<CounterState, number, CounterEmitted>;
    }
  },
  handleCast(request: CounterCast, state: CounterState): CastResult<CounterState, number, CounterEmitted> {
    switch (request.type) {
      case 'inc':
        return { noreply: true, state: { ...state, count: state.count + 1 } };
      case 'release':
        return {
          noreply: true,
          state: { ...state, held: [] },
          replies: state.held.map((to) => ({ to, value: state.count })),
        };
      case 'idle':
        return { noreply: true, state, timeoutMs: request.timeoutMs };
      case 'stop':
        return { stop: request.reason, state };
    }
  },
  handleInfo(
    info: InfoEvent<number> | TimeoutEvent,
    state: CounterState,
  ): CastResult<CounterState, number, CounterEmitted> {
    if (info.type === 'timeout') {
      return {
        noreply: true,
        state: { ...state, timeouts: state.timeouts + 1 },
        emit: [{ type: 'timedOut', count: state.count }],
      };
    }
    return { noreply: true, state: { ...state, count: state.count + info.message } };
  },
  terminate: (reason: ExitReason, state: CounterState): TerminateResult<number, CounterEmitted> => ({
    emit: [{ type: 'terminated', reason, count: state.count }],
  }),
});
