// The gen_fsm API over XState machines, bound to one node: start/startLink, casts, calls, info
// messages and stop. Names resolve in the node's registry; `{ name, node }` reaches other nodes.
import type { AnyStateMachine, Actor, EventObject, InputFrom, InspectionEvent, Observer } from 'xstate';
import type { ActorLike } from '../actorLike.js';
import type { RemoteName, Target } from '../address.js';
import type { ExitReason } from '../exitReason.js';
import type { NodeServices } from '../nodeServices.js';
import { startActor } from '../startActor.js';
import { DEFAULT_CALL_TIMEOUT_MS, type CallOptions } from './callActor.js';
import { ALL_STATE_PREFIX, checkEvent, INFO_EVENT_TYPE, type LooseEvent, type InfoEvent } from './events.js';
import { genFsmLogic, type GenFsmLogic } from './genFsmLogic.js';
import { sendReply, type ReplyOf, type RequestOf } from './reply.js';

export interface StartOptions<TMachine extends AnyStateMachine> {
  /** Registers the actor under this name on the node (gen_fsm's `{local, Name}`); also its id. */
  readonly name?: string;
  /** The machine's input (gen_fsm's init/1 argument). */
  readonly input?: InputFrom<TMachine>;
  /** The actor's id, if not its name. */
  readonly id?: string;
  /** XState inspection of the actor and its children (root actors only). */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

/** A started gen_fsm: an XState actor running the machine's genFsm logic. */
export type GenFsmActor<TMachine extends AnyStateMachine> = Actor<GenFsmLogic<TMachine>>;

export interface GenFsm {
  /** The node names resolve on (an ActorNode). */
  readonly node: NodeServices;

  /**
   * Starts `machine` as a root actor on the node's clock (gen_fsm:start/3,4). Its crashes go to the
   * node's `onCrash`, never to the caller as an uncaught exception.
   *
   * @example
   * const lock = genFsm.start(codeLock, { name: 'code_lock', input: { code: [1, 2, 3] } });
   */
  start<TMachine extends AnyStateMachine>(
    machine: TMachine,
    options?: StartOptions<TMachine>,
  ): GenFsmActor<TMachine>;

  /**
   * Starts `machine` as a child of `parent` (gen_fsm:start_link/3,4): its exits reach the parent as
   * `xstate.done.actor.<id>` / `xstate.error.actor.<id>` (a machine that does not handle the error
   * fails in turn, like an untrapped link), and it is stopped when the parent stops or fails.
   *
   * @example
   * const worker = genFsm.startLink(workerMachine, supervisorRef, { id: 'worker' });
   */
  startLink<TMachine extends AnyStateMachine>(
    machine: TMachine,
    parent: ActorLike,
    options?: StartOptions<TMachine>,
  ): GenFsmActor<TMachine>;

  /**
   * Casts `event` to the target's current state (gen_fsm:send_event/2). Returns false if the target
   * is not running, unknown or unreachable (the event is then lost, as in Erlang).
   *
   * @example
   * genFsm.sendEvent('code_lock', { type: 'button', digit: 1 });
   */
  sendEvent<TEvent extends EventObject>(target: Target<TEvent>, event: TEvent): boolean;

  /**
   * Calls the target (gen_fsm:sync_send_event/3): delivers `{ ...event, replyTo }` and resolves with
   * what the machine answers through the `reply` action. Rejects with GENFSM_ERR_TIMEOUT,
   * GENFSM_ERR_NOPROC, GENFSM_ERR_EXITED or GENFSM_ERR_NODEDOWN.
   *
   * @example
   * const count = await genFsm.syncSendEvent(counter, { type: 'get_count' }, { timeoutMs: 1000 });
   */
  syncSendEvent<TEvent extends EventObject, TRequest extends RequestOf<TEvent> & EventObject>(
    target: ActorLike<TEvent>,
    event: TRequest,
    options?: CallOptions,
  ): Promise<ReplyOf<TEvent, TRequest['type']>>;
  syncSendEvent<TReply = unknown>(
    target: string | RemoteName,
    event: LooseEvent,
    options?: CallOptions,
  ): Promise<TReply>;

  /**
   * Casts an all-state event (gen_fsm:send_all_state_event/2): delivered as `all.<type>`, handled at
   * the machine's root whatever its state.
   *
   * @example
   * genFsm.sendAllStateEvent('code_lock', { type: 'stop' }); // handled by on: { 'all.stop': … }
   */
  sendAllStateEvent(target: Target, event: LooseEvent): boolean;

  /**
   * Calls with an all-state event (gen_fsm:sync_send_all_state_event/3).
   *
   * @example
   * const state = await genFsm.syncSendAllStateEvent('code_lock', { type: 'which_state' });
   */
  syncSendAllStateEvent<TReply = unknown>(
    target: Target,
    event: LooseEvent,
    options?: CallOptions,
  ): Promise<TReply>;

  /**
   * Sends a plain message, delivered as `{ type: 'info', message }` (what gen_fsm's handle_info gets).
   *
   * @example
   * genFsm.sendInfo('code_lock', { tick: 1 }); // on: { info: … }
   */
  sendInfo<TMessage>(target: Target<InfoEvent<TMessage>>, message: TMessage): boolean;

  /**
   * Stops the target with `reason` and resolves once it stopped (gen_fsm:stop/2). `normal`,
   * `shutdown` and `{ shutdown }` end it as done; `{ error }` ends it as failed, so a supervisor
   * restarts a transient child.
   *
   * @example
   * await genFsm.stop('code_lock');
   */
  stop(target: Target, reason?: ExitReason, options?: CallOptions): Promise<void>;

  /** gen_fsm:reply/2: answers a caller kept from an earlier call event. */
  readonly reply: typeof sendReply;
}

function toAllState(event: EventObject): EventObject {
  checkEvent(event);
  return { ...event, type: `${ALL_STATE_PREFIX}${event.type}` };
}

/** genFsm bound to `node`. The package exports the one bound to `localNode`. */
export function createGenFsm(node: NodeServices): GenFsm {
  function create<TMachine extends AnyStateMachine>(
    machine: TMachine,
    options: StartOptions<TMachine>,
    parent: ActorLike | undefined,
  ): GenFsmActor<TMachine> {
    return startActor(node, genFsmLogic(machine), options, parent);
  }

  return {
    node,
    start: (machine, options = {}) => create(machine, options, undefined),
    startLink: (machine, parent, options = {}) => create(machine, options, parent),
    sendEvent: (target, event) => node.cast(target, event),
    syncSendEvent: <TReply>(target: Target, event: EventObject, options: CallOptions = {}) =>
      node.call<TReply>(target, event, options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS),
    sendAllStateEvent: (target, event) => node.cast(target, toAllState(event)),
    syncSendAllStateEvent: <TReply>(target: Target, event: EventObject, options: CallOptions = {}) =>
      node.call<TReply>(target, toAllState(event), options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS),
    sendInfo: (target, message) => {
      const info: InfoEvent<typeof message> = { type: INFO_EVENT_TYPE, message };
      return node.cast(target as Target, info);
    },
    stop: (target, reason = 'normal', options = {}) =>
      node.stop(target, reason, options.timeoutMs ?? Number.POSITIVE_INFINITY),
    reply: sendReply,
  } as GenFsm;
}
