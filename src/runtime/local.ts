// The runtime's API on the process's default node (`localNode`), for code with one node per
// process, as Erlang code calls register/2 or gen_fsm:send_event/2 on its own node. Code that
// runs several nodes in one process (tests, simulations) uses an ActorNode's methods instead.
import type { ActorLike } from './actorLike.js';
import { localNode } from './actorNode.js';
import type { Target } from './address.js';
import type { NodeEvent } from './distribution/distribution.js';
import type { GenFsm } from './genFsm/genFsm.js';
import type { DownEvent, MonitorRef, Watcher } from './monitors.js';

/**
 * gen_fsm on the process's node.
 *
 * @example
 * const lock = genFsm.start(codeLock, { name: 'code_lock', input: { code: [1, 2, 3] } });
 * genFsm.sendEvent('code_lock', { type: 'button', digit: 1 });
 */
export const genFsm: GenFsm = localNode.genFsm;

/**
 * erlang:register/2 on the process's node.
 *
 * @example
 * register('door', actor);
 */
export function register(name: string, actor: ActorLike): void {
  localNode.register(name, actor);
}

/**
 * erlang:unregister/1 on the process's node.
 *
 * @example
 * unregister('door');
 */
export function unregister(name: string): void {
  localNode.unregister(name);
}

/**
 * erlang:whereis/1 on the process's node.
 *
 * @example
 * whereis('door')?.send({ type: 'button', digit: 1 });
 */
export function whereis(name: string): ActorLike | undefined {
  return localNode.whereis(name);
}

/**
 * erlang:monitor/2 on the process's node.
 *
 * @example
 * const ref = monitor('door', (down) => console.log(down.reason));
 */
export function monitor(target: Target, watcher: Watcher<DownEvent>): MonitorRef {
  return localNode.monitor(target, watcher);
}

/**
 * erlang:demonitor/1 on the process's node.
 *
 * @example
 * demonitor(ref);
 */
export function demonitor(ref: MonitorRef): boolean {
  return localNode.demonitor(ref);
}

/**
 * erlang:monitor_node/2 on the process's node (which has no router unless you build your own
 * node with `createActorNode({ router })`).
 *
 * @example
 * monitorNode('b@host', (event) => console.log(event.type));
 */
export function monitorNode(node: string, watcher: Watcher<NodeEvent>): MonitorRef {
  return localNode.monitorNode(node, watcher);
}
