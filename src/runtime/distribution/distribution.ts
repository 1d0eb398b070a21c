// The remote half of a node: cast, call, stop and monitor actors registered on other nodes, and
// watch nodes come and go, over a RemoteRouter. Timeouts use the node's clock, so remote calls
// keep the local semantics: first of reply, timeout, exit (or nodedown) wins; the rest is dropped.
import type { EventObject } from 'xstate';
import type { ActorLike } from '../actorLike.js';
import type { RuntimeClock } from '../../base/clock.js';
import type { ExitReason } from '../exitReason.js';
import { callActor } from '../genFsm/callActor.js';
import { notify, type DownEvent, type LocalMonitors, type MonitorRef, type Watcher } from '../monitors.js';
import {
  RUNTIME_ERROR_CODES,
  RuntimeError,
  runtimeErrorFromInfo,
  runtimeErrorInfo,
  type RuntimeErrorInfo,
} from '../runtimeError.js';
import type { RemoteName } from '../address.js';
import type { DistMessage, RemoteRouter, RouterListener } from './remoteRouter.js';
import { fromWireReason, toWireReason } from './wireReason.js';

/** A node came up or went down (net_kernel:monitor_nodes). */
export interface NodeEvent {
  readonly type: 'nodeup' | 'nodedown';
  readonly node: string;
}

/** What the distribution needs from its node. */
export interface LocalServices {
  readonly clock: RuntimeClock;
  readonly monitors: LocalMonitors;
  whereis(name: string): ActorLike | undefined;
  stopLocal(actor: ActorLike, reason: ExitReason): Promise<void>;
}

interface PendingCall {
  readonly node: string;
  readonly settle: (outcome: { reply: unknown } | { error: Error }) => void;
}

interface RemoteMonitor {
  readonly node: string;
  readonly target: RemoteName;
  readonly watcher: Watcher<DownEvent>;
}

function nodedownError(node: string, what: string): RuntimeError {
  return new RuntimeError(RUNTIME_ERROR_CODES.NODEDOWN, `node ${node} is not connected (${what})`);
}

export class Distribution implements RouterListener {
  private nextCallId = 1;
  private readonly calls = new Map<number, PendingCall>();
  /** Monitors this node holds on actors of other nodes. */
  private readonly remoteMonitors = new Map<MonitorRef, RemoteMonitor>();
  /** Monitors other nodes hold on actors here: peer → their ref → our local monitor. */
  private readonly peerMonitors = new Map<string, Map<MonitorRef, MonitorRef>>();
  private readonly nodeWatchers = new Map<
    MonitorRef,
    { readonly node: string; readonly watcher: Watcher<NodeEvent> }
  >();

  constructor(
    private readonly local: LocalServices,
    private readonly router: RemoteRouter,
  ) {
    router.listen(this);
  }

  get node(): string {
    return this.router.node;
  }

  nodes(): string[] {
    return this.router.connectedNodes();
  }

  cast(to: RemoteName, event: EventObject): boolean {
    if (!this.router.isConnected(to.node)) return false;
    this.router.send(to.node, { kind: 'cast', to: to.name, event });
    return true;
  }

  call<TReply>(to: RemoteName, event: EventObject, timeoutMs: number): Promise<TReply> {
    return this.request<TReply>(to.node, `call ${event.type}`, timeoutMs, (callId) => ({
      kind: 'call',
      to: to.name,
      callId,
      event,
      timeoutMs: timeoutMs === Number.POSITIVE_INFINITY ? null : timeoutMs,
    }));
  }

  async stop(to: RemoteName, reason: ExitReason, timeoutMs: number): Promise<void> {
    await this.request<unknown>(to.node, 'stop', timeoutMs, (callId) => ({
      kind: 'stop',
      to: to.name,
      callId,
      reason: toWireReason(reason),
    }));
  }

  monitor(target: RemoteName, watcher: Watcher<DownEvent>): MonitorRef {
    const ref = this.local.monitors.newRef();
    if (!this.router.isConnected(target.node)) {
      notify(watcher, { type: 'down', ref, target, reason: 'noconnection' });
      return ref;
    }
    this.remoteMonitors.set(ref, { node: target.node, target, watcher });
    this.router.send(target.node, { kind: 'monitor', to: target.name, ref });
    return ref;
  }

  demonitor(ref: MonitorRef): boolean {
    const monitor = this.remoteMonitors.get(ref);
    if (!monitor) return false;
    this.remoteMonitors.delete(ref);
    this.router.send(monitor.node, { kind: 'demonitor', ref });
    return true;
  }

  /** Reports `nodeup`/`nodedown` of `node` until demonitored; `nodedown` at once if it is not connected. */
  monitorNode(node: string, watcher: Watcher<NodeEvent>): MonitorRef {
    const ref = this.local.monitors.newRef();
    this.nodeWatchers.set(ref, { node, watcher });
    if (!this.router.isConnected(node)) notify(watcher, { type: 'nodedown', node });
    return ref;
  }

  demonitorNode(ref: MonitorRef): boolean {
    return this.nodeWatchers.delete(ref);
  }

  // RouterListener

