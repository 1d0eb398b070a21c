// Test helpers for the runtime: a node on a virtual clock that records crashes instead of logging.
import { createActorNode, type ActorNode, type CrashReport } from '../../src/runtime/actorNode.js';
import { VirtualClock } from '../../src/base/virtualClock.js';

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
