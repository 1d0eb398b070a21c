// The state one Paxos instance keeps (its context), what starts it (its input), the events it takes,
// and the pure helpers its actions and guards share: the instance machine (instanceMachine.ts) is
// the states and transitions over these. Pure, like the machine.
import { acceptorStep } from './acceptor.js';
import { backoffCeilingMs, backoffDelayMs } from './backoff.js';
import { epochOf, type Ballot } from './ballot.js';
import { ownerIn, phase2Set, prepareTargets, type ConfigView } from './config.js';
import type { AcceptedProposal, InboundEvent, PaxosValue } from './messages.js';
import { drawRandom } from './prng.js';
import { highestRound, type PromiseReceived } from './proposer.js';
import { hasFastQuorum, hasQuorum } from './quorum.js';
import { EMPTY_RECORD, type KeyRecord } from './record.js';

/** The instance's timers, in milliseconds of the actor's clock. */
export interface InstanceTiming {
  /** Base wait for a quorum in `preparing` and `proposing`, doubled on every failed attempt. */
  readonly phaseTimeoutMs: number;
  /** Base wait in `acknowledged` for another proposer to finish before taking over. */
  readonly takeoverMs: number;
  /** Ceiling of every backoff while no phase of the instance has timed out. */
  readonly backoffMaxMs: number;
  /**
   * Bound of the ceiling once phases time out: each timeout doubles the ceiling, from
   * `backoffMaxMs` up to this (RFC 6298 §5.5), so a round trip longer than `backoffMaxMs` fits.
   */
  readonly timeoutBackoffMaxMs: number;
}

export const DEFAULT_TIMING: InstanceTiming = {
  phaseTimeoutMs: 150,
  takeoverMs: 300,
  backoffMaxMs: 3000,
  timeoutBackoffMaxMs: 60_000,
};

export interface InstanceInput {
  readonly key: string;
  /** This node's id: the tie-breaker of its ballots. */
  readonly node: string;
  /** Every member of the group, this node included (one configuration; ignored with `config`). */
  readonly members: readonly string[];
  /**
   * The configuration the node runs under (docs/membership.md §4.3): its epoch, voters, the
   * previous voters while the epoch is in transition. Absent: `members`, epoch 0, complete.
   */
  readonly config?: ConfigView;
  /** The node's epoch fence (config.ts `adopt`): ballots of a lower epoch get no vote. Default 0. */
  readonly fence?: number;
  /** The durable record loaded from storage, if the key has one. */
  readonly record?: KeyRecord | null;
  /** Seed of the backoff jitter; the runtime draws it from its injected random source. */
  readonly seed?: number;
  readonly timing?: Partial<InstanceTiming>;
  /**
   * The key's owner may skip phase 1 with ballot 0 for its first proposal, and other members
   * forward their asks to it (owner.ts). Off: every proposal runs both phases.
   */
  readonly ownerFastPath?: boolean;
  /**
   * The key's owner as the node computed it (the supervisor computes it once per key), instead
   * of `ownerIn(key, config)`; only read when `ownerFastPath` is on.
   */
  readonly owner?: string;
  /** The node's boot (its store's restart counter), carried by its round-0 proposes. Default 0. */
  readonly boot?: number;
  /**
   * This instance was started again after it crashed: it does not use round 0, since its crashed
   * predecessor may have sent a round-0 propose of this boot it cannot remember.
   */
  readonly restarted?: boolean;
}

/**
 * The instance's waits. One field of the context rather than four: XState copies the context with
 * `Object.assign` at every `assign`, and V8 turns a copy of 20 or more properties into a slow
 * dictionary object (every later copy then costs about 15 times as much). instanceMachine.test.ts
 * keeps the context under that size.
 */
export interface BackoffState {
  /** Failed attempts so far (timeouts and rejections): the exponent of the backoff. */
  readonly attempt: number;
  /** Phases of this instance that timed out: each doubles the backoff ceiling (backoffCeilingMs). */
  readonly timeouts: number;
  /** The current state's timeout, drawn on entry. */
  readonly waitMs: number;
  /** The jitter's seeded generator state (prng.ts). */
  readonly rng: number;
}

/** What this node was asked to propose for the key. */
export interface Proposal {
  readonly value: PaxosValue;
  /**
   * A member forwarded an ask of the key here (this node owns it) and waits for the decide: the
   * decision is then broadcast at once, never lazily (instanceMachine.ts `learnOwn`).
   */
  readonly awaitedElsewhere?: true;
}

