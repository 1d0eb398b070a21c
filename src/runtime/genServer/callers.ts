// gen_server's From as plain data. While a server holds a call, the call's `replyTo` waits in this
// process-wide table and the callbacks see a Caller: a string naming the entry, which can sit in the
// server's state, persist and print in traces. An entry is answered once (`replyToCaller`), dropped
// when its server exits, and forgotten once its caller has given up (timed out, or its call failed).
import type { From } from '../genFsm/reply.js';

declare const replyType: unique symbol;

/**
 * Names one pending call (gen_server's From), for `{ replies: [{ to, value }] }` or
 * `genServer.reply(to, value)`. A string: keep it in the state as it is. It is valid in the
 * process of the server that received the call (it does not travel to other nodes).
 */
export type Caller<TReply = unknown> = string & { readonly [replyType]?: TReply };

interface Entry {
  readonly replyTo: From<unknown>;
  readonly server: object;
}

const entries = new Map<string, Entry>();
const byServer = new WeakMap<object, Set<string>>();
let nextCaller = 1;
// Entries of callers that gave up are swept when the table doubles (amortised O(1) per call).
const MIN_SWEEP_SIZE = 1024;
let sweepAtSize = MIN_SWEEP_SIZE;

/** A Caller for a call `server` received. Without `replyTo` (a call event that was cast) it answers nobody. */
export function admitCaller<TReply>(server: object, replyTo: From<TReply> | undefined): Caller<TReply> {
  const caller = `#Caller<${nextCaller++}>`;
  if (replyTo === undefined) return caller;
  entries.set(caller, { replyTo: replyTo as From<unknown>, server });
  let own = byServer.get(server);
  if (!own) {
    own = new Set();
    byServer.set(server, own);
  }
  own.add(caller);
  if (entries.size >= sweepAtSize) sweep();
  return caller;
}

/**
 * Removes `caller` from the table and returns where its answer goes, or undefined if it is unknown
 * (answered already, its server exited, or it gave up).
 */
export function takeCaller(caller: Caller<unknown>): From<unknown> | undefined {
  const entry = entries.get(caller);
  if (!entry) return undefined;
  forget(caller, entry);
  return entry.replyTo.settled?.() === true ? undefined : entry.replyTo;
}

/** gen_server:reply/2: answers `caller` with `value`. False if nobody waits for that answer any more. */
export function replyToCaller<TReply>(caller: Caller<TReply>, value: TReply): boolean {
  const replyTo = takeCaller(caller);
  if (!replyTo) return false;
  replyTo.send(value);
  return true;
}

/** Forgets the callers `server` holds: it exited, and its callers learn that from their own watch. */
export function dropCallersOf(server: object): void {
  for (const caller of byServer.get(server) ?? []) entries.delete(caller);
  byServer.delete(server);
}

/** How many calls are held, by all servers of the process (for tests and leak checks). */
export function heldCallerCount(): number {
  return entries.size;
}

function forget(caller: string, entry: Entry): void {
  entries.delete(caller);
  byServer.get(entry.server)?.delete(caller);
}

function sweep(): void {
  for (const [caller, entry] of entries) {
    if (entry.replyTo.settled?.() === true) forget(caller, entry);
  }
  sweepAtSize = Math.max(MIN_SWEEP_SIZE, 2 * entries.size);
}
