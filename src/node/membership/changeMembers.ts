// A membership change run from one node (docs/membership.md §6): check it (§6.1), decide
// `\0cfg/N+1` by Paxos under configuration N, let every member adopt it (each writes its epoch
// fence before it votes in the new epoch), rescan (§6.3), decide `\0done/e+1`, and resolve only
// when the change is complete — or reject with a coded error saying where the cluster stands.
import { ERROR_CODES, GenPaxosError } from '../../base/errors.js';
import {
  checkChange,
  configKey,
  doneKey,
  type Configuration,
  type MembershipChange,
} from '../../paxos/config.js';
import type { PaxosValue } from '../../paxos/messages.js';
import { valuesEqual } from '../../paxos/valueEquality.js';
import type { MembershipView } from './nodeMembership.js';
import { rescan, RescanError, type RescanNode } from './rescanner.js';

/** What `changeMembers` asks for: `add` and `remove` together replace one member in one change. */
export interface MembersChange {
  readonly add?: { readonly id: string; readonly url?: string };
  readonly remove?: string;
}

export interface ChangeMembersOptions {
  /** Reject with PAXOS_ERR_CHANGE_INCOMPLETE (or TIMEOUT before the decision) after this long. */
  readonly timeoutMs?: number;
}

/** What a change needs of its node, besides the rescanner's needs. */
export interface ChangeNode extends RescanNode {
  /** The node's configurations as they are now. */
  snapshot(): Promise<{ readonly chain: readonly Configuration[]; readonly completeEpoch: number }>;
  describe(): Promise<MembershipView>;
  /** This node has a link to `peer` now (as far as its transport knows). */
  reachable(peer: string): boolean;
  /** A quorum read of a reserved key: its decided value, or undefined when none can be chosen. */
  readReserved(key: string, timeoutMs: number): Promise<PaxosValue | undefined>;
  /** The node learned that `\0done/epoch` is decided: adopt the completion (durably). */
  learnDone(epoch: number): Promise<void>;
  /** Decides `value` for a reserved key under the node's configuration; the decided value. */
  askReserved(key: string, value: PaxosValue, timeoutMs: number): Promise<PaxosValue>;
  /** Whether the node's store keeps rescan reports (membershipStore.ts). */
  readonly canReport: boolean;
}

export const DEFAULT_CHANGE_TIMEOUT_MS = 60_000;
const RETRY_MS = 200;
/** How many times the changer pushes the chain once the transition is complete. */
const COMPLETION_PUSHES = 3;
/** One quorum read of `\0done/e` waits this long before it is tried again. */
const READ_ATTEMPT_MS = 1000;

/** The change as config.ts checks it, or a coded error for a malformed request. */
export function changeOf(request: MembersChange): MembershipChange {
  const bad = (message: string) => new GenPaxosError(ERROR_CODES.BAD_OPTION, message);
  if (typeof request !== 'object' || request === null) throw bad('changeMembers needs { add?, remove? }');
  const { add, remove } = request;
  if (add !== undefined && (typeof add?.id !== 'string' || add.id.length === 0))
    throw bad('add must be { id, url? } with a non-empty id');
  if (add?.url !== undefined && typeof add.url !== 'string') throw bad('add.url must be a string');
  if (remove !== undefined && (typeof remove !== 'string' || remove.length === 0))
    throw bad('remove must be a non-empty member id');
  const url = add?.url ?? '';
  if (add !== undefined && remove !== undefined) return { type: 'replace', remove, id: add.id, url };
  if (add !== undefined) return { type: 'add', id: add.id, url };
  if (remove !== undefined) return { type: 'remove', id: remove };
  throw bad('changeMembers needs add, remove, or both (a replacement)');
}

/**
 * Runs `request` to completion. `skipRescan` exists only for the must-fail controls of the tests
 * (it completes the transition without the rescan: unsafe, test/node/issue15Counterexample.test.ts).
 */
