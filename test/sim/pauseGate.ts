// A node's pause switch for simulations: while paused, everything the node would do — its
// timers, deliveries to it, its sends and its storage commits — waits in order; on resume it
// runs in that order, as a SIGSTOP/SIGCONT'd process would. A crash drops what waits. The
// disk is not paused: writes already issued still commit while the node is stopped.
import type { RuntimeClock } from '../../src/base/clock.js';
import type { RemoteRouter } from '../../src/runtime/distribution/remoteRouter.js';
import type { Envelope } from '../../src/paxos/messages.js';
import type { Transport } from '../../src/transport/transport.js';

export class PauseGate {
  private paused = false;
  private held: (() => void)[] = [];

  get isPaused(): boolean {
    return this.paused;
  }

  run(fn: () => void): void {
    if (this.paused) this.held.push(fn);
    else fn();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const fn of held) this.run(fn);
  }

  /** The node crashed: what it was about to do never happens. */
  discard(): void {
    this.paused = false;
    this.held = [];
  }

  /**
   * `clock` as the node sees it: timers that fire while paused wait for resume, and a timer
   * cleared while it waits never runs.
   */
  clock(base: RuntimeClock): RuntimeClock {
    const cleared = new Set<unknown>();
    return {
      now: () => base.now(),
      setTimeout: (fn, ms) => {
        const id = base.setTimeout(
          () =>
            this.run(() => {
              if (!cleared.delete(id)) fn();
            }),
          ms,
        );
        return id;
      },
      clearTimeout: (id) => {
        cleared.add(id);
        base.clearTimeout(id);
      },
    };
  }

  /** `transport` as the node sees it: sends and deliveries wait while paused. */
  transport(inner: Transport): Transport {
    return {
      nodeId: inner.nodeId,
      send: (envelope: Envelope) => this.run(() => inner.send(envelope)),
      listen: (receiver) => inner.listen((envelope) => this.run(() => receiver(envelope))),
      close: () => inner.close(),
    };
  }

  /** `router` (the runtime's links) as the node sees it: what it sends and hears waits while paused. */
  router(inner: RemoteRouter): RemoteRouter {
    return {
      node: inner.node,
      send: (to, message) => this.run(() => inner.send(to, message)),
      listen: (listener) =>
        inner.listen({
          message: (from, message) => this.run(() => listener.message(from, message)),
          nodeup: (node) => this.run(() => listener.nodeup(node)),
          nodedown: (node) => this.run(() => listener.nodedown(node)),
        }),
      isConnected: (node) => inner.isConnected(node),
      connectedNodes: () => inner.connectedNodes(),
      close: () => inner.close(),
    };
  }
}
