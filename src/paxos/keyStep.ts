// The rules of one key on one node, whatever runs it: whether an event goes to the key's instance
// (spawned from the record if it has none) or is answered without one, and with which effects.
// Pure. The node's key supervisor only carries the outcome out, and the model check runs this same
// step over the instance machine (test/model), so the paths without an instance — the acceptor
// fast path, forwarding to the owner, answers from a decided record, stale replies, retirement and
// respawn — are checked like the machine itself.
import { acceptorStep } from './acceptor.js';
import { epochOf } from './ballot.js';
import type { ConfigView } from './config.js';
import type { Effect } from './effects.js';
import type { InstanceEvent, InstanceStateName } from './instanceMachine.js';
import { decidedAnswer, decidedReply, learnEffects } from './learner.js';
import type { PaxosMessage, PaxosValue } from './messages.js';
import { forwardTarget, votedForOwnersRoundZero } from './owner.js';
import { stateReply } from './reads.js';
import { isFresh, type KeyRecord } from './record.js';

/** One key on one node between events, as its supervisor holds it. Plain data. */
export interface KeySlot {
  /** The state of the key's live instance, or null when it has none (never started, or retired). */
  readonly instance: InstanceStateName | null;
  /**
   * No instance, and this node voted for the key or forwarded an ask of it to the owner: it awaits
   * the outcome while a takeover timer runs (an instance's `acknowledged`, without the actor).
   */
  readonly awaiting: boolean;
  /** The first value asked here while the key is undecided: asked again of a new instance. */
  readonly proposal: { readonly value: PaxosValue } | null;
}

export const EMPTY_SLOT: KeySlot = { instance: null, awaiting: false, proposal: null };

/** What the step knows of the node. */
export interface KeyNode {
  readonly self: string;
  /**
   * Every node whose messages count, this node included: the voters of the configuration, and
   * the previous voters while its epoch is in transition (config.ts `prepareTargets`).
   */
  readonly members: readonly string[];
  /**
   * The key's owner in the node's configuration (config.ts `ownerIn`), or null when the fast
   * path is off. The node asks an instance to take round 0 only through `mayTakeRoundZero`.
   */
  readonly owner: string | null;
  /**
   * The configuration the node runs under and its epoch fence (docs/membership.md §4.3, §5.2).
   * Absent: one configuration, epoch 0, complete, no fence (as before configurations).
   */
  readonly config?: ConfigView;
  readonly fence?: number;
  /**
   * Keys with no instance are voted on, and their asks forwarded to the owner, without starting
   * one. Off: every key that is asked or voted on runs in an instance (so every transition can be
   * watched).
   */
  readonly acceptorFastPath: boolean;
  /**
   * Every other member is reachable now. The owner's round 0 needs all of them (owner.ts); without
   * them an ask is proposed with both phases at once, and is not forwarded to the owner.
   */
  readonly everyPeerReachable: boolean;
}

export type KeyInput =
  /** A local ask. `ownerReachable`: the transport has a link to the key's owner now. */
  | { readonly type: 'ask'; readonly value: PaxosValue; readonly ownerReachable: boolean }
  /** A message from `from`. */
  | { readonly type: 'message'; readonly from: string; readonly message: PaxosMessage }
  /** The takeover timer of an awaiting key fired, or the node restarted with the key accepted but undecided. */
  | { readonly type: 'takeover' }
  /** The key's instance crashed and was started again from the record. */
  | { readonly type: 'restarted' }
  /**
   * A quorum read found acceptances but no proof of a choice (reads.ts): run the key's instance to
   * a decision here with both phases, proposing `value` if phase 1 finds nothing to adopt.
   */
  | { readonly type: 'recover'; readonly value: PaxosValue };

export interface KeyOutcome {
  readonly slot: KeySlot;
  /** Give this event to the key's instance, starting it from the record if it has none. */
  readonly deliver: InstanceEvent | null;
  /** Start the key's instance, even with nothing to deliver (it resumes from the record). */
  readonly spawn: boolean;
  /** To carry out in order, exactly like an instance's emitted effects. */
  readonly effects: readonly Effect[];
  /** The key's takeover timer: armed (afresh), cleared, or left as it is. */
  readonly timer: 'arm' | 'clear' | 'keep';
}

/**
 * The outcome that gives `slot` and changes nothing else, but for `parts`. Built as one object
 * literal: V8 (Node 20) copies `{ ...constant, slot }` through a slow path — spreading an object
 * first and then adding a key costs about 0.7 µs — and this runs for every message a node handles.
 */
