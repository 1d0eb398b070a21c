// The items of a `runtime` frame (docs/wire-protocol.md, "Actor runtime messages"): the actor
// runtime's DistMessages, plus the two link-control items the WebSocket router uses to agree on
// when a link carries runtime traffic (webSocketRouter.ts). Plain data; the limits below are what
// validateRuntime.ts enforces on receipt and the router checks before sending.
import type { DistMessage, DistMessageKind } from '../../runtime/distribution/remoteRouter.js';
import { isLocalEventType } from '../wire/frames.js';

/**
 * Sent on a link by a node that takes the link as final (the tie-break can no longer replace it):
 * once each side has sent and received one, both report `nodeup`. `reply` asks the receiver to send
 * its own again, for a router attached after the link came up (the first one may have been lost).
 */
export interface ConnectItem {
  readonly kind: 'connect';
  readonly reply: boolean;
}

/** The sender's runtime stopped (its router closed) while the link stays up for Paxos: `nodedown`. */
export interface DisconnectItem {
  readonly kind: 'disconnect';
}

export type RuntimeItem = DistMessage | ConnectItem | DisconnectItem;
export type RuntimeItemKind = RuntimeItem['kind'];

const DIST_KINDS: Readonly<Record<DistMessageKind, true>> = {
  cast: true,
  call: true,
  stop: true,
  reply: true,
  fail: true,
  monitor: true,
  demonitor: true,
  down: true,
};

export const RUNTIME_ITEM_KINDS: readonly RuntimeItemKind[] = [
  ...(Object.keys(DIST_KINDS) as DistMessageKind[]),
  'connect',
  'disconnect',
];

/** Longest registered name accepted from the wire (Erlang's atoms stop at 255 characters too). */
export const MAX_ACTOR_NAME_LENGTH = 255;
/** Longest event type. */
export const MAX_EVENT_TYPE_LENGTH = 255;
/** Longest monitor ref (`#Ref<node.n>`: a node name of up to 128 characters and a counter). */
export const MAX_REF_LENGTH = 256;
/** Longest error code in a `fail` or an `{ error }` reason. */
export const MAX_ERROR_CODE_LENGTH = 128;
/** Longest error message; the sender cuts longer ones to fit. */
export const MAX_ERROR_MESSAGE_LENGTH = 4096;
/**
 * Longest call timeout carried: Node's timers cannot wait longer (a longer delay fires at once).
 * The sender carries a longer one as `null`, no bound on the callee's side; the caller keeps its own.
 */
export const MAX_CALL_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Event types a peer may not send to an actor, besides the node's own (LOCAL_EVENT_TYPES): the
 * runtime raises these itself, and a forged one would lie to an actor (a fake monitor `down`, a
 * `genFsm.stop` bypassing the stop protocol, an `xstate.error.actor.*` faking a child's crash).
 */
export const RUNTIME_LOCAL_EVENT_TYPES: readonly string[] = ['down', 'nodeup', 'nodedown'];

export function isRuntimeLocalEventType(type: string): boolean {
  return isLocalEventType(type) || RUNTIME_LOCAL_EVENT_TYPES.includes(type) || type.startsWith('genFsm.');
}
