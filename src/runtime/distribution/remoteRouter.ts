// The pluggable link layer between nodes: what distribution.ts needs from a transport, and the
// messages it exchanges. An in-memory router (memoryRouter.ts) implements it for tests; the
// WebSocket links implement the same interface, so the genFsm API does not change.
// Contract: messages are plain data (msgpack-safe); `send` never throws and drops what it cannot
// deliver; `nodeup`/`nodedown` alternate per peer, starting with `nodeup`.
import type { EventObject } from 'xstate';
import type { RuntimeErrorInfo } from '../runtimeError.js';

/** An exit reason as it travels: errors become `{ code, message }`. */
export type WireExitReason =
  | 'normal'
  | 'shutdown'
  | 'noproc'
  | 'noconnection'
  | { readonly shutdown: unknown }
  | { readonly error: RuntimeErrorInfo };

/** What nodes tell each other about actors. Refs never travel: only names and numbers. */
export type DistMessage =
  /** gen_fsm:send_event to `{to, node}`. */
  | { readonly kind: 'cast'; readonly to: string; readonly event: EventObject }
  /** A synchronous call; the callee answers with `reply` or `fail` carrying the same `callId`. */
  | {
      readonly kind: 'call';
      readonly to: string;
      readonly callId: number;
      readonly event: EventObject;
      /** The caller's timeout, so the callee stops waiting too; `null` for none. */
      readonly timeoutMs: number | null;
    }
  /** A stop request, answered like a call (`reply` with `null` once the actor stopped). */
  | { readonly kind: 'stop'; readonly to: string; readonly callId: number; readonly reason: WireExitReason }
  | { readonly kind: 'reply'; readonly callId: number; readonly reply: unknown }
  | {
      readonly kind: 'fail';
      readonly callId: number;
      readonly error: RuntimeErrorInfo;
      readonly reason?: WireExitReason;
    }
  /** Watch the actor registered as `to`; the callee answers `down` once, with `ref`. */
  | { readonly kind: 'monitor'; readonly to: string; readonly ref: string }
  | { readonly kind: 'demonitor'; readonly ref: string }
  | { readonly kind: 'down'; readonly ref: string; readonly reason: WireExitReason };

export type DistMessageKind = DistMessage['kind'];

/** What a router reports to its node. */
export interface RouterListener {
  message(from: string, message: DistMessage): void;
  /** `node` is connected: messages to it may now be delivered. */
  nodeup(node: string): void;
  /** `node` is unreachable (closed link, missed heartbeats); messages in flight may be lost. */
  nodedown(node: string): void;
}

/** A node's links to the other nodes. */
export interface RemoteRouter {
  /** This node's name: what peers call it. */
  readonly node: string;
  /** Sends `message` to `to` if connected; otherwise, or if it cannot be carried, drops it. */
  send(to: string, message: DistMessage): void;
  /** Sets the one listener; the router reports nothing before it is set. */
  listen(listener: RouterListener): void;
  /** Whether `node` is connected now. */
  isConnected(node: string): boolean;
  /** The nodes connected now (erlang:nodes/0). */
  connectedNodes(): string[];
  /** Closes every link; peers see this node go down. */
  close(): Promise<void>;
}