function outcome(
  slot: KeySlot,
  parts: {
    readonly deliver?: InstanceEvent;
    readonly effects?: readonly Effect[];
    readonly timer?: 'clear';
  } = {},
): KeyOutcome {
  return {
    slot,
    deliver: parts.deliver ?? null,
    spawn: false,
    effects: parts.effects ?? NO_EFFECTS,
    timer: parts.timer ?? 'keep',
  };
}

const NO_EFFECTS: readonly Effect[] = [];

/** `message` as its key's instance takes it: with its sender (Object.assign, not a spread: see `outcome`). */
function fromSender(message: PaxosMessage, from: string, classic?: true): InstanceEvent {
  return Object.assign({}, message, classic ? { from, classic } : { from }) as InstanceEvent;
}

/**
 * The step: `record` is the key's record as this node knows it (writes issued included; the
 * runner holds every effect of the key behind the writes it has issued).
 */
export function keyStep(
  node: KeyNode,
  key: string,
  slot: KeySlot,
  record: KeyRecord,
  input: KeyInput,
): KeyOutcome {
  switch (input.type) {
    case 'ask':
      return askStep(node, key, slot, record, input.value, input.ownerReachable);
    case 'message':
      return messageStep(node, key, slot, record, input.from, input.message);
    case 'takeover':
      return takeoverStep(slot, record);
    case 'restarted':
      // The crashed instance's asks are still waiting: the new one proposes the same value.
      return slot.proposal === null
        ? outcome(slot)
        : outcome(slot, { deliver: { type: 'ask', value: slot.proposal.value } });
    case 'recover':
      return recoverStep(key, slot, record, input.value);
  }
}

/**
 * A read's recovery is an ask that never goes to the owner's round 0: a value may be chosen already,
 * so only phase 1 can tell which one must be proposed (P2c). The asks waiting for the key get its
 * decision like any ask's.
 */
function recoverStep(key: string, slot: KeySlot, record: KeyRecord, value: PaxosValue): KeyOutcome {
  if (record.decided !== null) return outcome(slot, { effects: decidedAnswer(key, record.decided) });
  const asked: KeySlot = slot.proposal === null ? { ...slot, proposal: { value } } : slot;
  return outcome(asked, { deliver: askEvent(value, true, true) });
}

function askStep(
  node: KeyNode,
  key: string,
  slot: KeySlot,
  record: KeyRecord,
  value: PaxosValue,
  ownerReachable: boolean,
): KeyOutcome {
  if (record.decided !== null) return outcome(slot, { effects: decidedAnswer(key, record.decided) });
  const asked: KeySlot = slot.proposal === null ? { ...slot, proposal: { value } } : slot;
  const proposeHere = node.owner !== null && node.owner !== node.self && !ownerReachable;
  const classic = !node.everyPeerReachable;
  if (slot.instance !== null) return outcome(asked, { deliver: askEvent(value, proposeHere, classic) });
  // Forwarded already, or a vote of this node is pending: the takeover timer pushes the ask. A vote
  // for the owner's round 0 is told of the ask, so that its decide comes at once (it may be lazy).
  if (slot.awaiting) {
    const owner = node.owner;
    return slot.proposal === null && votedForOwnersRoundZero(node.self, owner, record.accepted)
      ? outcome(asked, { effects: [{ type: 'send', key, to: owner, message: { type: 'forward', value } }] })
      : outcome(asked);
  }
  const owner = forwardTarget({
    self: node.self,
    owner: node.owner,
    fresh: isFresh(record),
    proposeHere: proposeHere || classic,
  });
  // Without the fast path every key runs in an instance, forwarding included (its machine forwards).
  if (owner !== null && node.acceptorFastPath) {
    return {
      slot: { ...asked, awaiting: true },
      deliver: null,
      spawn: false,
      effects: [{ type: 'send', key, to: owner, message: { type: 'forward', value } }],
      timer: 'arm',
    };
  }
  return outcome(asked, { deliver: askEvent(value, proposeHere, classic) });
}

function askEvent(value: PaxosValue, proposeHere: boolean, classic: boolean): InstanceEvent {
  return {
    type: 'ask',
    value,
    ...(proposeHere ? { forwarded: true } : {}),
    ...(classic ? { classic: true } : {}),
  };
}

