// A node of the actor runtime: its name, clock, registry, monitors and (optionally) its links to
// other nodes. Every address (ref, name, `{ name, node }`) is resolved here, so genFsm's API is the
// same for local and remote actors. `localNode` is the default node of the process.
import type { AnyActorRef, EventObject } from 'xstate';
import { isAlive, watchExit, type ActorLike } from './actorLike.js';
import { systemClock, type RuntimeClock } from '../base/clock.js';
import { describeTarget, isRemoteName, type RemoteName, type Target } from './address.js';
import { Distribution, type NodeEvent } from './distribution/distribution.js';
import { Registry } from './distribution/registry.js';
import type { RemoteRouter } from './distribution/remoteRouter.js';
import { recordExitReason, type ExitReason } from './exitReason.js';
import { callActor, checkTimeoutMs, DEFAULT_CALL_TIMEOUT_MS } from './genFsm/callActor.js';
import { checkEvent, type LooseEvent } from './genFsm/events.js';
import { createGenFsm, type GenFsm } from './genFsm/genFsm.js';
import { LocalMonitors, notify, type DownEvent, type MonitorRef, type Watcher } from './monitors.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from './runtimeError.js';
import type { CrashReport, NodeServices } from './nodeServices.js';

export type { CrashReport } from './nodeServices.js';
import { acceptsStopRequests, STOP_REQUEST_TYPE, type StopRequest } from './stopRequest.js';

/** Erlang's name for a node that is not distributed. */
export const DEFAULT_NODE_NAME = 'nonode@nohost';

/** A crash of an actor nobody supervises (started without link or supervisor). */
export interface ActorNodeOptions {
  /** This node's name; default the router's node, else `nonode@nohost`. */
  readonly name?: string;
  /** Call timeouts and the timers of actors genFsm starts; `VirtualClock` or `SimulatedClock` in tests. */
  readonly clock?: RuntimeClock;
  /** Links to other nodes; without it only local targets are reachable. */
  readonly router?: RemoteRouter;
  /** Told of crashes of unsupervised actors (instead of an uncaught exception). Default: console.error. */
  readonly onCrash?: (report: CrashReport) => void;
}

type Resolved =
  | { readonly kind: 'local'; readonly actor: ActorLike }
  | { readonly kind: 'remote'; readonly to: RemoteName }
  | { readonly kind: 'missing' };

/**
 * A node of the actor runtime: a name, a clock, a registry, monitors and, given a router, links to
 * other nodes. Build one with `createActorNode`; `localNode` is the process's default one.
 */
export class ActorNode implements NodeServices {
  readonly name: string;
  readonly clock: RuntimeClock;
  readonly registry = new Registry();
  readonly monitors: LocalMonitors;
  /** genFsm bound to this node: names resolve in this node's registry. */
  readonly genFsm: GenFsm;
  private readonly distribution: Distribution | null;
  private readonly onCrash: (report: CrashReport) => void;

  constructor(options: ActorNodeOptions = {}) {
    this.name = options.name ?? options.router?.node ?? DEFAULT_NODE_NAME;
    if (options.router && options.router.node !== this.name) {
      throw new RuntimeError(
        RUNTIME_ERROR_CODES.BAD_ARGUMENT,
        `the router belongs to node ${options.router.node}, not ${this.name}`,
      );
    }
    this.clock = options.clock ?? systemClock;
    this.monitors = new LocalMonitors(this.name);
    this.onCrash =
      options.onCrash ??
      ((report) =>
        console.error(`[${this.name}] actor ${report.name ?? report.actor} crashed:`, report.error));
    this.distribution = options.router
      ? new Distribution(
          {
            clock: this.clock,
            monitors: this.monitors,
            whereis: (name) => this.whereis(name),
            stopLocal: (actor, reason) => this.stopLocal(actor, reason),
          },
          options.router,
        )
      : null;
    this.genFsm = createGenFsm(this);
  }

