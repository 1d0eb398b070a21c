// Configurations (docs/membership.md §4, §6): the numbered voter lists of a group, the quorums a
// ballot needs while the voters change, who owns a key in each configuration, the checks a change
// must pass before it is proposed, and the epoch fence a node makes when it adopts one. Pure data
// and functions: the node stores the chain and carries out the fence write.
import { ownerAmongSorted } from './owner.js';

/** Configuration N: decided as the write-once key `\0cfg/N` under configuration N−1. */
export interface Configuration {
  /** 0 is the member list given at start; changes number on from there. */
  readonly number: number;
  /** Counts the changes of the voter set: same voters as N−1, same epoch; else one more. */
  readonly epoch: number;
  /** Sorted; ids are never reused. */
  readonly voters: readonly string[];
  /** Where peers dial each voter. */
  readonly urls: Readonly<Record<string, string>>;
}

/**
 * What a proposer and an acceptor need to know of the configuration they run under: the epoch of
 * their ballots, its voters, the previous epoch's voters while the change to this one is still in
 * transition (no `\0done/epoch` known yet), and whether it is complete.
 */
export interface ConfigView {
  readonly epoch: number;
  readonly voters: readonly string[];
  /** The voters of epoch − 1 while this epoch is in transition; null once complete (or epoch 0). */
  readonly previousVoters: readonly string[] | null;
  readonly complete: boolean;
}

/** Reserved keys (§4.1): user keys never start with NUL. */
export const RESERVED_PREFIX = '\0';
export function configKey(number: number): string {
  return `${RESERVED_PREFIX}cfg/${number}`;
}
export function doneKey(epoch: number): string {
  return `${RESERVED_PREFIX}done/${epoch}`;
}
export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_PREFIX);
}

/** The configuration every group starts with: the members given at start, epoch 0, complete. */
export function initialConfiguration(
  voters: readonly string[],
  urls: Readonly<Record<string, string>> = {},
): Configuration {
  return { number: 0, epoch: 0, voters: [...voters].sort(), urls };
}

