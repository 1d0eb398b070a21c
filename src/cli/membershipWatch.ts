// Whether a running `gen-paxos node` is a member of its group (docs/membership.md §13.1): a node
// started with --join waits for the group's configuration and exits 1 with PAXOS_ERR_NOT_A_MEMBER
// when the group does not list it (it was not added with `member add`); any node exits 1 with
// PAXOS_ERR_REMOVED once a completed change removed it (its configuration says so, or a member's
// proven refusal). `memberState` is pure; the watch polls.
import { ERROR_CODES } from '../base/errors.js';
import type { MembershipView } from '../node/membership/nodeMembership.js';
import type { LinkStatus } from '../transport/wire/frames.js';
import { WIRE_ERROR_CODES } from '../transport/wire/wireErrors.js';

export type MemberState =
  | { readonly state: 'waiting' }
  | { readonly state: 'member'; readonly config: number; readonly voters: readonly string[] }
  | { readonly state: 'stopped'; readonly code: string; readonly message: string };

/**
 * Where node `self` stands: `waiting` for a configuration (joining, nobody answered yet), a
 * `member` of the adopted one, or `stopped` (never added, or removed: it must not serve).
 */
export function memberState(
  self: string,
  view: MembershipView,
  links: readonly LinkStatus[],
  joining: boolean,
): MemberState {
  const refusedWith = (code: string) =>
    links.filter(
      (link) =>
        link.state === 'down' &&
        link.reason?.kind === 'refused' &&
        link.reason.side === 'peer' &&
        link.reason.code === code,
    );
  // Only a completed change removes a member, and configurations are decided: one peer's word is
  // enough (this node may have been down during the change, and never heard of it), provided the
  // peer proved it (a refusal frame, handshakeRefusal.ts): a bare close code 4015 can come from
  // anything that answers at a member's URL. A peer that was removed itself refuses with another
  // code, WIRE_ERR_PEER_REMOVED (roster.ts): that says nothing of this node, which stops dialling
  // it once it adopts the change.
  const removedBy = refusedWith(WIRE_ERROR_CODES.REMOVED).find((link) => link.reason?.authenticated === true);
  if (removedBy !== undefined)
    return {
      state: 'stopped',
      code: ERROR_CODES.REMOVED,
      message: `node ${self} was removed: ${removedBy.peer} refused it (${removedBy.reason?.detail})`,
    };
  const voters = view.members.map((member) => member.id);
  if (voters.includes(self)) return { state: 'member', config: view.config, voters };
  if (voters.length > 0) {
    // A voter of the previous epoch is still needed until the transition completes.
    if (!view.complete && (view.previousVoters ?? []).includes(self)) return { state: 'waiting' };
    return joining && !(view.previousVoters ?? []).includes(self)
      ? notAMember(self, `configuration ${view.config} has voters [${voters.join(', ')}]`)
      : {
          state: 'stopped',
          code: ERROR_CODES.REMOVED,
          message: `node ${self} was removed: configuration ${view.config} has voters [${voters.join(', ')}]`,
        };
  }
  // A member that has not adopted the change yet refuses a joining node too: stop only when every
  // member that answered refused it, and none let it in. A removed node is no member: its refusal
  // (WIRE_ERR_PEER_REMOVED) counts neither way.
  const refusals = refusedWith(WIRE_ERROR_CODES.NOT_A_MEMBER);
  const answered = links.filter(
    (link) =>
      link.state === 'up' ||
      (link.reason?.kind === 'refused' && link.reason.code !== WIRE_ERROR_CODES.PEER_REMOVED),
  );
  if (joining && refusals.length > 0 && refusals.length === answered.length)
    return notAMember(
      self,
      `${refusals.map((link) => link.peer).join(', ')} refused it (${refusals[0]?.reason?.detail})`,
    );
  return { state: 'waiting' };
}

function notAMember(self: string, why: string): MemberState {
  return {
    state: 'stopped',
    code: ERROR_CODES.NOT_A_MEMBER,
    message: `node ${self} is not a member of the group: ${why}; add it first with gen-paxos member add ${self}=URL`,
  };
}

export interface MembershipWatchOptions {
  readonly self: string;
  readonly joining: boolean;
  readonly members: () => Promise<MembershipView>;
  readonly links: () => readonly LinkStatus[];
  /** Called once, the first time the node is a member. */
  readonly onMember: (config: number, voters: readonly string[]) => void;
  /** Called once when the node must stop; the watch ends. */
  readonly onStopped: (code: string, message: string) => void;
  readonly pollMs?: number;
}

/** Polls `memberState` until stopped; returns the function that ends the watch. */
export function watchMembership(options: MembershipWatchOptions): () => void {
  let ended = false;
  let member = false;
  const poll = async () => {
    if (ended) return;
    let view: MembershipView;
    try {
      view = await options.members();
    } catch {
      return; // the node is stopping
    }
    if (ended) return;
    const state = memberState(options.self, view, options.links(), options.joining && !member);
    if (state.state === 'member' && !member) {
      member = true;
      options.onMember(state.config, state.voters);
    } else if (state.state === 'stopped') {
      end();
      options.onStopped(state.code, state.message);
    }
  };
  const timer = setInterval(() => void poll(), options.pollMs ?? 250);
  timer.unref();
  void poll();
  const end = () => {
    ended = true;
    clearInterval(timer);
  };
  return end;
}
