// What a simulation run is given (SimOptions, with the defaults and the mode each seed runs in) and
// what may watch it (SimObserver). Plain data and types; the run itself is simulation.ts.
import type { InspectionEvent } from 'xstate';
import type { GenPaxosNode } from '../../src/node/genPaxos.js';
import type { Envelope } from '../../src/paxos/messages.js';
import type { Storage } from '../../src/storage/storage.js';
import type { NetworkEventKind } from '../../src/transport/memoryNetwork.js';
import type { BrokenVariant } from './brokenVariants.js';

export interface SimOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly keys: number;
  /** Client operations (asks and reads) spread over the fault window. */
  readonly operations: number;
  readonly faultWindowMs: number;
  /**
   * The liveness window: virtual time allowed after healing for the asks of the fault window to
   * settle and for every key to be decided on every node (the probes).
   */
  readonly settleMs: number;
  readonly askTimeoutMs: number;
  /** False: acceptors spawn instances instead of answering on the fast path (default true). */
  readonly acceptorFastPath?: boolean;
  /** False: every proposal runs both phases; no owner uses ballot 0 (default true). */
  readonly ownerFastPath?: boolean;
  /** A deliberately broken variant, for control runs the checker must fail. */
  readonly variant?: BrokenVariant;
  /** Watches the run (the cluster view's export, viewExport.ts); it changes nothing in it. */
  readonly observer?: SimObserver;
  /** False: no membership changes among the faults (default true). */
  readonly membershipChanges?: boolean;
}

/** What an observer of a run is told. Every call happens at the run's virtual time `now()`. */
export interface SimObserver {
  /** Called first, with the run's clock. */
  attach?(now: () => number): void;
  /** The `inspect` option for node `id`'s next start. */
  inspect?(id: string): ((event: InspectionEvent) => void) | undefined;
  /** The store node `id` is started with (default `storage` itself): a decorator may watch its writes. */
  storage?(id: string, storage: Storage): Storage;
  started?(id: string, node: GenPaxosNode): void;
  /** Node `id` crashed or stopped. */
  stopped?(id: string): void;
  network?(kind: NetworkEventKind, envelope: Envelope): void;
  /** Every trace line (faults injected, operations, …), without its time. */
  log?(line: string): void;
}

export const DEFAULT_SIM: Omit<SimOptions, 'seed'> = {
  nodes: 3,
  keys: 8,
  operations: 40,
  faultWindowMs: 4_000,
  settleMs: 60_000,
  askTimeoutMs: 3_000,
};

/** A key first asked after healing, by the probes: the group still decides new keys. */
export const FRESH_KEY = 'fresh';

/**
 * The mode a seed runs in, so that `npm test` and `npm run sim -- --seed S` agree: 5 nodes for
 * every fourth seed, acceptors on the fast path for odd seeds, the owner fast path off for every
 * third seed (so the classic two-phase protocol keeps being simulated too).
 */
export function modeOfSeed(seed: number): Pick<SimOptions, 'nodes' | 'acceptorFastPath' | 'ownerFastPath'> {
  return { nodes: seed % 4 === 0 ? 5 : 3, acceptorFastPath: seed % 2 === 1, ownerFastPath: seed % 3 !== 0 };
}
