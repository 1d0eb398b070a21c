// Replies to synchronous calls. A call event carries `replyTo` (gen_fsm's From); the machine
// answers with the `reply` action, now or later (keep `event.replyTo` in context and name it with
// `to`). The first reply wins; replies after the caller gave up are dropped by the caller's side.
import type { ActionArgs, EventObject, MachineContext, ParameterizedObject } from 'xstate';
import type { RuntimeAction } from './stateTimeout.js';

/** Where a call's answer goes (gen_fsm's From). `send` never throws; late answers are dropped. */
export interface From<TReply = unknown> {
  send(reply: TReply): void;
  /**
   * True once the caller stopped waiting (answered, timed out, or its target exited), so whoever
   * keeps this From may forget it. Absent: unknown.
   */
  settled?(): boolean;
}

/** An event as a synchronous call delivers it: the request plus where to answer. */
export type CallEvent<TEvent extends EventObject, TReply> = TEvent & { readonly replyTo: From<TReply> };

/** The requests a machine answers: its events that carry `replyTo`, without it. */
export type RequestOf<TEvent extends EventObject> = TEvent extends { readonly replyTo: From<infer _R> }
  ? Omit<TEvent, 'replyTo'>
  : never;

/** The reply type of the request of type `TType` among `TEvent`. */
export type ReplyOf<TEvent extends EventObject, TType extends string> = TEvent extends {
  readonly type: TType;
  readonly replyTo: From<infer R>;
}
  ? R
  : never;

type Expr<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams,
  TEvent extends EventObject,
  T,
> = (args: ActionArgs<TContext, TExpressionEvent, TEvent>, params: TParams) => T;

/**
 * Answers the call being handled (`event.replyTo`), or the one named by `options.to`, with
 * `value` (or what the function computes). An event that was cast, not called, has no
 * `replyTo`: the reply is then skipped, so one handler can serve both.
 *
 * @example
 * on: {
 *   get_count: { actions: reply(({ context }) => context.count) },
 * }
 */
export function reply<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
  TReply = unknown,
>(
  value: TReply | Expr<TContext, TExpressionEvent, TParams, TEvent, TReply>,
  options: { to?: Expr<TContext, TExpressionEvent, TParams, TEvent, From<TReply> | undefined> } = {},
): RuntimeAction<TContext, TExpressionEvent, TParams, TEvent> {
  return (args, params) => {
    const to = options.to ? options.to(args, params) : (args.event as { replyTo?: From<TReply> }).replyTo;
    if (to === undefined) return;
    const answer =
      typeof value === 'function'
        ? (value as Expr<TContext, TExpressionEvent, TParams, TEvent, TReply>)(args, params)
        : value;
    to.send(answer);
  };
}

/** Sends `value` to a caller kept from an earlier event (gen_fsm:reply/2), outside any action. */
export function sendReply<TReply>(to: From<TReply>, value: TReply): void {
  to.send(value);
}