export async function changeMembers(
  node: ChangeNode,
  request: MembersChange,
  options: ChangeMembersOptions & { readonly skipRescan?: boolean } = {},
): Promise<MembershipView> {
  const change = changeOf(request);
  if (!node.canReport)
    throw new GenPaxosError(
      ERROR_CODES.BAD_OPTION,
      'this node’s store keeps no configuration database: it cannot run a membership change',
    );
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHANGE_TIMEOUT_MS;
  const deadline = node.clock.now() + timeoutMs;
  const left = () => Math.max(1, deadline - node.clock.now());
  const snap = await node.snapshot();
  const { chain } = snap;
  const current = chain.at(-1);
  if (current === undefined)
    throw new GenPaxosError(ERROR_CODES.NOT_A_MEMBER, `node ${node.self} has no configuration yet`);
  // The transition may be complete without this node having heard of it (a lost push): ask.
  const completeEpoch =
    current.epoch > snap.completeEpoch && (await doneDecided(node, current.epoch, left()))
      ? current.epoch
      : snap.completeEpoch;
  const reachable = [node.self, ...current.voters.filter((id) => id !== node.self && node.reachable(id))];
  const addedId = change.type === 'add' || change.type === 'replace' ? change.id : null;
  if (addedId !== null && node.reachable(addedId)) reachable.push(addedId);
  const check = checkChange({ chain, completeEpoch, reachable }, change);
  if (!check.ok) throw new GenPaxosError(ERROR_CODES[codeName(check.code)], check.message);
  const next = check.next;

  // §6.1: \0cfg/N+1 is decided under configuration N (write-once: a concurrent change loses).
  let decided: PaxosValue;
  try {
    decided = await node.askReserved(configKey(next.number), next as unknown as PaxosValue, left());
  } catch (error) {
    throw new GenPaxosError(
      ERROR_CODES.TIMEOUT,
      `configuration ${next.number} was not decided within ${timeoutMs} ms; it may still be: ` +
        `look at members() before trying again (${(error as Error).message})`,
      { cause: error },
    );
  }
  if (!valuesEqual(decided, next as unknown as PaxosValue)) {
    const winner = decided as unknown as Configuration;
    throw new GenPaxosError(
      ERROR_CODES.CHANGE_CONFLICT,
      `another change was decided as configuration ${next.number} first: voters [${winner.voters?.join(', ')}]`,
    );
  }
  const everyone = [...new Set([...current.voters, ...next.voters])].filter((id) => id !== node.self);
  await adoptedEverywhere(node, everyone, (snap) => snap.chain.length > next.number, deadline, next);
  if (next.epoch === current.epoch) return node.describe();
  return finishTransition(node, current, next, deadline, options.skipRescan === true);
}

/**
 * Completes the transition this node runs under, if it is not complete (§6.2: any voter of the
 * new epoch that has not seen `\0done/e` for a while runs the rescan itself; rescans are
 * idempotent, so two running at once cost time, not safety). Resolves with the configuration.
 */
export async function completeTransition(
  node: ChangeNode,
  options: ChangeMembersOptions = {},
): Promise<MembershipView> {
  const deadline = node.clock.now() + (options.timeoutMs ?? DEFAULT_CHANGE_TIMEOUT_MS);
  const { chain, completeEpoch } = await node.snapshot();
  const next = chain.at(-1);
  if (next === undefined || next.epoch <= completeEpoch) return node.describe();
  // Completed already, by a rescanner whose last push was lost: learn it instead of rescanning.
  if (await doneDecided(node, next.epoch, Math.max(1, deadline - node.clock.now()))) return node.describe();
  let previous = chain.length - 2;
  while (previous >= 0 && (chain[previous] as Configuration).epoch === next.epoch) previous--;
  const old = chain[previous];
  if (old === undefined) return node.describe();
  return finishTransition(node, old, next, deadline, false);
}

