// Monitors (erlang:monitor/2): a watcher receives one `down` event when the watched actor stops,
// crashes or finishes, with the reason; at once with `noproc` if it was not running. Watchers are
// actors (sent the event while they run) or plain functions.
import type { EventObject, Subscription } from 'xstate';
import { isAlive, sendIfAlive, watchExit, type ActorLike } from './actorLike.js';
import type { ExitReason } from './exitReason.js';
import type { Target } from './address.js';

/** Names one monitor; `demonitor` takes it, and the `down` event carries it. */
export type MonitorRef = string;

/** The watched actor is gone. */
export interface DownEvent {
  readonly type: 'down';
  readonly ref: MonitorRef;
  /** What was monitored, as given to `monitor`. */
  readonly target: Target;
  readonly reason: ExitReason;
}

/** Who is told: an actor accepting the event, or a function. */
export type Watcher<TEvent extends EventObject> = ActorLike<TEvent> | ((event: TEvent) => void);

/** Delivers `event` to `watcher`; an actor that stopped meanwhile is skipped. */
export function notify<TEvent extends EventObject>(watcher: Watcher<TEvent>, event: TEvent): void {
  if (typeof watcher === 'function') watcher(event);
  else sendIfAlive(watcher, event);
}

/** The monitors of the actors of one process, numbered per node for readable refs. */
export class LocalMonitors {
  private next = 1;
  private readonly active = new Map<MonitorRef, Subscription>();

  constructor(private readonly node: string) {}

  /** A fresh ref, also used for remote monitors so refs stay unique per node. */
  newRef(): MonitorRef {
    return `#Ref<${this.node}.${this.next++}>`;
  }

  /** Watches `actor`; `target` is what the down event names. */
  monitor(actor: ActorLike, target: Target, watcher: Watcher<DownEvent>): MonitorRef {
    const ref = this.newRef();
    if (!isAlive(actor)) {
      notify(watcher, { type: 'down', ref, target, reason: 'noproc' });
      return ref;
    }
    const watch = watchExit(actor, (reason) => {
      if (!this.active.delete(ref)) return;
      notify(watcher, { type: 'down', ref, target, reason });
    });
    this.active.set(ref, watch);
    return ref;
  }

  /** Stops watching; returns false if the monitor already fired or never existed. */
  demonitor(ref: MonitorRef): boolean {
    const watch = this.active.get(ref);
    if (!watch) return false;
    this.active.delete(ref);
    watch.unsubscribe();
    return true;
  }

  /** True for a ref this node issued that has not fired or been removed. */
  has(ref: MonitorRef): boolean {
    return this.active.has(ref);
  }
}
