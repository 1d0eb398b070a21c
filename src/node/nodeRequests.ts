// The node's gen_server protocol: the requests `genServer.call(node, request)` may make of a running
// genPaxosNode (locally, or as `{ name: 'gen_paxos', node }` across nodes), and how each is answered.
// The node actor takes OTP's `'$gen_call'` / `'$gen_cast'` events like any genServer, so the public
// API (startLink's ask and read) is gen_server calls over the node.
import { ERROR_CODES } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import { checkKey } from '../paxos/validate.js';
import type { From } from '../runtime/genFsm/reply.js';
import type { KeySupervisor } from './keySupervisor.js';
import type { GenPaxosNodeReply, ReplyTo } from './nodeEvents.js';

/** The name a node registers on its runtime node (`{ name: GEN_PAXOS_NAME, node: id }`). */
export const GEN_PAXOS_NAME = 'gen_paxos';

/** What a caller may ask of the node (gen_paxos:ask/2, and ask/1's read). */
export type GenPaxosRequest =
  | { readonly type: 'ask'; readonly key: string; readonly value: PaxosValue }
  /**
   * A read (docs/membership.md §8.1): `quorum` true, linearizable (a quorum read); otherwise what
   * this node knows, a key accepted here but not decided resolved with a quorum read (§8.2).
   */
  | { readonly type: 'read'; readonly key: string; readonly quorum?: boolean };

/** Answers a call: the request is carried out, its reply goes to `from` (the caller's replyTo). */
export function handleRequest(
  supervisor: KeySupervisor,
  request: unknown,
  from: From<unknown> | undefined,
): void {
  const replyTo: ReplyTo = from
    ? { send: (reply: GenPaxosNodeReply) => from.send(reply), settled: () => from.settled?.() === true }
    : { send: () => {} };
  const r = request as Partial<GenPaxosRequest> | null;
  switch (typeof r === 'object' && r !== null ? r.type : undefined) {
    case 'ask':
      supervisor.ask(r?.key as string, (r as { value: PaxosValue }).value, replyTo);
      return;
    case 'read':
      answerRead(supervisor, r?.key as string, (r as { quorum?: unknown }).quorum === true, replyTo);
      return;
    default:
      replyTo.send({
        type: 'paxos.failed',
        key: typeof r?.key === 'string' ? r.key : '',
        error: {
          code: ERROR_CODES.BAD_OPTION,
          message: `unknown request ${JSON.stringify(request)}: the node answers { type: 'ask' | 'read' }`,
        },
      });
  }
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
  if (quorum) supervisor.quorumRead(key, replyTo);
  else supervisor.readLocal(key, replyTo);
}
