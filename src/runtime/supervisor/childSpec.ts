// Supervisor and child specs with OTP's vocabulary (supervisor:init/1's flags and child specs),
// their defaults, their validation, and the restart decision of each restart type.
import type { ActorRefFromLogic, AnyActorLogic, EmittedFrom, InputFrom, SnapshotFrom } from 'xstate';
import type { ActorNode } from '../actorNode.js';
import { isNormalExit, type ExitReason } from '../exitReason.js';
import { allowRestart, type RestartIntensity } from '../restartIntensity.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from '../runtimeError.js';

/** Which children restart when one exits and is to be restarted. */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';

/** permanent: always restarted; transient: only after an abnormal exit; temporary: never. */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** Informational, as in OTP (count_children reports it). */
export type ChildType = 'worker' | 'supervisor';

/** OTP's default: one restart in five seconds. */
export const DEFAULT_SUPERVISOR_INTENSITY: RestartIntensity = { maxRestarts: 1, periodMs: 5000 };

/** No limit (`maxRestarts: Infinity`): for supervisors that bound restarts per child instead. */
export const UNLIMITED_INTENSITY: RestartIntensity = {
  maxRestarts: Number.POSITIVE_INFINITY,
  periodMs: 1,
};

/**
 * Hooks on each child, called synchronously as things happen, and again for every incarnation
 * after a restart: this is how a parent observes children it does not create itself.
 */
export interface ChildObserver<TLogic extends AnyActorLogic> {
  /** A child started; `restarted` after a crash or exit. Per-incarnation state is reset here. */
  started?(id: string, child: ActorRefFromLogic<TLogic>, restarted: boolean): void;
  /** Each event the child emits, in emission order, before `started` for events of its start. */
  emitted?(id: string, event: EmittedFrom<TLogic>, child: ActorRefFromLogic<TLogic>): void;
  /** Each snapshot the child publishes. */
  snapshot?(id: string, snapshot: SnapshotFrom<TLogic>, child: ActorRefFromLogic<TLogic>): void;
  /** The child exited by itself (not when its supervisor stopped it). */
  exited?(id: string, reason: ExitReason, restarting: boolean): void;
}

/** A child of a one_for_one, one_for_all or rest_for_one supervisor (OTP's child_spec()). */
export interface ChildSpec<TLogic extends AnyActorLogic = AnyActorLogic> {
  readonly id: string;
  readonly logic: TLogic;
  readonly input?: InputFrom<TLogic>;
  /** Default `permanent`. */
  readonly restart?: RestartType;
  readonly type?: ChildType;
  /** Registered on the supervisor's node at every start, so the name follows restarts. */
  readonly name?: string;
  readonly observe?: ChildObserver<TLogic>;
}

/** The one kind of child of a simple_one_for_one supervisor; children are started by id. */
export interface ChildTemplate<TLogic extends AnyActorLogic, TArgs = InputFrom<TLogic>> {
  readonly logic: TLogic;
  /** Default `permanent`. */
  readonly restart?: RestartType;
  readonly type?: ChildType;
  /**
   * The input of child `id`, computed at its start and again at every restart (so a restarted
   * child can reload durable state). Default: `args` itself.
   */
  readonly input?: (id: string, args: TArgs, restarted: boolean) => InputFrom<TLogic>;
  /**
   * Per child: beyond this many restarts in the period, that child is given up (`gaveUp` is
   * called) while the supervisor and the other children carry on. Checked before the
   * supervisor-wide intensity. Default: none.
   */
  readonly childIntensity?: RestartIntensity;
  /** Run each child as the root of an actor system of its own (see ChildHost's `isolated`). */
  readonly isolated?: boolean;
  readonly observe?: ChildObserver<TLogic> & {
    /** Child `id` exceeded `childIntensity` and will not be restarted. */
    gaveUp?(id: string, reason: ExitReason): void;
  };
}

