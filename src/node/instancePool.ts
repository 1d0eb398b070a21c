// How a node supervises its per-key instance actors: a simple_one_for_one pool (the runtime's
// SimpleOneForOne) of transient children, each restarted from its key's record within a per-key
// intensity and given up beyond it, never taking the node down. The key supervisor observes them.
import type { InstanceInput, InstanceMachine } from '../paxos/instanceMachine.js';
import type { ExitReason } from '../runtime/exitReason.js';
import { UNLIMITED_INTENSITY, type ChildTemplate } from '../runtime/supervisor/childSpec.js';
import { SimpleOneForOne } from '../runtime/supervisor/simpleOneForOne.js';
import type { KeySupervisorOptions } from './keySupervisorOptions.js';

export type InstancePool = SimpleOneForOne<InstanceMachine, null>;
export type InstanceObservers = NonNullable<ChildTemplate<InstanceMachine, null>['observe']>;

/**
 * The pool of `options.id`'s instances. `input` is computed again at every restart, so a restarted
 * instance reloads the key's record.
 */
export function createInstancePool(
  options: KeySupervisorOptions,
  input: (key: string, restarted: boolean) => InstanceInput,
  observe: InstanceObservers,
): InstancePool {
  return new SimpleOneForOne<InstanceMachine, null>({
    name: `node ${options.id}`,
    // Restarts are bounded per key (childIntensity), never for the node as a whole.
    intensity: UNLIMITED_INTENSITY,
    now: () => options.clock.now(),
    ...(options.inspect ? { inspect: options.inspect } : {}),
    template: {
      logic: options.instanceLogic,
      restart: 'transient',
      // Each instance is the root of an actor system of its own: XState's scheduler scans every
      // timer of a system whenever one of its actors stops, so sharing the node's system made
      // retiring keys quadratic.
      isolated: true,
      childIntensity: options.restartIntensity,
      input: (key, _args, restarted) => input(key, restarted),
      observe,
    },
  });
}

/** The error inside an exit reason (an instance only exits by crashing). */
export function errorOf(reason: ExitReason): unknown {
  return typeof reason === 'object' && 'error' in reason ? reason.error : reason;
}
