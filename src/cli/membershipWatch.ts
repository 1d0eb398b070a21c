// Whether a running `gen-paxos node` is a member of its group (docs/membership.md §13.1): a node
// started with --join waits for the group's configuration and exits 1 with PAXOS_ERR_NOT_A_MEMBER
// when the group does not list it (it was not added with `member add`); any node exits 1 with
// PAXOS_ERR_REMOVED once a completed change removed it. `memberState` is pure; the watch polls.
import { ERROR_CODES } from '../base/errors.js';
import type { MembershipView } from '../node/membership/nodeMembership.js';
import type { LinkStatus } from '../transport/wire/frames.js';

/** Handshake refusals that say "the group does not count you" (docs/membership.md §13.4). */
export const NOT_COUNTED_CODES: readonly string[] = ['WIRE_ERR_NOT_A_MEMBER', 'WIRE_ERR_REMOVED'];

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
  const refusal = links.find(
    (link) =>
      link.state === 'down' &&
      link.reason?.kind === 'refused' &&
      link.reason.side === 'peer' &&
      NOT_COUNTED_CODES.includes(link.reason.code ?? ''),
  );
  if (refusal !== undefined)
    return notAMember(
      self,
      `${refusal.peer} refused it (${refusal.reason?.code}: ${refusal.reason?.detail})`,
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