interface CommonSpec {
  /** Restarts allowed per period before the supervisor gives up and fails. Default 1 in 5 s. */
  readonly intensity?: RestartIntensity;
  /** Tells the time for intensity; default the actor system's clock if it has `now()`, else Date.now. */
  readonly clock?: { now(): number };
  /** Where `ChildSpec.name`s are registered; default the process's `localNode`. */
  readonly node?: ActorNode;
}

export interface StaticSupervisorSpec extends CommonSpec {
  readonly strategy: 'one_for_one' | 'one_for_all' | 'rest_for_one';
  /** Started in this order, stopped in the reverse order. */
  readonly children: readonly ChildSpec[];
}

export interface SimpleOneForOneSpec<
  TLogic extends AnyActorLogic = AnyActorLogic,
  TArgs = unknown,
> extends CommonSpec {
  readonly strategy: 'simple_one_for_one';
  readonly child: ChildTemplate<TLogic, TArgs>;
}

export type SupervisorSpec = StaticSupervisorSpec | SimpleOneForOneSpec<AnyActorLogic, never>;

/** Whether a child of `restart` type that exited with `reason` is restarted. */
export function shouldRestart(restart: RestartType, reason: ExitReason): boolean {
  switch (restart) {
    case 'permanent':
      return true;
    case 'transient':
      return !isNormalExit(reason);
    case 'temporary':
      return false;
  }
}

/** Records a restart at `nowMs`; false if it exceeds `intensity`. An unlimited intensity keeps no history. */
export function recordRestart(history: number[], nowMs: number, intensity: RestartIntensity): boolean {
  if (intensity.maxRestarts === Number.POSITIVE_INFINITY) return true;
  return allowRestart(history, nowMs, intensity);
}

function badSpec(message: string): RuntimeError {
  return new RuntimeError(RUNTIME_ERROR_CODES.BAD_SPEC, message);
}

export function checkIntensity(intensity: RestartIntensity, what: string): void {
  const { maxRestarts, periodMs } = intensity;
  if (!(maxRestarts >= 0) || !(periodMs > 0)) {
    throw badSpec(`${what} needs maxRestarts >= 0 and periodMs > 0`);
  }
}

const RESTART_TYPES: readonly string[] = ['permanent', 'transient', 'temporary'];

export function checkChildSpec(spec: ChildSpec): void {
  if (typeof spec.id !== 'string' || spec.id.length === 0)
    throw badSpec('a child needs a non-empty string id');
  if (typeof spec.logic !== 'object' || spec.logic === null || typeof spec.logic.transition !== 'function') {
    throw badSpec(`child ${spec.id} needs actor logic`);
  }
  if (spec.restart !== undefined && !RESTART_TYPES.includes(spec.restart)) {
    throw badSpec(`child ${spec.id}: unknown restart type ${String(spec.restart)}`);
  }
}

/** Throws SUPERVISOR_ERR_BAD_SPEC for a spec that cannot work. */
export function checkSupervisorSpec(spec: SupervisorSpec): void {
  checkIntensity(spec.intensity ?? DEFAULT_SUPERVISOR_INTENSITY, 'the supervisor intensity');
  switch (spec.strategy) {
    case 'one_for_one':
    case 'one_for_all':
    case 'rest_for_one': {
      const ids = new Set<string>();
      for (const child of spec.children) {
        checkChildSpec(child);
        if (ids.has(child.id)) throw badSpec(`two children have the id ${JSON.stringify(child.id)}`);
        ids.add(child.id);
      }
      return;
    }
    case 'simple_one_for_one':
      if (spec.child.restart !== undefined && !RESTART_TYPES.includes(spec.child.restart)) {
        throw badSpec(`unknown restart type ${String(spec.child.restart)}`);
      }
      if (spec.child.childIntensity) checkIntensity(spec.child.childIntensity, 'childIntensity');
      return;
    default:
      throw badSpec(`unknown strategy ${String((spec as { strategy: unknown }).strategy)}`);
  }
}