function messageStep(
  node: KeyNode,
  key: string,
  slot: KeySlot,
  record: KeyRecord,
  from: string,
  message: PaxosMessage,
): KeyOutcome {
  if (from === node.self || !node.members.includes(from)) {
    return outcome(slot, {
      effects: [{ type: 'refused', key, from, message: message.type, reason: 'not-member' }],
    });
  }
  // A quorum read's query is answered from the record, instance or not; the runner sends the
  // answer once every write of the key issued so far is durable, so it reports durable state only.
  if (message.type === 'query')
    return outcome(slot, {
      effects: [{ type: 'send', key, to: from, message: stateReply(record, message.read) }],
    });
  // Answers to this node's own reads: the node's read tracker takes them, never the key.
  if (message.type === 'state') return outcome(slot);
  if (slot.instance !== null) return outcome(slot, { deliver: fromSender(message, from) });
  if (record.decided !== null)
    return outcome(slot, { effects: decidedReply(key, record.decided, from, message) });
  switch (message.type) {
    case 'promise':
    case 'acknowledge':
    case 'reject':
      // Replies to a proposer that is no longer running are stale: the ballot they answer was
      // abandoned with the instance, and a new instance starts a ballot of its own.
      return outcome(slot);
    case 'forward':
      // A member asks this node, the owner, to propose: only an instance proposes.
      return outcome(slot, {
        deliver: node.everyPeerReachable ? fromSender(message, from) : fromSender(message, from, true),
      });
    case 'prepare':
    case 'propose': {
      if (!node.acceptorFastPath) return outcome(slot, { deliver: fromSender(message, from) });
      if (epochOf(message.ballot) > (node.config?.epoch ?? 0))
        return outcome(slot, { effects: [aheadRefusal(key, from, message.type)] });
      // Round 0 is the owner's only in a complete epoch (§6.4, I7): defence in depth here.
      const owner = node.config?.complete === false ? null : node.owner;
      const vote = acceptorStep({ key, owner, fence: node.fence ?? 0 }, record, from, message);
      // An acceptance awaits its outcome: if none comes, an instance takes over and pushes it.
      const accepted = message.type === 'propose' && vote.granted;
      return {
        slot: accepted ? { ...slot, awaiting: true } : slot,
        deliver: null,
        spawn: false,
        effects: vote.effects,
        timer: accepted ? 'arm' : 'keep',
      };
    }
    case 'decide':
      return {
        slot: { ...slot, awaiting: false, proposal: null },
        deliver: null,
        spawn: false,
        effects: learnEffects(key, record, message.value),
        timer: 'clear',
      };
  }
}

function aheadRefusal(key: string, from: string, type: 'prepare' | 'propose'): Effect {
  return { type: 'refused', key, from, message: type, reason: 'ahead-of-config' };
}

function takeoverStep(slot: KeySlot, record: KeyRecord): KeyOutcome {
  const settled: KeySlot = { ...slot, awaiting: false };
  if (record.decided !== null || slot.instance !== null) return outcome(settled, { timer: 'clear' });
  // An instance starts from the record: in `acknowledged` when it holds an accepted value, which
  // it pushes if nobody else finishes; with the ask, proposed here with both phases.
  const deliver: InstanceEvent | null =
    slot.proposal === null ? null : { type: 'ask', value: slot.proposal.value, forwarded: true };
  return { slot: settled, deliver, spawn: true, effects: [], timer: 'clear' };
}

/**
 * The event the key's instance would be given for `input` if every key ran in an instance (the
 * acceptor fast path off), `instance` being the state that instance would be in, or null when it
 * would have none; null when it would be given nothing. A step taken without an instance is
 * reported to inspection as this event delivered to the instance it replaced.
 */
export function instanceEventFor(
  node: KeyNode,
  key: string,
  slot: KeySlot,
  record: KeyRecord,
  input: KeyInput,
  instance: InstanceStateName | null,
): InstanceEvent | null {
  return keyStep({ ...node, acceptorFastPath: false }, key, { ...slot, instance }, record, input).deliver;
}

/** The slot after the key's instance (or this step) carried out `effects`: a decision ends the ask. */
export function slotAfter(slot: KeySlot, effects: readonly Effect[]): KeySlot {
  // A loop and a literal: this runs for every message a node handles (see `outcome` on spreads).
  for (const effect of effects)
    if (effect.type === 'decided') return { instance: slot.instance, awaiting: false, proposal: null };
  return slot;
}

/**
 * Whether the key's instance, now in `state`, is done and may be stopped: decided (the record
 * answers for the key from now on), or idle in `nil` with no ask waiting (it is started again from
 * the record when the key is needed).
 */
export function isRetirable(state: InstanceStateName, asksWaiting: boolean): boolean {
  return state === 'decided' || (state === 'nil' && !asksWaiting);
}

/**
 * Whether a move of the instance from `previous` to `state` should make its supervisor retire it:
 * it became retirable by doing something (an instance just started in `nil` is about to be given
 * its event).
 */
export function shouldRetire(
  state: InstanceStateName,
  previous: InstanceStateName | null,
  asksWaiting: boolean,
): boolean {
  if (!isRetirable(state, asksWaiting)) return false;
  return state === 'decided' || (previous !== null && previous !== 'nil');
}
