// A supervisor as XState actor logic, with OTP semantics: it starts its children in order, traps
// their exits (`xstate.error.actor.*` / `xstate.done.actor.*`), restarts them by strategy and
// restart type within its intensity, and stops them in reverse order when it stops. Past its
// intensity it stops its children and fails, so its own parent sees a child error.
import type { ActorLogic, AnyActorLogic, AnyActorRef, AnyActorScope, EventObject, Snapshot } from 'xstate';
import type { ActorLike } from '../actorLike.js';
import { localNode } from '../actorNode.js';
import type { From } from '../genFsm/reply.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from '../runtimeError.js';
import { ChildHost, childExitOf } from './childHost.js';
import {
  checkSupervisorSpec,
  DEFAULT_SUPERVISOR_INTENSITY,
  type ChildSpec,
  type ChildTemplate,
  type Strategy,
  type SupervisorSpec,
} from './childSpec.js';
import { SimpleOneForOne } from './simpleOneForOne.js';
import { StaticChildren, type ChildInfo } from './staticChildren.js';
import type { SupervisorReport } from './supervisorReport.js';

/** The answer to a supervisor request: the child, or why not. */
export type SupervisorReply =
  { readonly ok: true; readonly child: ActorLike | null } | { readonly ok: false; readonly error: Error };

/** Requests a supervisor answers (use the functions of supervisorApi.ts). */
export type SupervisorEvent =
  | {
      readonly type: 'supervisor.startChild';
      /** A full spec (static strategies) … */
      readonly spec?: ChildSpec;
      /** … or an id and the template's arguments (simple_one_for_one). */
      readonly id?: string;
      readonly args?: unknown;
      readonly replyTo: From<SupervisorReply>;
    }
  | {
      readonly type: 'supervisor.terminateChild';
      readonly id: string;
      readonly replyTo: From<SupervisorReply>;
    }
  | {
      readonly type: 'supervisor.restartChild';
      readonly id: string;
      readonly replyTo: From<SupervisorReply>;
    }
  | {
      readonly type: 'supervisor.deleteChild';
      readonly id: string;
      readonly replyTo: From<SupervisorReply>;
    };

/** Plain data: what inspection and observers see. The children themselves: `whichChildren`. */
export interface SupervisorContext {
  readonly strategy: Strategy;
  /** Children running now. */
  readonly activeChildren: number;
  /** Restarts done so far. */
  readonly restarts: number;
}

export type SupervisorSnapshot = Snapshot<undefined> & { readonly context: SupervisorContext };

/** XState's AnyActorSystem, which the package does not export. */
type AnyActorSystem = AnyActorScope['system'];

export type SupervisorLogic<TInput = undefined> = ActorLogic<
  SupervisorSnapshot,
  SupervisorEvent,
  TInput,
  AnyActorSystem,
  SupervisorReport
>;

/** What supervisorApi.ts reads synchronously from a running supervisor. */
export interface SupervisorCore {
  readonly strategy: Strategy;
  which(): ChildInfo[];
  child(id: string): AnyActorRef | undefined;
}

interface Core extends SupervisorCore {
  readonly engine:
    | { readonly kind: 'static'; readonly children: StaticChildren }
    | { readonly kind: 'simple'; readonly children: SimpleOneForOne<AnyActorLogic, unknown> };
  restarts: number;
  active(): number;
  shutdown(): void;
}

const cores = new WeakMap<object, SupervisorCore>();

/** The core of a running supervisor actor, for supervisorApi.ts. */
export function supervisorCoreOf(actor: object): SupervisorCore | undefined {
  return cores.get(actor);
}

function nowOf(spec: SupervisorSpec, scope: AnyActorScope): () => number {
  if (spec.clock) {
    const clock = spec.clock;
    return () => clock.now();
  }
  const systemClock = scope.system._clock as { now?: () => number };
  if (typeof systemClock.now === 'function') return () => (systemClock.now as () => number)();
  return () => Date.now();
}

function createCore(spec: SupervisorSpec, scope: AnyActorScope): Core {
  const node = spec.node ?? localNode;
  const host = new ChildHost(scope, node);
  const now = nowOf(spec, scope);
  const intensity = spec.intensity ?? DEFAULT_SUPERVISOR_INTENSITY;
  let core: Core;
  const report = (event: SupervisorReport) => {
    if (event.type === 'child.started' && event.restarted) core.restarts++;
    scope.emit(event);
  };
  if (spec.strategy === 'simple_one_for_one') {
    const children = new SimpleOneForOne<AnyActorLogic, unknown>({
      template: spec.child as ChildTemplate<AnyActorLogic, unknown>,
      intensity,
      now,
      report,
      name: `supervisor ${scope.self.id}`,
    });
    children.attach(scope, node);
    core = {
      strategy: spec.strategy,
      engine: { kind: 'simple', children },
      restarts: 0,
      active: () => children.size,
      which: () =>
        children.ids().map((id) => ({
          id,
          ref: children.child(id) as ActorLike,
          type: spec.child.type ?? 'worker',
          restart: spec.child.restart ?? 'permanent',
        })),
      child: (id) => children.child(id) as AnyActorRef | undefined,
      shutdown: () => children.shutdown(),
    };
  } else {
    const children = new StaticChildren(spec, host, intensity, now, report, scope.self.id);
    core = {
      strategy: spec.strategy,
      engine: { kind: 'static', children },
      restarts: 0,
      active: () => children.active,
      which: () => children.which(),
      child: (id) => children.child(id),
      shutdown: () => children.shutdown(),
    };
  }
  return core;
}

