// One simulated node as the simulation and its fault injectors see it: its disk, its pause gate,
// the gen-paxos node running on them (null while down), and whether it joined or lost its disk.
import type { GenPaxosNode } from '../../src/node/genPaxos.js';
import type { MemoryStorage } from '../../src/storage/memoryStorage.js';
import type { PauseGate } from './pauseGate.js';

/** One simulated node: its disk outlives its runs (crashes keep what was committed). */
export interface SimNode {
  readonly id: string;
  /** This node's disk: how long a commit takes when no slow-disk fault is on. */
  readonly diskMs: number;
  storage: MemoryStorage;
  gate: PauseGate;
  node: GenPaxosNode | null;
  /** Added by a membership change: starts with `join: true`, not with the initial members. */
  readonly joined: boolean;
  /** Its disk was lost: it never runs again (membershipFaults.ts replaces it with a new id). */
  gone: boolean;
}
