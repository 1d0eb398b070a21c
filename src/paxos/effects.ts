// The effects the core asks the runtime to carry out, in the order it emits them: the instance
// machine's, and those of the per-key rules for keys with no instance (keyStep.ts). A closed union:
// the runtime handles each with an exhaustive switch.
import type { Envelope, PaxosMessage, PaxosMessageType, PaxosValue } from './messages.js';
import type { KeyRecord } from './record.js';

/** Write the key's durable record. Every later effect of the same key waits until it is durable. */
export interface PersistEffect {
  readonly type: 'persist';
  readonly key: string;
  readonly record: KeyRecord;
}

/** Send `message` to one member. */
export interface SendEffect {
  readonly type: 'send';
  readonly key: string;
  readonly to: string;
  readonly message: PaxosMessage;
}

/** Send `message` to every member but this node. */
export interface BroadcastEffect {
  readonly type: 'broadcast';
  readonly key: string;
  readonly message: PaxosMessage;
  /**
   * No member is known to wait for it (the owner's decide after its round 0, when no member
   * forwarded an ask): the runtime may hold it a few milliseconds to share a frame with later
   * traffic to the same member. Timing only: a message may be delayed anyway, and nothing the
   * protocol guarantees depends on when it arrives.
   */
  readonly lazy?: true;
}

/** The value is chosen and learned here: count the decision and answer the asks waiting for it. */
export interface DecidedEffect {
  readonly type: 'decided';
  readonly key: string;
  readonly value: PaxosValue;
}

/** A key learned before: answer the asks waiting here with its value (a re-ask of a decided key). */
export interface AnswerEffect {
  readonly type: 'answer';
  readonly key: string;
  readonly value: PaxosValue;
}

/** Why a message was refused (acceptor.ts, keyStep.ts); each is counted and logged. */
export type RefusalReason =
  /** The sender is not a member of the group, or is this node. */
  | 'not-member'
  /** The message's ballot names another node than its sender: no member may use another's ballots. */
  | 'forged-ballot'
  /** A round-0 (phase-1-less) ballot from a member that does not own the key (owner.ts). */
  | 'round-zero-not-owner'
  /** A second, different value proposed in a ballot this acceptor already accepted a value in. */
  | 'conflicting-value'
  /**
   * A ballot of an epoch below this node's epoch fence (docs/membership.md §5.2): its sender runs
   * an older configuration. A correct member causes it while it catches up; it is told `stale`.
   */
  | 'below-fence'
  /**
   * A ballot of an epoch above this node's configuration: the sender adopted a configuration this
   * node has not yet; no vote until it adopts it too (docs/membership.md §5.3).
   */
  | 'ahead-of-config';

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'not-member',
  'forged-ballot',
  'round-zero-not-owner',
  'conflicting-value',
  'below-fence',
  'ahead-of-config',
];

/** A message refused by a rule of the protocol: nothing changes; the runtime counts and logs it. */
export interface RefusedEffect {
  readonly type: 'refused';
  readonly key: string;
  readonly from: string;
  readonly message: PaxosMessageType;
  readonly reason: RefusalReason;
}

export type Effect =
  PersistEffect | SendEffect | BroadcastEffect | DecidedEffect | AnswerEffect | RefusedEffect;
export type EffectType = Effect['type'];

export const EFFECT_TYPES: readonly EffectType[] = [
  'persist',
  'send',
  'broadcast',
  'decided',
  'answer',
  'refused',
];

/** For exhaustive switches over closed unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(value)}`);
}

/** The envelopes a send or broadcast effect stands for, from `self` to `members`. */
export function envelopesOf(
  effect: SendEffect | BroadcastEffect,
  self: string,
  members: readonly string[],
): Envelope[] {
  if (effect.type === 'send')
    return [{ from: self, to: effect.to, key: effect.key, message: effect.message }];
  const out: Envelope[] = [];
  for (const to of members)
    if (to !== self) out.push({ from: self, to, key: effect.key, message: effect.message });
  return out;
}
