// The Paxos node as a supervision tree of the runtime's own parts (docs/gen-fsm-runtime.md points
// here as its worked example):
//
//   gen_paxos_sup   supervisor, one_for_one: restarts the node actor if it crashes
//   └── gen_paxos   genPaxosNode, registered by name; answers gen_server calls (nodeRequests.ts)
//       └── <key>   simple_one_for_one of instance machines, restarted per key from the record
//
// The store and the transport are opened by startLink before the tree starts and closed after it
// stops: a restarted node actor reloads every key from the store, but the store itself is never
// reopened under it (after a failed write the node stops voting instead: a reopened store could
// hide writes it lost).
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import type { RuntimeClock } from '../base/clock.js';
import type { ActorNode } from '../runtime/actorNode.js';
import type { RestartIntensity } from '../runtime/restartIntensity.js';
import { supervisor, type SupervisorLogic } from '../runtime/supervisor/supervisor.js';
import { genPaxosNode, type GenPaxosNodeActorRef, type GenPaxosNodeInput } from './genPaxosNode.js';
import type { GenPaxosNodeEmitted } from './nodeEvents.js';
import { GEN_PAXOS_NAME } from './nodeRequests.js';

/** Restarts of the node actor allowed before its supervisor gives up (and the node stops). */
export const NODE_RESTART_INTENSITY: RestartIntensity = { maxRestarts: 3, periodMs: 10_000 };

export interface NodeTreeOptions {
  readonly runtime: ActorNode;
  readonly input: GenPaxosNodeInput;
  readonly clock: RuntimeClock;
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Every event the node actor emits, across its restarts. */
  readonly emitted: (event: GenPaxosNodeEmitted) => void;
  /** The node actor started (again, after a crash when `restarted`). */
  readonly started: (node: GenPaxosNodeActorRef, restarted: boolean) => void;
}

/** Starts the tree; stopping the returned root stops the node actor and every instance. */
export function startNodeTree(options: NodeTreeOptions): Actor<SupervisorLogic> {
  const root = createActor(
    supervisor({
      strategy: 'one_for_one',
      intensity: NODE_RESTART_INTENSITY,
      node: options.runtime,
      clock: options.clock,
      children: [
        {
          id: GEN_PAXOS_NAME,
          name: GEN_PAXOS_NAME,
          logic: genPaxosNode,
          input: options.input,
          observe: {
            started: (_id, child, restarted) => options.started(child as GenPaxosNodeActorRef, restarted),
            emitted: (_id, event) => options.emitted(event as GenPaxosNodeEmitted),
          },
        },
      ],
    }),
    { clock: options.clock, ...(options.inspect ? { inspect: options.inspect } : {}) },
  );
  root.start();
  return root;
}
