// The node's gen_server protocol: the requests `genServer.call(node, request)` may make of a running
// genPaxosNode (locally, or as `{ name: 'gen_paxos', node }` across nodes), and how each is answered.
// The node actor takes OTP's `'$gen_call'` / `'$gen_cast'` events like any genServer, so the public
// API (startLink's ask and read) is gen_server calls over the node.
import { ERROR_CODES } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import type { From } from '../runtime/genFsm/reply.js';
import type { KeySupervisor } from './keySupervisor.js';
import type { GenPaxosNodeReply, ReplyTo } from './nodeEvents.js';

/** The name a node registers on its runtime node (`{ name: GEN_PAXOS_NAME, node: id }`). */
export const GEN_PAXOS_NAME = 'gen_paxos';

/** What a caller may ask of the node (gen_paxos:ask/2, and ask/1's read). */
export type GenPaxosRequest =
  | { readonly type: 'ask'; readonly key: string; readonly value: PaxosValue }
  | { readonly type: 'read'; readonly key: string };

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
      replyTo.send(readReply(supervisor, r?.key as string));
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

/** A read's answer: the decided value known here, or "not decided". */
export function readReply(supervisor: KeySupervisor, key: string): GenPaxosNodeReply {
  const value = supervisor.read(key);
  return { type: 'paxos.read', key, decided: value !== undefined, value: value ?? null };
}