  /**
   * Registers `actor` under `name` on this node until it stops (erlang:register/2).
   *
   * @example
   * node.register('door', actor);
   * node.genFsm.sendEvent('door', { type: 'button', digit: 1 });
   */
  register(name: string, actor: ActorLike): void {
    this.registry.register(name, actor);
  }

  /** erlang:unregister/1. */
  unregister(name: string): void {
    this.registry.unregister(name);
  }

  /**
   * The actor registered as `name` on this node (erlang:whereis/1).
   *
   * @example
   * node.whereis('door')?.getSnapshot();
   */
  whereis(name: string): ActorLike | undefined {
    return this.registry.whereis(name);
  }

  /** erlang:registered/0. */
  registered(): string[] {
    return this.registry.registered();
  }

  /** Whether this node can link to others: it was given a router (erlang:is_alive/0). */
  isAlive(): boolean {
    return this.distribution !== null;
  }

  /** Connected nodes (erlang:nodes/0). */
  nodes(): string[] {
    return this.distribution?.nodes() ?? [];
  }

  /**
   * Delivers `event` to `target`, without waiting. False if it could not be handed over.
   * (genFsm.sendEvent is this; genFsm adds the gen_fsm vocabulary on top.)
   *
   * @example
   * node.cast({ name: 'door', node: 'b' }, { type: 'button', digit: 1 });
   */
  cast(target: Target, event: LooseEvent | EventObject): boolean {
    checkEvent(event);
    const resolved = this.resolve(target);
    switch (resolved.kind) {
      case 'local':
        if (!isAlive(resolved.actor)) return false;
        resolved.actor.send(event);
        return true;
      case 'remote':
        return this.distribution?.cast(resolved.to, event) ?? false;
      case 'missing':
        return false;
    }
  }

  /**
   * Sends `{ ...event, replyTo }` to `target` and resolves with the reply (see callActor.ts).
   *
   * @example
   * const count = await node.call<number>('counter', { type: 'get' }, 1000);
   */
  call<TReply>(
    target: Target,
    event: LooseEvent | EventObject,
    timeoutMs = DEFAULT_CALL_TIMEOUT_MS,
  ): Promise<TReply> {
    checkEvent(event);
    checkTimeoutMs(timeoutMs);
    const resolved = this.resolve(target);
    switch (resolved.kind) {
      case 'local':
        return callActor<TReply>(resolved.actor, event, timeoutMs, this.clock);
      case 'remote':
        return this.distribution
          ? this.distribution.call<TReply>(resolved.to, event, timeoutMs)
          : Promise.reject(this.notDistributed(resolved.to));
      case 'missing':
        return Promise.reject(this.noproc(target));
    }
  }

  /**
   * Stops `target` with `reason` and resolves once it has stopped (gen_fsm:stop/2).
   *
   * @example
   * await node.stop('door', 'shutdown');
   */
  stop(target: Target, reason: ExitReason = 'normal', timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    const resolved = this.resolve(target);
    switch (resolved.kind) {
      case 'local':
        return this.stopLocal(resolved.actor, reason);
      case 'remote':
        return this.distribution
          ? this.distribution.stop(resolved.to, reason, timeoutMs)
          : Promise.reject(this.notDistributed(resolved.to));
      case 'missing':
        return Promise.reject(this.noproc(target));
    }
  }

  /**
   * Watches `target`: the watcher gets one `down` event when it exits, with `noproc` if it is not
   * running, `noconnection` if its node goes down (erlang:monitor/2).
   *
   * @example
   * const ref = node.monitor({ name: 'door', node: 'b' }, (down) => console.log(down.reason));
   */
  monitor(target: Target, watcher: Watcher<DownEvent>): MonitorRef {
    const resolved = this.resolve(target);
    switch (resolved.kind) {
      case 'local':
        return this.monitors.monitor(resolved.actor, target, watcher);
      case 'remote':
        if (this.distribution) return this.distribution.monitor(resolved.to, watcher);
        return this.monitors.monitor(DEAD, target, watcher);
      case 'missing':
        return this.monitors.monitor(DEAD, target, watcher);
    }
  }

