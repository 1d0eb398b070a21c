// How actors are addressed: a ref (this process), a registered name (this node), or
// `{ name, node }` (a registered name on any node, this one included) — Erlang's Pid, Name and
// {Name, Node}. Only names travel between nodes; refs never leave their process.
import type { EventObject } from 'xstate';
import type { ActorLike } from './actorLike.js';

/** A registered name on a given node (Erlang's `{Name, Node}`). */
export interface RemoteName {
  readonly name: string;
  readonly node: string;
}

/** Anything genFsm can send to: an actor, a name registered on this node, or a `{ name, node }`. */
export type Target<TEvent extends EventObject = EventObject> = ActorLike<TEvent> | string | RemoteName;

export function isRemoteName(target: unknown): target is RemoteName {
  return (
    typeof target === 'object' &&
    target !== null &&
    typeof (target as RemoteName).name === 'string' &&
    typeof (target as RemoteName).node === 'string' &&
    typeof (target as { send?: unknown }).send !== 'function'
  );
}

/** A printable form of a target, for messages. */
export function describeTarget(target: Target): string {
  if (typeof target === 'string') return JSON.stringify(target);
  if (isRemoteName(target)) return `${JSON.stringify(target.name)}@${target.node}`;
  return `actor ${target.id}`;
}
