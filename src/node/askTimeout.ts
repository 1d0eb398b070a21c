// The message of an ask that timed out (PAXOS_ERR_TIMEOUT): the outcome is unknown, and why no
// decision came as far as this node can tell: which members it had no link to, and whether a
// quorum was reachable at all. Pure; the node reads its links from the transport.
import { majority } from '../paxos/quorum.js';

export interface AskTimeoutFacts {
  readonly key: string;
  readonly timeoutMs: number;
  /** The node that ran the ask. */
  readonly node: string;
  readonly members: readonly string[];
  /** False when the transport knows it has no link to `peer`; undefined when it cannot tell. */
  readonly linkUp: (peer: string) => boolean | undefined;
}

export function describeAskTimeout(facts: AskTimeoutFacts): string {
  const head = `no decision for key ${JSON.stringify(facts.key)} within ${facts.timeoutMs} ms; the outcome is unknown (the value may still be decided)`;
  const peers = facts.members.filter((member) => member !== facts.node);
  const states = peers.map((peer) => facts.linkUp(peer));
  if (states.every((state) => state === undefined)) return head;
  const unreachable = peers.filter((_, i) => states[i] === false).sort();
  const quorum = majority(facts.members.length);
  const reachable = facts.members.length - unreachable.length;
  if (unreachable.length === 0)
    return `${head}: every member was reachable from node ${facts.node} (contention, or slow storage)`;
  const which = `unreachable from node ${facts.node}: ${unreachable.join(', ')}`;
  return reachable >= quorum
    ? `${head}: ${which}, but a quorum (${quorum} of ${facts.members.length}) was reachable`
    : `${head}: ${which}; no quorum was reachable (${reachable} of ${facts.members.length} members, a quorum needs ${quorum})`;
}