  /** erlang:demonitor/1: false if the monitor already fired. */
  demonitor(ref: MonitorRef): boolean {
    return this.monitors.demonitor(ref) || (this.distribution?.demonitor(ref) ?? false);
  }

  /**
   * Reports `nodeup` / `nodedown` of `node` to `watcher`; `nodedown` at once if not connected.
   *
   * @example
   * node.monitorNode('b', (event) => console.log(event.type, event.node));
   */
  monitorNode(node: string, watcher: Watcher<NodeEvent>): MonitorRef {
    if (!this.distribution) {
      // Without a router every other node is unreachable: report it as down, as OTP does.
      const ref = this.monitors.newRef();
      if (node !== this.name) notify(watcher, { type: 'nodedown', node });
      return ref;
    }
    return this.distribution.monitorNode(node, watcher);
  }

  demonitorNode(ref: MonitorRef): boolean {
    return this.distribution?.demonitorNode(ref) ?? false;
  }

  /** Reports the crash of an unsupervised actor. */
  reportCrash(report: CrashReport): void {
    this.onCrash(report);
  }

  private resolve(target: Target): Resolved {
    if (typeof target === 'string') {
      const actor = this.whereis(target);
      return actor ? { kind: 'local', actor } : { kind: 'missing' };
    }
    if (isRemoteName(target)) {
      if (target.node !== this.name) return { kind: 'remote', to: target };
      const actor = this.whereis(target.name);
      return actor ? { kind: 'local', actor } : { kind: 'missing' };
    }
    return { kind: 'local', actor: target };
  }

  private stopLocal(actor: ActorLike, reason: ExitReason): Promise<void> {
    if (!isAlive(actor)) return Promise.reject(this.noproc(actor));
    const ref = actor as unknown as AnyActorRef;
    const stoppable = acceptsStopRequests(actor) || ref._parent === undefined;
    if (!stoppable) {
      return Promise.reject(
        new RuntimeError(
          RUNTIME_ERROR_CODES.BAD_TARGET,
          `actor ${actor.id} is a child that runs neither genFsm nor genServer logic: stop it through its parent`,
        ),
      );
    }
    return new Promise<void>((resolve) => {
      watchExit(actor, () => resolve());
      if (acceptsStopRequests(actor)) {
        const request: StopRequest = { type: STOP_REQUEST_TYPE, reason };
        actor.send(request);
      } else {
        recordExitReason(actor, reason);
        ref.stop();
      }
    });
  }

  private noproc(target: Target): RuntimeError {
    return new RuntimeError(RUNTIME_ERROR_CODES.NOPROC, `no such actor: ${describeTarget(target)}`);
  }

  private notDistributed(to: RemoteName): RuntimeError {
    return new RuntimeError(
      RUNTIME_ERROR_CODES.NODEDOWN,
      `node ${this.name} has no router, so ${describeTarget(to)} is unreachable`,
    );
  }
}

// Stands for an actor that is not running, so a monitor of a missing target fires `noproc`.
const DEAD: ActorLike = {
  id: 'noproc',
  sessionId: 'noproc',
  send: () => {},
  getSnapshot: () => ({ status: 'stopped', output: undefined, error: undefined }),
  subscribe: () => ({ unsubscribe: () => {} }),
};

/**
 * A node of the actor runtime.
 *
 * @example
 * const node = createActorNode({ name: 'a', clock: new VirtualClock() });
 * const lock = node.genFsm.start(codeLock, { name: 'code_lock', input: { code: [1, 2, 3] } });
 */
export function createActorNode(options: ActorNodeOptions = {}): ActorNode {
  return new ActorNode(options);
}

/** The process's default node (`nonode@nohost`, wall-clock time, no router). */
export const localNode: ActorNode = createActorNode();
