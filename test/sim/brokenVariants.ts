// Deliberately broken variants for the simulation's control runs: each breaks one rule, and the
// checker must catch it — a safety invariant, or the liveness check after healing. A checker that
// cannot fail proves nothing.
import { enqueueActions } from 'xstate';
import {
  instanceMachine,
  type BackoffState,
  type InstanceContext,
  type InstanceMachine,
} from '../../src/paxos/instanceMachine.js';
import { votesRepliesFirst } from '../model/configs.js';
import { backoffDelayMs } from '../../src/paxos/backoff.js';
import { nextBallot, type Ballot } from '../../src/paxos/ballot.js';
import { drawRandom } from '../../src/paxos/prng.js';
import { highestRound } from '../../src/paxos/proposer.js';
import { addSender } from '../../src/paxos/quorum.js';
import { isFresh } from '../../src/paxos/record.js';

export const BROKEN_VARIANTS = [
  'quorum-of-one',
  'reply-before-persist',
  'no-p2c',
  'amnesia',
  'forged-ballot',
  'round-zero-non-owner',
  'owner-counts-stale-acks',
  'no-takeover',
  'skip-rescan',
] as const;
export type BrokenVariant = (typeof BROKEN_VARIANTS)[number];

/** The node that runs the broken logic of the variants that break one node only. */
export const CULPRIT = 'a';

/** The jittered wait of a phase, drawn as the machine's own actions draw it. */
function phaseWait(context: InstanceContext): { readonly backoff: BackoffState } {
  const draw = drawRandom(context.backoff.rng);
  const { phaseTimeoutMs, backoffMaxMs } = context.timing;
  const waitMs = backoffDelayMs(phaseTimeoutMs, backoffMaxMs, context.backoff.attempt, draw.value);
  return { backoff: { ...context.backoff, waitMs, rng: draw.state } };
}

/** A proposer that decides on its own vote alone: a "majority" of 1 out of 3. */
const quorumOfOne = instanceMachine.provide({
  guards: {
    hasPromiseQuorum: ({ context }) => context.promises.length >= 1,
    hasAckQuorum: ({ context }) => context.acks.length >= 1,
  },
});

/** An acceptor that sends its promise before writing it. */
const replyBeforePersist = votesRepliesFirst('prepare');

/** The original's proposer: proposes its own value even when a promise reports an accepted one. */
const noP2c = instanceMachine.provide({
  actions: {
    startProposal: enqueueActions(({ context, enqueue }) => {
      const ballot = context.ballot as Ballot;
      const value = context.proposal?.value ?? context.accepted?.value ?? null;
      const accepted = { ballot, value };
      enqueue.assign({
        accepted,
        proposing: accepted,
        acks: [context.node],
        backoff: { ...context.backoff, waitMs: context.timing.phaseTimeoutMs },
      });
      enqueue.emit({ type: 'broadcast', key: context.key, message: { type: 'propose', ballot, value } });
      enqueue.emit({
        type: 'persist',
        key: context.key,
        record: { promised: context.promised, accepted, decided: context.decided },
      });
    }),
  },
});

/**
 * A proposer that starts its ballots in another member's name: phase 1a as in the machine, but
 * the ballot's node is the next member, not this one. Every acceptor refuses it (forged-ballot);
 * the checker must see it on the wire all the same.
 */
const forgedBallot = instanceMachine.provide({
  actions: {
    startBallot: enqueueActions(({ context, enqueue }) => {
      const round = Math.max(
        context.highestSeenRound,
        highestRound(context.promised, context.accepted?.ballot),
      );
      const other = context.members.find((member) => member !== context.node) as string;
      const ballot = nextBallot(other, round);
      enqueue.assign({
        ballot,
        promised: ballot,
        promises: [{ from: context.node, accepted: context.accepted }],
        acks: [],
        highestSeenRound: ballot.round,
        ...phaseWait(context),
      });
      const record = { promised: ballot, accepted: context.accepted, decided: context.decided };
      enqueue.emit({ type: 'persist', key: context.key, record });
      enqueue.emit({ type: 'broadcast', key: context.key, message: { type: 'prepare', ballot } });
    }),
  },
});

/**
 * Every member, owner or not, skips phase 1 with ballot 0 for a key fresh on it — even with the
 * owner fast path off (owner.ts: only the owner may, since nothing else keeps ballot 0 unique).
 */
const roundZeroNonOwner = instanceMachine.provide({
  guards: { mayTakeFirstBallot: ({ context }) => isFresh(context) },
});

/**
 * An owner that counts every acknowledgement of its round-0 ballot, whatever boot's propose it
 * answers (owner.ts: acknowledgements of round 0 echo the boot). After a crash, the
 * acknowledgements of the value it sent before count for the value it sends now.
 */
const ownerCountsStaleAcks = instanceMachine.provide({
  actions: {
    recordAck: enqueueActions(({ context, event, enqueue }) => {
      const acks = addSender(context.acks, (event as { from: string }).from);
      if (acks !== context.acks) enqueue.assign({ acks });
    }),
  },
});

/**
 * Liveness, not safety: an instance whose takeover timer never fires. A node that voted for a
 * proposer that then vanished, or forwarded an ask the owner never got, waits for ever instead of
 * pushing the key to a decision itself. Every safety invariant holds; only the liveness check can
 * catch it.
 */
const noTakeover = instanceMachine.provide({
  delays: { takeover: () => Number.MAX_SAFE_INTEGER },
});

/**
 * The instance logic node `id` runs under a variant, or undefined for the standard machine.
 * `amnesia` keeps the machine and loses the disk on crash (simulation.ts); `skip-rescan` keeps it
 * and completes every membership change without its rescan (membershipFaults.ts, through the
 * node's internal `changeMembersSkippingRescan`); `forged-ballot` breaks node `CULPRIT` only.
 */
export function instanceLogicFor(
  variant: BrokenVariant | undefined,
  id: string,
): InstanceMachine | undefined {
  switch (variant) {
    case 'quorum-of-one':
      return quorumOfOne;
    case 'reply-before-persist':
      return replyBeforePersist;
    case 'no-p2c':
      return noP2c;
    case 'forged-ballot':
      return id === CULPRIT ? forgedBallot : undefined;
    case 'round-zero-non-owner':
      return roundZeroNonOwner;
    case 'owner-counts-stale-acks':
      return ownerCountsStaleAcks;
    case 'no-takeover':
      return noTakeover;
    case 'amnesia':
    case 'skip-rescan':
    case undefined:
      return undefined;
  }
}
