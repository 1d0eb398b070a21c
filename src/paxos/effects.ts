// The effects an instance asks the runtime to carry out, in the order it emits them.
// A closed union: the runtime handles each with an exhaustive switch.
import type { Envelope, PaxosMessage, PaxosValue } from './messages.js';
import type { KeyRecord } from './record.js';

/** Write the key's durable record. Every later send of the same key waits until it is durable. */
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
}

/** The value is chosen and known here: answer the asks waiting for this key. */
export interface DecidedEffect {
  readonly type: 'decided';
  readonly key: string;
  readonly value: PaxosValue;
}

export type Effect = PersistEffect | SendEffect | BroadcastEffect | DecidedEffect;
export type EffectType = Effect['type'];

export const EFFECT_TYPES: readonly EffectType[] = ['persist', 'send', 'broadcast', 'decided'];

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
