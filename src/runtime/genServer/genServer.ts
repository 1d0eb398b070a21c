// The gen_server API over genServerLogic, bound to one node: start/startLink, call, cast, info
// messages, stop and reply. Names resolve in the node's registry; `{ name, node }` reaches other
// nodes through the node's distribution. Nothing in the runtime imports this file: it depends on
// the node (NodeServices, localNode), never the other way round.
import type { Actor, AnyActorLogic, EventObject, InputFrom, InspectionEvent, Observer } from 'xstate';
import type { ActorLike } from '../actorLike.js';
import { localNode } from '../actorNode.js';
import type { RemoteName, Target } from '../address.js';
import type { ExitReason } from '../exitReason.js';
import { DEFAULT_CALL_TIMEOUT_MS, type CallOptions } from '../genFsm/callActor.js';
import { INFO_EVENT_TYPE, type InfoEvent } from '../genFsm/events.js';
import type { NodeServices } from '../nodeServices.js';
import { startActor } from '../startActor.js';
import { replyToCaller, type Caller } from './callers.js';
import type { GenServerCallbacks } from './callbacks.js';
import {
  GEN_SERVER_CALL_TYPE,
  GEN_SERVER_CAST_TYPE,
  type CallMessage,
  type CastMessage,
} from './messages.js';

/** Any genServer logic (what `genServerLogic` returns), whatever its types. */
export type AnyGenServerLogic = AnyActorLogic & {
  readonly callbacks: GenServerCallbacks<unknown, unknown, unknown, unknown, unknown>;
};

type CallbacksOf<TLogic> = TLogic extends { readonly callbacks: infer C } ? C : never;

/** The requests a genServer's handleCall takes. */
export type CallRequestOf<TLogic> =
  CallbacksOf<TLogic> extends GenServerCallbacks<infer _S, infer _I, infer C, infer _R> ? C : never;

/** What a genServer's calls answer. */
export type CallReplyOf<TLogic> =
  CallbacksOf<TLogic> extends GenServerCallbacks<infer _S, infer _I, infer _C, infer R> ? R : never;

/** The requests a genServer's handleCast takes. */
export type CastRequestOf<TLogic> =
  CallbacksOf<TLogic> extends GenServerCallbacks<infer _S, infer _I, infer _C, infer _R, infer C> ? C : never;

/** A started gen_server: an XState actor running the callback module's logic. */
export type GenServerActor<TLogic extends AnyGenServerLogic> = Actor<TLogic>;

/**
 * A target whose requests are not known statically: a name, `{ name, node }`, or a ref that is not
 * a typed genServer actor (from `whereis`, `childOf`…). A typed actor is checked against its logic.
 */
export type UntypedServer = string | RemoteName | (ActorLike & { readonly logic?: never });

export interface GenServerStartOptions<TInput = unknown> {
  /** Registers the server under this name on the node (gen_server's `{local, Name}`); also its id. */
  readonly name?: string;
  /** init's argument. */
  readonly input?: TInput;
  /** The actor's id, if not its name. */
  readonly id?: string;
  /** XState inspection of the server (root actors only). */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

export interface GenServer {
  /** The node names resolve on (an ActorNode). */
  readonly node: NodeServices;

  /**
   * Starts the server as a root actor on the node's clock (gen_server:start/3,4); `init` runs before
   * this returns. If init returns `{ stop }` or throws, the actor comes back stopped (check
   * `isAlive`), unregistered, and an abnormal end goes to the node's `onCrash`, like its later crashes.
   *
   * @example
   * const bank = genServer.start(bankLogic, { name: 'bank' });
   */
  start<TLogic extends AnyGenServerLogic>(
    logic: TLogic,
    options?: GenServerStartOptions<InputFrom<TLogic>>,
  ): GenServerActor<TLogic>;

  /**
   * Starts the server as a child of `parent` (gen_server:start_link/3,4): its exits reach the
   * parent as `xstate.done.actor.<id>` / `xstate.error.actor.<id>`, and it stops with the parent.
   * Under a supervisor, give `genServerLogic(…)` as the child spec's `logic` instead.
   *
   * @example
   * const worker = genServer.startLink(workerLogic, parentRef, { id: 'worker' });
   */
  startLink<TLogic extends AnyGenServerLogic>(
    logic: TLogic,
    parent: ActorLike,
    options?: GenServerStartOptions<InputFrom<TLogic>>,
  ): GenServerActor<TLogic>;

