// The resource's half of fencing: whatever a leader changes remembers the highest epoch it has
// seen and refuses anything older. A leader that was paused past its lease, or partitioned, can
// still send a request it decided on while it led; the lease cannot stop that, the fence does.

/** What a fence says about one request's epoch. */
export type FenceVerdict =
  | { readonly admitted: true; readonly highestEpoch: number }
  | { readonly admitted: false; readonly highestEpoch: number };

/**
 * The fence as a pure step, for state kept as plain data (an XState context): admits `epoch` if
 * it is at least `highestEpoch`, and says what the highest is afterwards.
 *
 * @example
 * admitEpoch(2, 1); // { admitted: false, highestEpoch: 2 }
 */
export function admitEpoch(highestEpoch: number, epoch: number): FenceVerdict {
  if (!Number.isSafeInteger(epoch) || epoch < highestEpoch) return { admitted: false, highestEpoch };
  return { admitted: true, highestEpoch: epoch };
}

/**
 * Admits epochs at least as high as the highest admitted so far (equal ones too: one leader
 * sends many requests in its epoch).
 *
 * @example
 * const fence = new Fence();
 * fence.admit(2); // { admitted: true, highestEpoch: 2 }
 * fence.admit(1); // { admitted: false, highestEpoch: 2 }: a stale leader
 */
export class Fence {
  private highest = 0;

  /** The highest epoch admitted so far (0: none yet). */
  get highestEpoch(): number {
    return this.highest;
  }

  admit(epoch: number): FenceVerdict {
    if (!Number.isSafeInteger(epoch) || epoch < this.highest)
      return { admitted: false, highestEpoch: this.highest };
    this.highest = epoch;
    return { admitted: true, highestEpoch: this.highest };
  }
}