function snapshotOf(core: Core, status: 'active' | 'stopped'): SupervisorSnapshot {
  return {
    status,
    output: undefined,
    error: undefined,
    context: { strategy: core.strategy, activeChildren: core.active(), restarts: core.restarts },
  } as SupervisorSnapshot;
}

/** Answers a request; refusals (unknown id, already present…) are replies, not crashes. */
function serve(core: Core, event: SupervisorEvent): SupervisorReply {
  const { engine } = core;
  try {
    switch (event.type) {
      case 'supervisor.startChild':
        if (engine.kind === 'simple') {
          if (typeof event.id !== 'string')
            throw wrongCall('simple_one_for_one starts children by { id, args }');
          return { ok: true, child: engine.children.startChild(event.id, event.args) as ActorLike };
        }
        if (!event.spec) throw wrongCall(`${core.strategy} starts children from a full child spec`);
        return { ok: true, child: engine.children.startChild(event.spec) as ActorLike };
      case 'supervisor.terminateChild':
        if (engine.kind === 'simple') {
          if (!engine.children.terminateChild(event.id)) throw notFound(event.id);
        } else engine.children.terminateChild(event.id);
        return { ok: true, child: null };
      case 'supervisor.restartChild':
        if (engine.kind === 'simple')
          throw wrongCall('simple_one_for_one children cannot be restarted by id');
        return { ok: true, child: engine.children.restartChild(event.id) as ActorLike };
      case 'supervisor.deleteChild':
        if (engine.kind === 'simple') throw wrongCall('simple_one_for_one keeps no child specs');
        engine.children.deleteChild(event.id);
        return { ok: true, child: null };
    }
  } catch (error) {
    if (error instanceof RuntimeError && error.code !== RUNTIME_ERROR_CODES.MAX_RESTARTS)
      return { ok: false, error };
    throw error;
  }
}

function wrongCall(message: string): RuntimeError {
  return new RuntimeError(RUNTIME_ERROR_CODES.BAD_SPEC, message);
}

function notFound(id: string): RuntimeError {
  return new RuntimeError(RUNTIME_ERROR_CODES.NOT_FOUND, `no child ${JSON.stringify(id)}`);
}

const REQUESTS: readonly string[] = [
  'supervisor.startChild',
  'supervisor.terminateChild',
  'supervisor.restartChild',
  'supervisor.deleteChild',
];

/**
 * Supervisor logic (OTP's supervisor behaviour). Give a spec, or a function of the actor's input
 * returning one (OTP's init/1). Use it with `createActor`, `spawnChild`, or as a child spec's
 * logic to nest supervisors.
 *
 * @example
 * const sup = createActor(
 *   supervisor({
 *     strategy: 'one_for_one',
 *     intensity: { maxRestarts: 3, periodMs: 5000 },
 *     children: [{ id: 'lock', logic: genFsmLogic(codeLock), input: { code: [1, 2, 3] }, name: 'code_lock' }],
 *   }),
 * ).start();
 */
export function supervisor<TInput = undefined>(
  spec: SupervisorSpec | ((input: TInput) => SupervisorSpec),
): SupervisorLogic<TInput> {
  const internal = new WeakMap<object, Core>();
  return {
    getInitialSnapshot(scope, input) {
      const resolved = typeof spec === 'function' ? spec(input) : spec;
      checkSupervisorSpec(resolved);
      const core = createCore(resolved, scope);
      internal.set(scope.self, core);
      cores.set(scope.self, core);
      const planned = resolved.strategy === 'simple_one_for_one' ? 0 : resolved.children.length;
      return {
        status: 'active',
        output: undefined,
        error: undefined,
        context: { strategy: resolved.strategy, activeChildren: planned, restarts: 0 },
      } as SupervisorSnapshot;
    },

    start(_snapshot, scope) {
      const core = internal.get(scope.self);
      if (core?.engine.kind === 'static') core.engine.children.startAll();
    },

    transition(snapshot, event, scope) {
      const core = internal.get(scope.self);
      if (!core || snapshot.status !== 'active') return snapshot;
      const type = (event as EventObject).type;
      if (type === 'xstate.stop') {
        core.shutdown();
        return snapshotOf(core, 'stopped');
      }
      try {
        if (childExitOf(event) !== null) {
          const handled =
            core.engine.kind === 'simple'
              ? core.engine.children.childExited(event)
              : core.engine.children.childExited(childExitOf(event) as string);
          return handled ? snapshotOf(core, 'active') : snapshot;
        }
        if (REQUESTS.includes(type)) {
          const answer = serve(core, event);
          event.replyTo.send(answer);
          return snapshotOf(core, 'active');
        }
        return snapshot;
      } catch (error) {
        // Children never outlive a failed supervisor: XState does not stop a custom logic's children.
        core.shutdown();
        throw error;
      }
    },

    getPersistedSnapshot(snapshot) {
      return snapshot;
    },
  };
}