  /**
   * Calls the server (gen_server:call/3): `handleCall(request, from, state)` runs there, and this
   * resolves with its `reply` (now, or later through `replies`). Rejects with GENFSM_ERR_TIMEOUT
   * (default 5000 ms), GENFSM_ERR_NOPROC, GENFSM_ERR_EXITED (it stopped or crashed first) or
   * GENFSM_ERR_NODEDOWN.
   *
   * @example
   * const balance = await genServer.call('bank', { type: 'deposit', who: 'ann', amount: 10 });
   */
  call<TLogic extends AnyGenServerLogic>(
    server: GenServerActor<TLogic>,
    request: CallRequestOf<TLogic>,
    options?: CallOptions,
  ): Promise<CallReplyOf<TLogic>>;
  call<TReply = unknown>(server: UntypedServer, request: unknown, options?: CallOptions): Promise<TReply>;

  /**
   * Casts to the server (gen_server:cast/2): `handleCast(request, state)` runs there. False if the
   * server is not running, unknown or unreachable (the request is then lost, as in Erlang).
   *
   * @example
   * genServer.cast({ name: 'bank', node: 'b' }, { type: 'audit' });
   */
  cast<TLogic extends AnyGenServerLogic>(
    server: GenServerActor<TLogic>,
    request: CastRequestOf<TLogic>,
  ): boolean;
  cast(server: UntypedServer, request: unknown): boolean;

  /**
   * Sends a plain message (`Pid ! Msg`): `handleInfo({ type: 'info', message }, state)` runs there.
   *
   * @example
   * genServer.sendInfo('bank', 'tick');
   */
  sendInfo(server: Target, message: unknown): boolean;

  /**
   * Stops the server with `reason` (gen_server:stop/2,3) and resolves once it stopped, after its
   * `terminate`. Normal reasons end it as done, others as failed (a supervisor restarts it).
   *
   * @example
   * await genServer.stop('bank');
   */
  stop(server: Target, reason?: ExitReason, options?: CallOptions): Promise<void>;

  /**
   * gen_server:reply/2: answers a call whose `from` was kept, from outside the server's callbacks
   * (inside them, return `{ replies: [{ to: from, value }] }`). False if nobody waits any more.
   *
   * @example
   * genServer.reply(from, { ok: true });
   */
  reply<TReply>(to: Caller<TReply>, value: TReply): boolean;
}

// One API object per node: it holds nothing but the node, so callers may ask for it every time.
const bound = new WeakMap<NodeServices, GenServer>();

/**
 * genServer bound to `node` (the same object on every call for the same node). The package exports
 * the one bound to `localNode` as `genServer`.
 *
 * @example
 * const gs = createGenServer(createActorNode({ name: 'a', clock: new VirtualClock() }));
 * const bank = gs.start(bankLogic, { name: 'bank' });
 */
export function createGenServer(node: NodeServices): GenServer {
  let api = bound.get(node);
  if (!api) {
    api = bind(node);
    bound.set(node, api);
  }
  return api;
}

function bind(node: NodeServices): GenServer {
  function start<TLogic extends AnyGenServerLogic>(
    logic: TLogic,
    options: GenServerStartOptions<InputFrom<TLogic>>,
    parent: ActorLike | undefined,
  ): GenServerActor<TLogic> {
    return startActor(node, logic, options, parent);
  }
  return {
    node,
    start: (logic, options = {}) => start(logic, options, undefined),
    startLink: (logic, parent, options = {}) => start(logic, options, parent),
    call: <TReply>(server: Target, request: unknown, options: CallOptions = {}) => {
      const message: CallMessage = { type: GEN_SERVER_CALL_TYPE, request };
      return node.call<TReply>(server, message, options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
    },
    cast: (server: Target, request: unknown) => {
      const message: CastMessage = { type: GEN_SERVER_CAST_TYPE, request };
      return node.cast(server, message);
    },
    sendInfo: (server, message) => {
      const info: InfoEvent = { type: INFO_EVENT_TYPE, message };
      return node.cast(server, info as EventObject);
    },
    stop: (server, reason = 'normal', options = {}) =>
      node.stop(server, reason, options.timeoutMs ?? Number.POSITIVE_INFINITY),
    reply: replyToCaller,
  } as GenServer;
}

/**
 * gen_server on the process's node (`localNode`). Code running several nodes in one process uses
 * `createGenServer(node)` for each.
 *
 * @example
 * const bank = genServer.start(bankLogic, { name: 'bank' });
 * await genServer.call('bank', { type: 'deposit', who: 'ann', amount: 10 });
 */
export const genServer: GenServer = createGenServer(localNode);
