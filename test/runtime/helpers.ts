// Test helpers for the runtime: a node on a virtual clock that records crashes instead of logging,
// and two nodes linked over the in-memory network.
import { createActorNode, type ActorNode, type CrashReport } from '../../src/runtime/actorNode.js';
import { createMemoryRouter, type MemoryRouter } from '../../src/transport/distribution/memoryRouter.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { createMemoryNetwork, type MemoryNetwork } from '../../src/transport/memoryNetwork.js';

export interface TestNode {
  readonly clock: VirtualClock;
  readonly node: ActorNode;
  readonly crashes: CrashReport[];
}

export function testNode(name?: string): TestNode {
  const clock = new VirtualClock();
  const crashes: CrashReport[] = [];
  const node = createActorNode({
    clock,
    onCrash: (report) => crashes.push(report),
    ...(name ? { name } : {}),
  });
  return { clock, node, crashes };
}

/** Lets promise callbacks run (the virtual clock never does). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** Resolves with the error code a promise rejects with (or 'resolved'). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** The heartbeat of twoNodes' routers, and how long a silent peer takes to be declared down. */
export const HEARTBEAT_MS = 100;
export const DOWN_AFTER_MS = 300;

/** Two nodes, a and b, linked over the in-memory network on one virtual clock. */
export interface TwoNodes {
  readonly clock: VirtualClock;
  readonly network: MemoryNetwork;
  readonly a: ActorNode;
  readonly b: ActorNode;
  readonly routers: { readonly a: MemoryRouter; readonly b: MemoryRouter };
  /** Closes both routers (call it in afterEach). */
  close(): Promise<void>;
}

/** Nodes a and b, connected (first heartbeats exchanged). */
export function twoNodes(): TwoNodes {
  const clock = new VirtualClock();
  const network = createMemoryNetwork({ clock });
  const options = { clock, heartbeatMs: HEARTBEAT_MS, downAfterMs: DOWN_AFTER_MS };
  const routers = {
    a: createMemoryRouter(network, 'a', { ...options, peers: ['b'] }),
    b: createMemoryRouter(network, 'b', { ...options, peers: ['a'] }),
  };
  const onCrash = () => {};
  const nodes: TwoNodes = {
    clock,
    network,
    routers,
    a: createActorNode({ clock, router: routers.a, onCrash }),
    b: createActorNode({ clock, router: routers.b, onCrash }),
    close: async () => {
      await Promise.all([routers.a.close(), routers.b.close()]);
    },
  };
  clock.advance(0); // first heartbeats: the nodes connect
  return nodes;
}

/** Runs promise callbacks and 1 ms clock steps until `promise` settles. */
export async function drive<T>(clock: VirtualClock, promise: Promise<T>, maxMs = 10_000): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let ms = 0; ms < maxMs && !done; ms++) {
    await settle();
    if (!done) clock.advance(1);
  }
  return promise;
}
