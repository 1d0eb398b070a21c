// Whether a node can reach a quorum of its members now, from its own view of its links: the
// answer of GET /ready, and what `status` and `health` judge a node by. Pure.
import { majority } from '../../paxos/quorum.js';
import type { LinkStatus } from './frames.js';
import { reasonSummary } from './linkReasons.js';

export interface Readiness {
  /** This node and every peer with a link up reach a quorum of the members. */
  readonly ready: boolean;
  readonly node: string;
  /** Members needed for a quorum (a majority). */
  readonly quorum: number;
  /** This node and the peers it has a link to, sorted. */
  readonly reachable: readonly string[];
  /** The other members, each with a few words on why (unreachable, refused by peer: amnesia…). */
  readonly unreachable: Readonly<Record<string, string>>;
}

export function readinessOf(
  node: string,
  members: readonly string[],
  links: readonly LinkStatus[],
): Readiness {
  const up = new Set(links.filter((link) => link.state === 'up').map((link) => link.peer));
  const reachable = members.filter((member) => member === node || up.has(member)).sort();
  const unreachable: Record<string, string> = {};
  for (const member of [...members].sort()) {
    if (reachable.includes(member)) continue;
    const reason = links.find((link) => link.peer === member)?.reason;
    unreachable[member] = reason ? reasonSummary(reason) : 'down';
  }
  const quorum = majority(members.length);
  return { ready: reachable.length >= quorum, node, quorum, reachable, unreachable };
}
