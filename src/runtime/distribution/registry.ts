// The local registry of one node: names to running actors (erlang:register/whereis/unregister).
// A name is released when its actor stops, crashes or finishes, so it can be taken again, e.g.
// by the restarted child of a supervisor.
import type { Subscription } from 'xstate';
import { isAlive, watchExit, type ActorLike } from '../actorLike.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from '../runtimeError.js';

interface Entry {
  readonly actor: ActorLike;
  readonly watch: Subscription;
}

export class Registry {
  private readonly byName = new Map<string, Entry>();
  private readonly byActor = new WeakMap<object, string>();

  /**
   * Registers `actor` under `name` until it stops (erlang:register/2). Throws
   * REGISTRY_ERR_NAME_TAKEN if the name is taken or the actor has a name, GENFSM_ERR_NOPROC if
   * the actor is not running.
   *
   * @example
   * node.register('code_lock', actor);
   */
  register(name: string, actor: ActorLike): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new RuntimeError(RUNTIME_ERROR_CODES.BAD_ARGUMENT, 'a name must be a non-empty string');
    }
    const holder = this.byName.get(name);
    if (holder) {
      throw new RuntimeError(
        RUNTIME_ERROR_CODES.NAME_TAKEN,
        `${JSON.stringify(name)} is already registered to actor ${holder.actor.id}`,
      );
    }
    const existing = this.byActor.get(actor);
    if (existing !== undefined) {
      throw new RuntimeError(
        RUNTIME_ERROR_CODES.NAME_TAKEN,
        `actor ${actor.id} is already registered as ${JSON.stringify(existing)}`,
      );
    }
    if (!isAlive(actor)) {
      throw new RuntimeError(RUNTIME_ERROR_CODES.NOPROC, `actor ${actor.id} is not running`);
    }
    const watch = watchExit(actor, () => this.release(name, actor));
    this.byName.set(name, { actor, watch });
    this.byActor.set(actor, name);
  }

  /** Removes `name` (erlang:unregister/1). Throws REGISTRY_ERR_NOT_REGISTERED if it is not registered. */
  unregister(name: string): void {
    const entry = this.byName.get(name);
    if (!entry) {
      throw new RuntimeError(RUNTIME_ERROR_CODES.NOT_REGISTERED, `${JSON.stringify(name)} is not registered`);
    }
    entry.watch.unsubscribe();
    this.release(name, entry.actor);
  }

  /** The actor registered under `name`, or `undefined` (erlang:whereis/1). */
  whereis(name: string): ActorLike | undefined {
    return this.byName.get(name)?.actor;
  }

  /** The name `actor` is registered under, if any. */
  nameOf(actor: object): string | undefined {
    return this.byActor.get(actor);
  }

  /** Every registered name, in registration order (erlang:registered/0). */
  registered(): string[] {
    return [...this.byName.keys()];
  }

  private release(name: string, actor: ActorLike): void {
    if (this.byName.get(name)?.actor !== actor) return;
    this.byName.delete(name);
    this.byActor.delete(actor);
  }
}
