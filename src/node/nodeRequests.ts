// The node's gen_server protocol: the requests `genServer.call(node, request)` may make of a running
// genPaxosNode (locally, or as `{ name: 'gen_paxos', node }` across nodes), and how each is answered.
// The node actor takes OTP's `'$gen_call'` / `'$gen_cast'` events like any genServer, so the public
// API (startLink's ask and read) is gen_server calls over the node.
import { ERROR_CODES } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import { isReservedKey } from '../paxos/config.js';
import { checkKey } from '../paxos/validate.js';
import type { ErrorInfo } from '../base/errors.js';
import { hasDecidedLog } from '../storage/decidedLog.js';
import type { From } from '../runtime/genFsm/reply.js';
import type { KeySupervisor } from './keySupervisor.js';
import type { GenPaxosNodeReply, ReplyTo } from './nodeEvents.js';

/** The name a node registers on its runtime node (`{ name: GEN_PAXOS_NAME, node: id }`). */
export const GEN_PAXOS_NAME = 'gen_paxos';

/** The largest page of the decided log a node serves, whatever a peer asks for. */
export const MAX_PAGE_KEYS = 4096;
export const MAX_PAGE_BYTES = 1024 * 1024;

/** What a caller may ask of the node (gen_paxos:ask/2, ask/1's read, and a peer's catch-up). */
export type GenPaxosRequest =
  | { readonly type: 'ask'; readonly key: string; readonly value: PaxosValue }
  /**
   * A read (docs/membership.md §8.1): `quorum` true, linearizable (a quorum read); otherwise what
   * this node knows, a key accepted here but not decided resolved with a quorum read (§8.2).
   */
  | { readonly type: 'read'; readonly key: string; readonly quorum?: boolean }
  | {
      readonly type: 'decided.page';
      readonly since: number;
      readonly maxKeys: number;
      readonly maxBytes: number;
    }
  /** The decided records in key order after `after` (null: the first), for a peer below the log's floor. */
  | {
      readonly type: 'decided.keys';
      readonly after: string | null;
      readonly maxKeys: number;
      readonly maxBytes: number;
    };

type PageRequest = Partial<Extract<GenPaxosRequest, { type: 'decided.page' | 'decided.keys' }>>;

/** Answers a call: the request is carried out, its reply goes to `from` (the caller's replyTo). */
export function handleRequest(
  supervisor: KeySupervisor,
  request: unknown,
  from: From<unknown> | undefined,
): void {
  const replyTo: ReplyTo = from
    ? { send: (reply: GenPaxosNodeReply) => from.send(reply), settled: () => from.settled?.() === true }
    : { send: () => {} };
  // A peer's request is unchecked data: read its fields loosely, validate where they are used.
  const r = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
  switch (r.type) {
    case 'ask':
      // Reserved keys (`\0cfg/N`, `\0done/e`) are the node's own: a caller never asks them.
      if (typeof r.key === 'string' && isReservedKey(r.key)) {
        replyTo.send({ type: 'paxos.failed', key: r.key, error: reservedKeyError(r.key) });
        return;
      }
      supervisor.ask(r.key as string, r.value as PaxosValue, replyTo);
      return;
    case 'read':
      answerRead(supervisor, r.key as string, r.quorum === true, replyTo);
      return;
    case 'decided.page':
    case 'decided.keys':
      replyTo.send(pageReply(supervisor, r as PageRequest));
      return;
    default:
      replyTo.send({
        type: 'paxos.failed',
        key: typeof r.key === 'string' ? r.key : '',
        error: {
          code: ERROR_CODES.BAD_OPTION,
          message: `unknown request ${JSON.stringify(request)}: the node answers { type: 'ask' | 'read' | 'decided.page' | 'decided.keys' }`,
        },
      });
  }
}

/** A caller's ask or read of a reserved key (docs/membership.md §4.1). */
export function reservedKeyError(key: string): ErrorInfo {
  return {
    code: ERROR_CODES.BAD_KEY,
    message: `key ${JSON.stringify(key)} starts with NUL: such keys are reserved for the group's configurations`,
  };
}

/** Answers a read request or event: `paxos.read`, or `paxos.failed` for a bad key. */
export function answerRead(supervisor: KeySupervisor, key: string, quorum: boolean, replyTo: ReplyTo): void {
  const problem = checkKey(key);
  if (problem !== null) {
    replyTo.send({
      type: 'paxos.failed',
      key: typeof key === 'string' ? key : '',
      error: { code: ERROR_CODES.BAD_KEY, message: problem },
    });
    return;
  }
  if (quorum) supervisor.reads.quorumRead(key, replyTo);
  else supervisor.reads.readLocal(key, replyTo);
}

/**
 * A page of the decided log after `since` (`decided.page`), or of the decided records in key order
 * after `after` (`decided.keys`), within the asker's limits and the node's own.
 */
export function pageReply(supervisor: KeySupervisor, request: PageRequest): GenPaxosNodeReply {
  const storage = supervisor.options.storage;
  const { maxKeys, maxBytes } = request;
  const byKey = request.type === 'decided.keys';
  const start = byKey
    ? request.after === null || typeof request.after === 'string'
    : isCount((request as { since?: unknown }).since);
  const problem = !hasDecidedLog(storage)
    ? 'this node keeps no decided log (its storage has none)'
    : !start || !isCount(maxKeys) || !isCount(maxBytes) || maxKeys < 1 || maxBytes < 1
      ? `a ${String(request.type)} request needs ${byKey ? 'after (a key or null)' : 'a whole number since ≥ 0'}, ` +
        `whole numbers maxKeys ≥ 1 and maxBytes ≥ 1, got ${JSON.stringify(request)}`
      : null;
  if (problem !== null || !hasDecidedLog(storage))
    return { type: 'paxos.failed', key: '', error: { code: ERROR_CODES.BAD_OPTION, message: problem ?? '' } };
  const limits = {
    maxKeys: Math.min(maxKeys as number, MAX_PAGE_KEYS),
    maxBytes: Math.min(maxBytes as number, MAX_PAGE_BYTES),
  };
  if (byKey) return { type: 'paxos.keys', page: storage.decidedInKeyOrder(request.after ?? null, limits) };
  return { type: 'paxos.page', page: storage.decidedSince((request as { since: number }).since, limits) };
}

/** A whole number ≥ 0: the decided log's numbers and limits, as a peer sends them. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