/** Same voters (as sets). */
export function sameVoters(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

/**
 * The view of a node that adopted `chain[adopted]` and knows every epoch up to `completeEpoch`
 * complete. `chain` holds configurations 0..adopted in order (chain[i].number === i). Epoch 0 is
 * complete by definition.
 */
export function viewOf(chain: readonly Configuration[], adopted: number, completeEpoch: number): ConfigView {
  const config = chain[adopted];
  if (config === undefined) throw new RangeError(`no configuration ${adopted} in the chain`);
  const complete = config.epoch === 0 || completeEpoch >= config.epoch;
  if (complete) return { epoch: config.epoch, voters: config.voters, previousVoters: null, complete };
  // The first configuration of this epoch follows the last one of the previous epoch.
  let first = adopted;
  while (first > 0 && (chain[first - 1] as Configuration).epoch === config.epoch) first--;
  const previous = chain[first - 1];
  if (previous === undefined) throw new RangeError(`epoch ${config.epoch} has no previous configuration`);
  return { epoch: config.epoch, voters: config.voters, previousVoters: previous.voters, complete };
}

/**
 * Phase 1 (promises, and quorum reads): a majority of each returned set (quorum.ts `hasQuorum`).
 * In transition, the old voters **and** the new ones (§4.3): a value the old voters may have
 * chosen is found until the rescan has moved it into the new ones.
 */
export function phase1Sets(view: ConfigView): readonly (readonly string[])[] {
  return view.previousVoters === null ? [view.voters] : [view.previousVoters, view.voters];
}

/** Phase 2 (acceptances): a majority of the new voters only, from the start of the transition. */
export function phase2Set(view: ConfigView): readonly string[] {
  return view.voters;
}

/** Where prepares go: every voter of every phase-1 set, once each. */
export function prepareTargets(view: ConfigView): readonly string[] {
  const targets = [...view.voters];
  for (const id of view.previousVoters ?? []) if (!targets.includes(id)) targets.push(id);
  return targets.sort();
}

/**
 * May `from` vote on a `message` of a ballot of `view.epoch`? Acceptances only from the voters;
 * promises also from the old voters while the epoch is in transition (§5.2 rule 4).
 */
export function mayVote(view: ConfigView, from: string, message: 'prepare' | 'propose'): boolean {
  if (view.voters.includes(from)) return true;
  return message === 'prepare' && view.previousVoters !== null && view.previousVoters.includes(from);
}

/** The key's owner in this configuration (owner.ts's hash over its voters). */
export function ownerIn(key: string, view: ConfigView): string {
  return ownerAmongSorted(key, [...view.voters].sort());
}

/**
 * §6.4 (invariant I7): the owner may skip phase 1 with round 0 of the epoch only once the epoch is
 * complete. In transition, `(e, 0, owner)` is above every ballot of epoch e−1, so skipping its
 * phase 1 could decide a second value for a key an old configuration decided. Also: a user key
 * (reserved keys never take the fast path), and a key this node holds nothing for.
 */
export function mayTakeRoundZero(view: ConfigView, self: string, key: string, fresh: boolean): boolean {
  return (
    view.complete && fresh && !isReservedKey(key) && view.voters.includes(self) && ownerIn(key, view) === self
  );
}

/** An operator's change (§6.1): `replace` removes and adds in one step. */
export type MembershipChange =
  | { readonly type: 'add'; readonly id: string; readonly url: string }
  | { readonly type: 'remove'; readonly id: string }
  | { readonly type: 'replace'; readonly remove: string; readonly id: string; readonly url: string }
  | { readonly type: 'update'; readonly id: string; readonly url: string };

/** Why a change is refused: the stable codes of docs/membership.md §13.4. */
export type ChangeRefusal =
  | 'PAXOS_ERR_CHANGE_IN_PROGRESS'
  | 'PAXOS_ERR_MEMBER_EXISTS'
  | 'PAXOS_ERR_NOT_A_MEMBER'
  | 'PAXOS_ERR_UNSAFE_CHANGE';

export type ChangeCheck =
  | { readonly ok: true; readonly next: Configuration }
  | { readonly ok: false; readonly code: ChangeRefusal; readonly message: string };

export interface ChangeContext {
  /** Every configuration this node knows, 0..adopted, in order; the last is the adopted one. */
  readonly chain: readonly Configuration[];
  /** The highest epoch whose `\0done` this node knows (epoch 0 is complete anyway). */
  readonly completeEpoch: number;
  /** Voters reachable now (check 3); null skips the check (`--force`). */
  readonly reachable: readonly string[] | null;
}

/**
 * The checks before proposing `\0cfg/N+1` (§6.1): the adopted epoch is complete (one transition
 * at a time, I2); an added id was never a member of any configuration, a removed or updated one is
 * a voter, a voter remains; and, unless forced, a majority of the old voters and of the new ones
 * is reachable. Returns the configuration to propose.
 */
export function checkChange(context: ChangeContext, change: MembershipChange): ChangeCheck {
  const current = context.chain[context.chain.length - 1];
  if (current === undefined) throw new RangeError('checkChange: empty chain');
  if (current.epoch !== 0 && context.completeEpoch < current.epoch)
    return refuse(
      'PAXOS_ERR_CHANGE_IN_PROGRESS',
      `configuration ${current.number} (epoch ${current.epoch}) is still in transition: wait until it is complete`,
    );
  const removed = change.type === 'remove' ? change.id : change.type === 'replace' ? change.remove : null;
  const added = change.type === 'add' || change.type === 'replace' ? change.id : null;
  if (removed !== null && !current.voters.includes(removed))
    return refuse('PAXOS_ERR_NOT_A_MEMBER', `${removed} is not a voter of configuration ${current.number}`);
  if (change.type === 'update' && !current.voters.includes(change.id))
    return refuse('PAXOS_ERR_NOT_A_MEMBER', `${change.id} is not a voter of configuration ${current.number}`);
  if (added !== null) {
    const before = context.chain.find((config) => config.voters.includes(added));
    if (before !== undefined)
      return refuse(
        'PAXOS_ERR_MEMBER_EXISTS',
        `${added} was a member in configuration ${before.number}: ids are never reused, add it under a new id`,
      );
  }
  const voters = current.voters.filter((id) => id !== removed);
  if (added !== null) voters.push(added);
  voters.sort();
  if (voters.length === 0) return refuse('PAXOS_ERR_UNSAFE_CHANGE', 'a change must leave at least one voter');
  const urls: Record<string, string> = {};
  for (const id of voters) {
    const url = change.type !== 'remove' && change.id === id ? change.url : current.urls[id];
    if (url !== undefined) urls[id] = url;
  }
  const epoch = sameVoters(voters, current.voters) ? current.epoch : current.epoch + 1;
  if (context.reachable !== null && epoch !== current.epoch) {
    const reachable = context.reachable;
    const short = [current.voters, voters].find(
      (set) => set.filter((id) => reachable.includes(id)).length < Math.floor(set.length / 2) + 1,
    );
    if (short !== undefined)
      return refuse(
        'PAXOS_ERR_UNSAFE_CHANGE',
        `the change needs a majority of [${short.join(', ')}] reachable, and only ` +
          `[${short.filter((id) => reachable.includes(id)).join(', ')}] are`,
      );
  }
  return { ok: true, next: { number: current.number + 1, epoch, voters, urls } };
}

function refuse(code: ChangeRefusal, message: string): ChangeCheck {
  return { ok: false, code, message };
}

/** What a node keeps durably about configurations: the highest one adopted, and its fence. */
export interface AdoptedState {
  readonly adopted: number;
  /** The lowest epoch the node still votes in (acceptor.ts `fence`). */
  readonly fence: number;
}

export const INITIAL_ADOPTED: AdoptedState = { adopted: 0, fence: 0 };

/**
 * Adopting configuration `config` (§5.2): the node's new durable state, or null when it adopted
 * that one or a later one already. A new epoch moves the fence: the caller writes it durably
 * before anything the node sends under the new configuration (promises, acknowledgements,
 * rescan reports) leaves, and from the write on refuses ballots of older epochs.
 * Configurations are adopted in order: `config.number` must be `adopted + 1`.
 */
export function adopt(state: AdoptedState, config: Configuration): AdoptedState | null {
  if (config.number <= state.adopted) return null;
  if (config.number !== state.adopted + 1)
    throw new RangeError(
      `adopt: configuration ${config.number} after ${state.adopted}: fetch the ones between`,
    );
  return { adopted: config.number, fence: Math.max(state.fence, config.epoch) };
}
