// What a behaviour (genFsm, genServer) needs from the node it runs on: its clock, its names, and
// cast/call/stop by address. ActorNode implements it; behaviours import this interface, never the
// class, so the node can build behaviours without an import cycle.
import type { EventObject } from 'xstate';
import type { ActorLike } from './actorLike.js';
import type { RuntimeClock } from './clock.js';
import type { Target } from './distribution/address.js';
import type { ExitReason } from './exitReason.js';
import type { LooseEvent } from './genFsm/events.js';

/** A crash of an actor nobody supervises (started without link or supervisor). */
export interface CrashReport {
  readonly actor: string;
  readonly name: string | undefined;
  readonly error: unknown;
}

/** The node services behaviours use (see ActorNode for each method's contract). */
export interface NodeApi {
  /** This node's name. */
  readonly name: string;
  /** Call timeouts and the timers of the actors behaviours start. */
  readonly clock: RuntimeClock;
  register(name: string, actor: ActorLike): void;
  whereis(name: string): ActorLike | undefined;
  cast(target: Target, event: LooseEvent | EventObject): boolean;
  call<TReply>(target: Target, event: LooseEvent | EventObject, timeoutMs?: number): Promise<TReply>;
  stop(target: Target, reason?: ExitReason, timeoutMs?: number): Promise<void>;
  /** Tells the node's `onCrash` of an unsupervised actor's crash. */
  reportCrash(report: CrashReport): void;
}
