// What the per-node supervisor of Paxos instances (keySupervisor.ts) is given: the node's
// identity and group, its transport, store, clock and randomness, and the knobs of its paths.
import type { InspectionEvent, Observer } from 'xstate';
import type { InstanceMachine, InstanceTiming } from '../paxos/instanceMachine.js';
import type { Storage } from '../storage/storage.js';
import type { Transport } from '../transport/transport.js';
import type { RuntimeClock } from '../base/clock.js';
import type { RandomSource } from '../base/random.js';
import type { RestartIntensity } from '../runtime/restartIntensity.js';

export interface KeySupervisorOptions {
  readonly id: string;
  readonly members: readonly string[];
  readonly transport: Transport;
  readonly storage: Storage;
  readonly clock: RuntimeClock;
  readonly random: RandomSource;
  readonly timing: Partial<InstanceTiming>;
  readonly restartIntensity: RestartIntensity;
  readonly instanceLogic: InstanceMachine;
  /** Receives the instances' inspection events (they run in actor systems of their own). */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /**
   * Default true: with `inspect`, keys handled without an instance are reported as their instance
   * would be (instanceWitness.ts). False: only live instances are reported.
   */
  readonly inspectInstanceLess?: boolean;
  /**
   * Answer requests for keys with no live instance without spawning one (keyStep.ts). Off: every
   * key that receives a message gets an instance. Watchers see the same transitions either way
   * (`inspectInstanceLess`).
   */
  readonly acceptorFastPath: boolean;
  /** The key's owner skips phase 1 with ballot 0; other members forward their asks to it. */
  readonly ownerFastPath: boolean;
  /**
   * A new member (docs/membership.md §13.3): it starts with no configuration, votes and asks
   * nothing, and waits for the group's chain (sent by the member that adds it).
   */
  readonly joining?: boolean;
  /** Phase timeouts follow the phases this node observes (adaptiveTiming.ts); off: `timing` as given. */
  readonly adaptiveTiming: boolean;
}