/**
 * `proposal` after the ask or forward `event`: the first value asked stays the one proposed, and a
 * forward marks it awaited elsewhere. The same object when nothing changes (no assign needed).
 */
export function withRequest(proposal: Proposal | null, event: RequestEvent): Proposal {
  const forwarded = event.type === 'forward';
  if (proposal === null)
    return forwarded ? { value: event.value, awaitedElsewhere: true } : { value: event.value };
  return forwarded && proposal.awaitedElsewhere !== true
    ? { value: proposal.value, awaitedElsewhere: true }
    : proposal;
}

export interface InstanceContext extends KeyRecord {
  readonly key: string;
  readonly node: string;
  /** Every node whose messages this instance takes: the voters, and the old voters in transition. */
  readonly members: readonly string[];
  /**
   * The configuration this instance runs under, with the node's epoch fence (prepares and
   * proposes of a lower epoch get no vote); replaced by `config.adopted`. One field, so the
   * context stays a fast object (test/paxos/instanceMachine.test.ts).
   */
  readonly config: InstanceConfig;
  /** The value this node was asked to propose, if it was asked. */
  readonly proposal: Proposal | null;
  /** This node's ballot while it is preparing or proposing. */
  readonly ballot: Ballot | null;
  /** Phase 1b replies for `ballot`, one per sender. */
  readonly promises: readonly PromiseReceived[];
  /** Senders that accepted `ballot` in phase 2b. */
  readonly acks: readonly string[];
  /** The proposal this node sent in phase 2a of `ballot`, while it is proposing. */
  readonly proposing: AcceptedProposal | null;
  /** The highest round seen in any ballot of this key: the next ballot goes above it. */
  readonly highestSeenRound: number;
  /** How long this instance waits, and why (the jitter's generator with it). */
  readonly backoff: BackoffState;
  readonly timing: InstanceTiming;
  /** The member that may use ballot 0 for this key, or null when the owner fast path is off. */
  readonly owner: string | null;
  readonly boot: number;
  /** False after a crash of this instance: round 0 is not used (InstanceInput.restarted). */
  readonly mayUseRoundZero: boolean;
}

export type AskEvent = {
  readonly type: 'ask';
  readonly value: PaxosValue;
  /**
   * Propose here, do not forward: the ask was forwarded to the key's owner already and no
   * decision came, or the owner cannot be reached now.
   */
  readonly forwarded?: boolean;
  /** Run both phases even as the key's owner: a member is out of reach, so round 0 could not win. */
  readonly classic?: boolean;
};
/** A proposal request: a local ask, or a member's `forward`. */
export type RequestEvent = AskEvent | EventOf<'forward'>;
/** A forwarded ask, to be run with both phases (`classic`, as in AskEvent). */
type ForwardEvent = Extract<InboundEvent, { type: 'forward' }> & { readonly classic?: boolean };
/**
 * The node adopted a newer configuration (docs/membership.md §5.2 rule 3): a ballot of an older
 * epoch in flight is abandoned for one of the new epoch, with the same proposal.
 */
export type ConfigAdoptedEvent = {
  readonly type: 'config.adopted';
  readonly config: ConfigView;
  readonly fence: number;
  /** The key's owner in the new configuration (null: the owner fast path is off). */
  readonly owner: string | null;
};
export type InstanceEvent =
  AskEvent | Exclude<InboundEvent, { type: 'forward' }> | ForwardEvent | ConfigAdoptedEvent;

export type EventOf<T extends InstanceEvent['type']> = Extract<InstanceEvent, { type: T }>;

/** A configuration view and the node's fence, as an instance keeps them. */
export interface InstanceConfig extends ConfigView {
  readonly fence: number;
}

export function instanceConfig(view: ConfigView, fence: number): InstanceConfig {
  return {
    epoch: view.epoch,
    voters: view.voters,
    previousVoters: view.previousVoters,
    complete: view.complete,
    fence,
  };
}

export function recordOf(context: KeyRecord): KeyRecord {
  return { promised: context.promised, accepted: context.accepted, decided: context.decided };
}