/** From the adoption of `next` on: the rescan, `\0done`, and the chain pushed to everyone. */
async function finishTransition(
  node: ChangeNode,
  current: Configuration,
  next: Configuration,
  deadline: number,
  skipRescan: boolean,
): Promise<MembershipView> {
  const left = () => Math.max(1, deadline - node.clock.now());
  const everyone = [...new Set([...current.voters, ...next.voters])].filter((id) => id !== node.self);
  const where = `configuration ${next.number} [${next.voters.join(', ')}] (epoch ${next.epoch}) is decided and adopted, but its transition is not complete`;
  if (!skipRescan) {
    try {
      await rescan(node, {
        epoch: next.epoch,
        oldVoters: current.voters,
        newVoters: next.voters,
        timeoutMs: left(),
        retryMs: RETRY_MS,
        onRound: () => pushChain(node, everyone),
      });
    } catch (error) {
      if (!(error instanceof RescanError)) throw error;
      const code = error.reason === 'disagreement' ? ERROR_CODES.DISAGREEMENT : ERROR_CODES.CHANGE_INCOMPLETE;
      throw new GenPaxosError(
        code,
        `${where}: ${error.message}. Until it completes, phase 1 needs majorities of ` +
          `[${current.voters.join(', ')}] and of [${next.voters.join(', ')}]; another voter resumes the rescan after its rescan timeout`,
      );
    }
  }
  try {
    await node.askReserved(doneKey(next.epoch), true, left());
  } catch (error) {
    throw new GenPaxosError(
      ERROR_CODES.CHANGE_INCOMPLETE,
      `${where}: the rescan finished, but \\0done/${next.epoch} was not decided in time (${(error as Error).message})`,
    );
  }
  await adoptedEverywhere(node, everyone, (snap) => snap.completeEpoch >= next.epoch, deadline, next);
  // The completion is pushed a few more times: a member that misses it keeps the transitional
  // quorums (safe, slower) until it asks (its next change, or its transition watch).
  for (let push = 1; push < COMPLETION_PUSHES; push++)
    node.clock.setTimeout(() => pushChain(node, everyone), push * RETRY_MS);
  return node.describe();
}

/**
 * Whether `\0done/epoch` is decided, by a quorum read; if so the node adopts the completion before
 * this resolves. False when it is not decided, or when no quorum answered in time.
 */
async function doneDecided(node: ChangeNode, epoch: number, timeoutMs: number): Promise<boolean> {
  const deadline = node.clock.now() + timeoutMs;
  // A quorum read does not re-send its queries: on a lossy network it is tried again, briefly.
  let value: PaxosValue | undefined | null = null;
  while (value === null && node.clock.now() < deadline) {
    const attempt = Math.max(1, Math.min(READ_ATTEMPT_MS, deadline - node.clock.now()));
    value = await node.readReserved(doneKey(epoch), attempt).catch((error: { code?: string }) =>
      // Only a read that timed out is tried again; any other failure (a stopped or removed node) ends it.
      error.code === ERROR_CODES.TIMEOUT ? null : undefined,
    );
  }
  if (value !== true) return false;
  await node.learnDone(epoch);
  while ((await node.snapshot()).completeEpoch < epoch) {
    if (node.clock.now() >= deadline) return false;
    await new Promise<void>((resolve) => node.clock.setTimeout(() => resolve(), RETRY_MS / 10));
  }
  return true;
}

/** Sends this node's chain to `peers`, so that each adopts what it lacks (§5.3). */
function pushChain(node: ChangeNode, peers: readonly string[]): void {
  node.snapshot().then(
    (snap) => {
      for (const peer of peers)
        node.send(peer, { type: 'cfg.chain', chain: snap.chain, completeEpoch: snap.completeEpoch });
    },
    () => {}, // the node stopped: the change fails on its next step
  );
}

/** Waits until this node's state satisfies `done`, pushing the chain to every other member meanwhile. */
async function adoptedEverywhere(
  node: ChangeNode,
  peers: readonly string[],
  done: (snap: { chain: readonly Configuration[]; completeEpoch: number }) => boolean,
  deadline: number,
  next: Configuration,
): Promise<void> {
  for (;;) {
    const snap = await node.snapshot();
    if (done(snap)) {
      pushChain(node, peers);
      return;
    }
    if (node.clock.now() >= deadline)
      throw new GenPaxosError(
        ERROR_CODES.CHANGE_INCOMPLETE,
        `configuration ${next.number} is decided but node ${node.self} did not adopt it in time`,
      );
    await new Promise<void>((resolve) => node.clock.setTimeout(() => resolve(), RETRY_MS / 10));
  }
}

function codeName(code: string): keyof typeof ERROR_CODES {
  const name = code.replace(/^PAXOS_ERR_/, '') as keyof typeof ERROR_CODES;
  return name in ERROR_CODES ? name : 'BAD_OPTION';
}
