// Starting a behaviour's actor on a node, shared by genFsm and genServer: a root actor on the
// node's clock whose crash goes to the node's `onCrash`, or a child linked to a parent (stopped
// with it); either way registered under its name once running.
import {
  createActor,
  type Actor,
  type AnyActorLogic,
  type AnyActorRef,
  type InspectionEvent,
  type Observer,
} from 'xstate';
import { isAlive, watchExit, type ActorLike } from './actorLike.js';
import { recordExitReason } from './exitReason.js';
import type { NodeServices } from './nodeServices.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from './runtimeError.js';

export interface StartActorOptions {
  /** Registers the actor under this name on the node (OTP's `{local, Name}`); also its id. */
  readonly name?: string;
  /** The actor's id, if not its name. */
  readonly id?: string;
  /** The logic's input (the argument of the behaviour's `init`). */
  readonly input?: unknown;
  /** XState inspection of the actor and its children (root actors only). */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

/**
 * Creates and starts `logic` on `node`, as a child of `parent` if given. Throws
 * REGISTRY_ERR_NAME_TAKEN if the name is taken, GENFSM_ERR_NOPROC if the parent is not running.
 * An actor that fails while starting is returned stopped (and, as a root, reported to onCrash).
 */
export function startActor<TLogic extends AnyActorLogic>(
  node: NodeServices,
  logic: TLogic,
  options: StartActorOptions,
  parent: ActorLike | undefined,
): Actor<TLogic> {
  const { name } = options;
  if (name !== undefined && node.whereis(name)) {
    throw new RuntimeError(RUNTIME_ERROR_CODES.NAME_TAKEN, `${JSON.stringify(name)} is already registered`);
  }
  if (parent && !isAlive(parent)) {
    throw new RuntimeError(
      RUNTIME_ERROR_CODES.NOPROC,
      `cannot link to actor ${parent.id}: it is not running`,
    );
  }
  const id = options.id ?? name;
  const actor = createActor(logic as AnyActorLogic, {
    ...(parent
      ? { parent: parent as unknown as AnyActorRef }
      : { clock: node.clock, ...(options.inspect ? { inspect: options.inspect } : {}) }),
    ...(id !== undefined ? { id } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
  }) as unknown as Actor<TLogic>;
  if (parent) {
    // A child outlives neither a stopped nor a failed parent. XState's scope.stopChild is
    // `child._stop()`; the parent's scope is not ours, so call it the same way.
    const link = watchExit(parent, () => {
      if (!isAlive(actor)) return;
      recordExitReason(actor, 'shutdown');
      (actor as unknown as { _stop(): void })._stop();
    });
    watchExit(actor, () => link.unsubscribe());
  } else {
    // Without a parent, XState would rethrow a crash as an uncaught exception: report it instead.
    actor.subscribe({
      error: (error: unknown) => node.reportCrash({ actor: actor.id, name, error }),
    });
  }
  actor.start();
  if (name !== undefined && isAlive(actor)) node.register(name, actor);
  return actor;
}
