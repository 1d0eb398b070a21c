// The decisions this node knows to be chosen (docs/membership.md §8.2, rule 1): one it learned or
// answered with, held until its decided record is durable, and after that the durable record. A
// decided record still in flight is not enough on its own: a proposer writes its decision as soon
// as its quorum is counted, before the own acceptance the quorum rests on is durable.
import type { PaxosValue } from '../paxos/messages.js';
import type { Storage } from '../storage/storage.js';

export interface KnownDecisionsDeps {
  readonly storage: Storage;
  /** Writes of `key` issued and not yet durable. */
  readonly hasPendingWrites: (key: string) => boolean;
}

export class KnownDecisions {
  /** Chosen here, with a decided record not durable yet: asks may have been answered already. */
  private readonly chosen = new Map<string, { readonly value: PaxosValue }>();

  constructor(private readonly deps: KnownDecisionsDeps) {}

  /** `key` is known chosen (the writes its decision rests on are durable). */
  learned(key: string, value: PaxosValue): void {
    this.chosen.set(key, { value });
  }

  /** `key`'s writes are durable: the store answers for it, unless another write of it is in flight. */
  writesDurable(key: string): void {
    if (!this.deps.hasPendingWrites(key)) this.chosen.delete(key);
  }

  /** The decision of `key` known to be chosen here, or null. */
  of(key: string): { readonly value: PaxosValue } | null {
    const known = this.chosen.get(key);
    if (known !== undefined) return known;
    if (this.deps.hasPendingWrites(key)) return null;
    return this.deps.storage.load(key)?.decided ?? null;
  }
}
