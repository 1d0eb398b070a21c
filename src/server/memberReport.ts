// What a node answers to the client protocol's `members` request (and to a completed `change`):
// its newest configuration (node.members()), with each member's URL, the node's link to it and,
// for the node itself, whether catch-up reached every peer's head. Pure over its inputs.
import type { MembershipView } from '../node/membership/nodeMembership.js';
import type { MemberReport, MembersReport } from '../transport/client/memberRequests.js';
import type { LinkStatus } from '../transport/wire/frames.js';

export interface MemberReportInput {
  readonly self: string;
  /** Where peers and clients reach this node. */
  readonly selfUrl: string;
  readonly view: MembershipView;
  readonly links: readonly LinkStatus[];
  /** This node's catch-up state; null when catch-up is off. */
  readonly caughtUp: boolean | null;
}

export function memberReport(input: MemberReportInput): MembersReport {
  const { self, view, links } = input;
  const linkOf = new Map(links.map((link) => [link.peer, link]));
  const voters = view.members.map((member) => member.id);
  // While a transition runs, a voter that is leaving still answers phase 1: list it too.
  const leaving = (view.previousVoters ?? []).filter((id) => !voters.includes(id));
  const urlOf = (id: string, configured: string | null): string | null =>
    configured ?? (id === self ? input.selfUrl : (linkOf.get(id)?.url ?? null));
  const report = (id: string, configured: string | null, voter: boolean): MemberReport => {
    const link = linkOf.get(id);
    return {
      id,
      url: urlOf(id, configured),
      voter,
      link: id === self ? 'self' : link?.state === 'up' ? 'up' : 'down',
      linkDown:
        id === self || link?.state === 'up' ? null : (link?.reason?.code ?? link?.reason?.kind ?? 'unknown'),
      caughtUp: id === self ? input.caughtUp : null,
    };
  };
  return {
    node: self,
    config: view.config,
    epoch: view.epoch,
    complete: view.complete,
    previousVoters: view.previousVoters === null ? null : [...view.previousVoters],
    members: [
      ...view.members.map((member) => report(member.id, member.url, true)),
      ...leaving.map((id) => report(id, null, false)),
    ],
  };
}
