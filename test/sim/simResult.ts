// What a simulation run returns: its client history (in the format the register checker reads),
// the faults and changes it drew, what the safety and liveness checks found, and its trace.
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { MembershipFault } from './membershipFaults.js';
import type { FaultKind } from './nodeFaults.js';
import type { SimOptions } from './simOptions.js';

/** One client operation, in the history format the register checker reads. */
export interface HistoryOp {
  readonly process: string;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: 'ask' | 'read';
  readonly key: string;
  readonly value: PaxosValue | null;
  readonly time: number;
}

export interface SimResult {
  readonly seed: number;
  readonly options: SimOptions;
  readonly faults: Record<FaultKind, number>;
  /** Membership changes started, per kind (membershipFaults.ts). */
  readonly membership: Record<MembershipFault, number>;
  /** How the changes ended: `ok`, an error code, `unsettled`, … with their counts. */
  readonly changeOutcomes: Readonly<Record<string, number>>;
  /** The voters of the final configuration (its number after the colon): liveness is judged there. */
  readonly finalConfig: string;
  readonly operations: number;
  /** Safety violations, then liveness violations. */
  readonly violations: readonly string[];
  /** What the invariant checker found (invariants.ts). */
  readonly safety: readonly string[];
  /** What the liveness check after healing found (liveness.ts). */
  readonly liveness: readonly string[];
  /** Asks still pending when the liveness window ran out. */
  readonly stuck: readonly string[];
  /** Keys asked during the faults that got no answer there, settled by the probes after healing. */
  readonly reasked: readonly string[];
  /** Virtual time from healing to the last probe answered; null when liveness failed. */
  readonly recoveredMs: number | null;
  readonly history: readonly HistoryOp[];
  readonly trace: readonly string[];
  /** A digest of the trace: equal digests mean byte-for-byte equal runs. */
  readonly traceDigest: string;
  readonly virtualMs: number;
  readonly steps: number;
}
