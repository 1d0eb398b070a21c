// The supervisor module's functions (start_child, terminate_child, restart_child, delete_child,
// which_children, count_children). Changes go through the supervisor's mailbox as requests, so
// they are ordered with its own work; reads are synchronous.
import type { EventObject } from 'xstate';
import type { ActorLike } from '../actorLike.js';
import { systemClock } from '../../base/clock.js';
import { callActor } from '../genFsm/callActor.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from '../runtimeError.js';
import type { ChildSpec } from './childSpec.js';
import type { ChildInfo } from './staticChildren.js';
import {
  supervisorCoreOf,
  type SupervisorCore,
  type SupervisorEvent,
  type SupervisorReply,
} from './supervisor.js';

/** What `countChildren` returns (supervisor:count_children/1). */
export interface ChildCounts {
  readonly specs: number;
  readonly active: number;
  readonly supervisors: number;
  readonly workers: number;
}

type SupervisorRef = ActorLike<SupervisorEvent>;

/** A request without its `replyTo`, which the call adds. */
type Request = EventObject & Record<string, unknown>;

async function request(sup: SupervisorRef, event: Request): Promise<ActorLike | null> {
  // No timeout: a running supervisor answers as soon as it reaches the request.
  const reply = await callActor<SupervisorReply>(sup, event, Number.POSITIVE_INFINITY, systemClock);
  if (!reply.ok) throw reply.error;
  return reply.child;
}

function coreOf(sup: ActorLike): SupervisorCore {
  const core = supervisorCoreOf(sup);
  if (!core) throw new RuntimeError(RUNTIME_ERROR_CODES.BAD_TARGET, `actor ${sup.id} is not a supervisor`);
  return core;
}

/**
 * supervisor:start_child/2. Static strategies take a full child spec; simple_one_for_one takes
 * `{ id, args }`. Resolves with the started child.
 *
 * @example
 * const worker = await startChild(sup, { id: 'worker', logic: workerLogic, restart: 'transient' });
 * const instance = await startChild(keys, { id: 'colour', args: { value: 'red' } });
 */
export async function startChild(
  sup: SupervisorRef,
  child: ChildSpec | { readonly id: string; readonly args?: unknown },
): Promise<ActorLike> {
  const event: Request =
    'logic' in child
      ? { type: 'supervisor.startChild', spec: child }
      : { type: 'supervisor.startChild', id: child.id, args: child.args };
  return (await request(sup, event)) as ActorLike;
}

/**
 * supervisor:terminate_child/2: stops the child without restarting it. A static child's spec is
 * kept (restartChild starts it again); a simple_one_for_one child is forgotten.
 *
 * @example
 * await terminateChild(sup, 'worker');
 */
export async function terminateChild(sup: SupervisorRef, id: string): Promise<void> {
  await request(sup, { type: 'supervisor.terminateChild', id });
}

/**
 * supervisor:restart_child/2: starts a terminated static child again from its spec.
 *
 * @example
 * const worker = await restartChild(sup, 'worker');
 */
export async function restartChild(sup: SupervisorRef, id: string): Promise<ActorLike> {
  return (await request(sup, { type: 'supervisor.restartChild', id })) as ActorLike;
}

/**
 * supervisor:delete_child/2: forgets the spec of a static child that is not running.
 *
 * @example
 * await deleteChild(sup, 'worker');
 */
export async function deleteChild(sup: SupervisorRef, id: string): Promise<void> {
  await request(sup, { type: 'supervisor.deleteChild', id });
}

/**
 * supervisor:which_children/1: every child in start order, with its ref if running.
 *
 * @example
 * whichChildren(sup).map((child) => child.id); // ['db', 'cache', 'web']
 */
export function whichChildren(sup: ActorLike): ChildInfo[] {
  return coreOf(sup).which();
}

/** The running child `id` of a supervisor, if any. */
export function childOf(sup: ActorLike, id: string): ActorLike | undefined {
  return coreOf(sup).child(id);
}

/**
 * supervisor:count_children/1.
 *
 * @example
 * countChildren(sup).active; // 3
 */
export function countChildren(sup: ActorLike): ChildCounts {
  const children = coreOf(sup).which();
  return {
    specs: children.length,
    active: children.filter((child) => child.ref !== undefined).length,
    supervisors: children.filter((child) => child.type === 'supervisor').length,
    workers: children.filter((child) => child.type === 'worker').length,
  };
}