export function initialContext(input: InstanceInput): InstanceContext {
  const record = input.record ?? EMPTY_RECORD;
  const config: ConfigView = input.config ?? {
    epoch: 0,
    voters: input.members,
    previousVoters: null,
    complete: true,
  };
  return {
    key: input.key,
    node: input.node,
    members: prepareTargets(config),
    config: instanceConfig(config, input.fence ?? 0),
    promised: record.promised,
    accepted: record.accepted,
    decided: record.decided,
    proposal: null,
    ballot: null,
    promises: [],
    acks: [],
    proposing: null,
    highestSeenRound: highestRound(record.promised, record.accepted?.ballot),
    backoff: { attempt: 0, timeouts: 0, waitMs: 0, rng: input.seed ?? 0 },
    timing: { ...DEFAULT_TIMING, ...input.timing },
    owner: input.ownerFastPath ? (input.owner ?? ownerIn(input.key, config)) : null,
    boot: input.boot ?? 0,
    mayUseRoundZero: input.restarted !== true,
  };
}

/** The next state's wait: `baseMs` backed off by the failed attempts, jittered, within the ceiling. */
export function nextWait(context: InstanceContext, baseMs: number): BackoffState {
  const { backoffMaxMs, timeoutBackoffMaxMs } = context.timing;
  const { attempt, timeouts, rng } = context.backoff;
  const draw = drawRandom(rng);
  const ceilingMs = backoffCeilingMs(backoffMaxMs, timeoutBackoffMaxMs, timeouts);
  return {
    attempt,
    timeouts,
    waitMs: backoffDelayMs(baseMs, ceilingMs, attempt, draw.value),
    rng: draw.state,
  };
}

/**
 * The wait of the owner's round 0 (owner.ts): the whole phase timeout, not a jittered draw from
 * its upper half. Jitter keeps duelling proposers out of lockstep, and nobody duels in round 0 (only
 * the owner may use it); but the round waits for its slowest member (a fast round needs every other
 * one), so under load a wait drawn down to half the timeout retried phases that were merely slow.
 * Draws nothing, so the instance's random sequence is the same either way.
 */
export function fastRoundWait(context: InstanceContext): BackoffState {
  const { backoffMaxMs, timeoutBackoffMaxMs } = context.timing;
  const { attempt, timeouts, rng } = context.backoff;
  const ceilingMs = backoffCeilingMs(backoffMaxMs, timeoutBackoffMaxMs, timeouts);
  return {
    attempt,
    timeouts,
    waitMs: backoffDelayMs(context.timing.phaseTimeoutMs, ceilingMs, attempt, 1),
    rng,
  };
}

export function isMember(context: InstanceContext, from: string): boolean {
  return from !== context.node && context.members.includes(from);
}

/**
 * A request of an epoch above the node's configuration: the sender adopted a configuration this
 * node has not, and this node neither votes on it nor answers it until it adopts too (§5.3).
 */
export function isAhead(context: InstanceContext, ballot: Ballot): boolean {
  return epochOf(ballot) > context.config.epoch;
}

/**
 * Who may use round 0 in the acceptor's eyes: the owner of the key in a complete epoch only
 * (§6.4, I7; the proposer checks the same, this is defence in depth).
 */
function acceptorOwner(context: InstanceContext): string | null {
  return context.owner !== null && context.config.complete ? context.owner : null;
}

/** The acceptor's step for a prepare or propose (acceptor.ts): the same rules on every path. */
export function vote(context: InstanceContext, event: EventOf<'prepare' | 'propose'>) {
  return acceptorStep(
    { key: context.key, owner: acceptorOwner(context), fence: context.config.fence },
    recordOf(context),
    event.from,
    event,
  );
}

/**
 * Phase 2 is won with `acks`: a majority (our own vote included) for a ballot with a phase 1; for
 * the owner's round 0, every other member (owner.ts: the owner does not vote in its own round 0).
 */
export function isAckQuorum(context: InstanceContext, acks: readonly string[]): boolean {
  return context.ballot !== null && context.ballot.round === 0
    ? hasFastQuorum(acks, context.node, phase2Set(context.config))
    : hasQuorum(acks, [phase2Set(context.config)]);
}

/**
 * Whether an acknowledgement of the current ballot counts. In round 0 only one of this boot's
 * propose does (owner.ts): one of a value sent before a crash says nothing of the value sent now.
 */
export function countsAsAck(context: InstanceContext, event: EventOf<'acknowledge'>): boolean {
  return context.ballot?.round !== 0 || event.boot === context.boot;
}