  message(from: string, message: DistMessage): void {
    switch (message.kind) {
      case 'cast': {
        const actor = this.local.whereis(message.to);
        // A cast to a name nobody holds is lost, as in Erlang.
        if (actor) actor.send(message.event);
        return;
      }
      case 'call':
        this.serveCall(from, message);
        return;
      case 'stop':
        this.serveStop(from, message);
        return;
      case 'reply':
        this.settle(from, message.callId, { reply: message.reply });
        return;
      case 'fail': {
        const error = runtimeErrorFromInfo(message.error);
        if (message.reason !== undefined)
          (error as { reason?: ExitReason }).reason = fromWireReason(message.reason);
        this.settle(from, message.callId, { error });
        return;
      }
      case 'monitor':
        this.serveMonitor(from, message.to, message.ref);
        return;
      case 'demonitor': {
        const local = this.peerMonitors.get(from)?.get(message.ref);
        if (local === undefined) return;
        this.peerMonitors.get(from)?.delete(message.ref);
        this.local.monitors.demonitor(local);
        return;
      }
      case 'down': {
        const monitor = this.remoteMonitors.get(message.ref);
        if (!monitor || monitor.node !== from) return;
        this.remoteMonitors.delete(message.ref);
        notify(monitor.watcher, {
          type: 'down',
          ref: message.ref,
          target: monitor.target,
          reason: fromWireReason(message.reason),
        });
        return;
      }
      default: {
        const unknown: never = message;
        void unknown; // exhaustive: a new message kind must be handled above
      }
    }
  }

  nodeup(node: string): void {
    for (const { node: watched, watcher } of [...this.nodeWatchers.values()]) {
      if (watched === node) notify(watcher, { type: 'nodeup', node });
    }
  }

  nodedown(node: string): void {
    for (const [callId, call] of [...this.calls]) {
      if (call.node === node) {
        this.calls.delete(callId);
        call.settle({ error: nodedownError(node, 'it went down during the call') });
      }
    }
    for (const [ref, monitor] of [...this.remoteMonitors]) {
      if (monitor.node !== node) continue;
      this.remoteMonitors.delete(ref);
      notify(monitor.watcher, { type: 'down', ref, target: monitor.target, reason: 'noconnection' });
    }
    for (const local of this.peerMonitors.get(node)?.values() ?? []) this.local.monitors.demonitor(local);
    this.peerMonitors.delete(node);
    for (const { node: watched, watcher } of [...this.nodeWatchers.values()]) {
      if (watched === node) notify(watcher, { type: 'nodedown', node });
    }
  }

  private request<TReply>(
    node: string,
    what: string,
    timeoutMs: number,
    build: (callId: number) => DistMessage,
  ): Promise<TReply> {
    if (!this.router.isConnected(node)) return Promise.reject(nodedownError(node, what));
    const callId = this.nextCallId++;
    const clock = this.local.clock;
    return new Promise<TReply>((resolve, reject) => {
      let timer: unknown;
      this.calls.set(callId, {
        node,
        settle: (outcome) => {
          if (timer !== undefined) clock.clearTimeout(timer);
          if ('error' in outcome) reject(outcome.error);
          else resolve(outcome.reply as TReply);
        },
      });
      if (timeoutMs !== Number.POSITIVE_INFINITY) {
        timer = clock.setTimeout(() => {
          if (!this.calls.delete(callId)) return;
          reject(
            new RuntimeError(
              RUNTIME_ERROR_CODES.TIMEOUT,
              `no answer from node ${node} to ${what} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
      }
      this.router.send(node, build(callId));
    });
  }

  /** An answer for one of our calls; answers to calls that timed out are dropped here. */
  private settle(from: string, callId: number, outcome: { reply: unknown } | { error: Error }): void {
    const call = this.calls.get(callId);
    if (!call || call.node !== from) return;
    this.calls.delete(callId);
    call.settle(outcome);
  }

  private fail(to: string, callId: number, error: unknown): void {
    const info: RuntimeErrorInfo = runtimeErrorInfo(error);
    const reason = error instanceof RuntimeError ? (error.reason as ExitReason | undefined) : undefined;
    this.router.send(to, {
      kind: 'fail',
      callId,
      error: info,
      ...(reason !== undefined ? { reason: toWireReason(reason) } : {}),
    });
  }

  private serveCall(from: string, message: Extract<DistMessage, { kind: 'call' }>): void {
    const actor = this.local.whereis(message.to);
    if (!actor) {
      this.fail(from, message.callId, noproc(message.to, this.node));
      return;
    }
    callActor(actor, message.event, message.timeoutMs ?? Number.POSITIVE_INFINITY, this.local.clock).then(
      (reply) => this.router.send(from, { kind: 'reply', callId: message.callId, reply }),
      (error: unknown) => {
        // The caller has its own timer with the same bound: nothing to tell it.
        if (error instanceof RuntimeError && error.code === RUNTIME_ERROR_CODES.TIMEOUT) return;
        this.fail(from, message.callId, error);
      },
    );
  }

  private serveStop(from: string, message: Extract<DistMessage, { kind: 'stop' }>): void {
    const actor = this.local.whereis(message.to);
    if (!actor) {
      this.fail(from, message.callId, noproc(message.to, this.node));
      return;
    }
    this.local.stopLocal(actor, fromWireReason(message.reason)).then(
      () => this.router.send(from, { kind: 'reply', callId: message.callId, reply: null }),
      (error: unknown) => this.fail(from, message.callId, error),
    );
  }

  private serveMonitor(from: string, name: string, ref: MonitorRef): void {
    const actor = this.local.whereis(name);
    if (!actor) {
      this.router.send(from, { kind: 'down', ref, reason: 'noproc' });
      return;
    }
    let peer = this.peerMonitors.get(from);
    if (!peer) {
      peer = new Map();
      this.peerMonitors.set(from, peer);
    }
    const watching = peer;
    const local = this.local.monitors.monitor(actor, { name, node: this.node }, (down) => {
      if (!watching.delete(ref)) return;
      this.router.send(from, { kind: 'down', ref, reason: toWireReason(down.reason) });
    });
    watching.set(ref, local);
  }
}

function noproc(name: string, node: string): RuntimeError {
  return new RuntimeError(
    RUNTIME_ERROR_CODES.NOPROC,
    `no actor is registered as ${JSON.stringify(name)} on ${node}`,
  );
}
