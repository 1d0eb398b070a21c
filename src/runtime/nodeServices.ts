// What a behaviour (genFsm, genServer) needs of the node it is bound to: its clock, its registry,
// delivery to any address, and crash reports. ActorNode implements it; behaviours depend on this
// interface only, so the node can build its behaviours' APIs without an import cycle.
import type { EventObject } from 'xstate';
import type { ActorLike } from './actorLike.js';
import type { Target } from './address.js';
import type { RuntimeClock } from '../base/clock.js';
import type { ExitReason } from './exitReason.js';

/** The crash of an actor no supervisor watches, as the node's `onCrash` receives it. */
export interface CrashReport {
  readonly actor: string;
  readonly name: string | undefined;
  readonly error: unknown;
}

export interface NodeServices {
  /** The node's name (an Erlang node name; a member id when the node is networked). */
  readonly name: string;
  /** Times calls and the timers of the actors the behaviours start. */
  readonly clock: RuntimeClock;
  whereis(name: string): ActorLike | undefined;
  register(name: string, actor: ActorLike): void;
  cast(target: Target, event: EventObject): boolean;
  call<TReply>(target: Target, event: EventObject, timeoutMs?: number): Promise<TReply>;
  stop(target: Target, reason?: ExitReason, timeoutMs?: number): Promise<void>;
  reportCrash(report: CrashReport): void;
}
