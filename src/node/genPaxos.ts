// The gen_paxos API: `startLink` starts a node — its supervision tree (nodeTree.ts) over a transport
// and a store — and returns its handle (GenPaxosNode, nodeHandle.ts) with `ask` / `read` / `stop`,
// like gen_paxos:start_link/2, ask/2, ask/1 and stop/0. `ask` is a gen_server call to the node.
import type { Actor } from 'xstate';
import { systemClock } from '../base/clock.js';
import { systemRandom } from '../base/random.js';
import { createActorNode } from '../runtime/actorNode.js';
import { hasDecidedLog } from '../storage/decidedLog.js';
import { LmdbStorage } from '../storage/lmdbStorage.js';
import { hasMembershipStore } from '../storage/membershipStore.js';
import { MemoryStorage } from '../storage/memoryStorage.js';
import type { GenPaxosNodeLogic } from './genPaxosNode.js';
import { GenPaxosNode } from './nodeHandle.js';
import { startNodeTree } from './nodeTree.js';
import { DEFAULT_RESCAN_TIMEOUT_MS } from './transitionWatch.js';
import { checkStartLinkOptions, DEFAULT_ASK_TIMEOUT_MS, type StartLinkOptions } from './startLinkOptions.js';

export { GenPaxosNode } from './nodeHandle.js';
export { ASK_LATENCY_BUCKETS_MS, DEFAULT_ASK_TIMEOUT_MS } from './startLinkOptions.js';
export type { AskOptions, AskStats, PendingKeys, ReadOptions, StartLinkOptions } from './startLinkOptions.js';

/**
 * Starts a gen-paxos node (gen_paxos:start_link/2).
 *
 * @example
 * const network = createMemoryNetwork();
 * const members = ['a', 'b', 'c'];
 * const nodes = await Promise.all(members.map((id) => startLink({ id, members, transport: network.connect(id) })));
 * await nodes[0].ask('colour', 'red'); // 'red'
 */
export async function startLink(options: StartLinkOptions): Promise<GenPaxosNode> {
  checkStartLinkOptions(options);
  const storage =
    options.storage ??
    (options.dataDir !== undefined
      ? new LmdbStorage({ path: options.dataDir, nodeId: options.id })
      : new MemoryStorage());
  await storage.open();
  // A joining node records that it joins: restarted without `join` before its group added it, it
  // must not take its start members for a group of its own and decide alone. Not awaited (a store
  // on a virtual clock commits only when the clock runs); the store commits writes in order, so any
  // adoption written later lands after it, and a failed write stops the node at its next write.
  if (options.join === true && hasMembershipStore(storage) && storage.loadMembership() === undefined)
    storage.saveMembership({ chain: [], fence: 0, completeEpoch: 0 }).catch(() => {});
  const clock = options.clock ?? systemClock;
  const runtime = options.runtime ?? createActorNode({ name: options.id, clock });
  const node = new GenPaxosNode(
    options.id,
    [...options.members],
    runtime,
    options.transport,
    storage,
    clock,
    options.askTimeoutMs ?? DEFAULT_ASK_TIMEOUT_MS,
  );
  const root = startNodeTree({
    runtime,
    clock,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    input: {
      id: options.id,
      members: [...options.members],
      transport: options.transport,
      storage,
      clock,
      random: options.random ?? systemRandom,
      ...(options.timing ? { timing: options.timing } : {}),
      ...(options.restartIntensity ? { restartIntensity: options.restartIntensity } : {}),
      ...(options.instanceLogic ? { instanceLogic: options.instanceLogic } : {}),
      ...(options.inspect ? { inspect: options.inspect } : {}),
      ...(options.inspectInstanceLess !== undefined
        ? { inspectInstanceLess: options.inspectInstanceLess }
        : {}),
      ...(options.acceptorFastPath !== undefined ? { acceptorFastPath: options.acceptorFastPath } : {}),
      ...(options.ownerFastPath !== undefined ? { ownerFastPath: options.ownerFastPath } : {}),
      ...(options.adaptiveTiming !== undefined ? { adaptiveTiming: options.adaptiveTiming } : {}),
      ...(options.join === true ? { joining: true } : {}),
      expose: (keys) => node.attach({ keys }),
    },
    started: (actor) => node.attach({ actor: actor as Actor<GenPaxosNodeLogic> }),
    emitted: (event) => node.emitted(event),
  });
  node.attach({ root });
  node.watchTransitions(options.random ?? systemRandom, options.rescanTimeoutMs ?? DEFAULT_RESCAN_TIMEOUT_MS);
  // Catch-up pulls over the runtime's links: a runtime that cannot link to others has no one to ask.
  if (options.catchup !== false && hasDecidedLog(storage) && runtime.isAlive())
    node.startCatchup(storage, options.catchup ?? {});
  return node;
}
