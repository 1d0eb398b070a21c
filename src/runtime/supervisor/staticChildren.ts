// The children of a one_for_one, one_for_all or rest_for_one supervisor: an ordered list, started
// in order and stopped in reverse, restarted by strategy within the supervisor's intensity.
// Throws SUPERVISOR_ERR_MAX_RESTARTS when the intensity is exceeded; the caller must then stop.
import type { AnyActorRef } from 'xstate';
import { isAlive, type ActorLike } from '../actorLike.js';
import { describeExitReason, exitReasonOf, type ExitReason } from '../exitReason.js';
import type { RestartIntensity } from '../restartIntensity.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from '../runtimeError.js';
import type { ChildHost } from './childHost.js';
import {
  checkChildSpec,
  recordRestart,
  shouldRestart,
  type ChildSpec,
  type StaticSupervisorSpec,
} from './childSpec.js';
import type { ReportSink } from './supervisorReport.js';

interface StaticChild {
  readonly spec: ChildSpec;
  ref: AnyActorRef | undefined;
}

export interface ChildInfo {
  readonly id: string;
  /** The running child, or undefined if it is not running (kept as a spec). */
  readonly ref: ActorLike | undefined;
  readonly type: 'worker' | 'supervisor';
  readonly restart: 'permanent' | 'transient' | 'temporary';
}

export class StaticChildren {
  private readonly children: StaticChild[];
  private readonly history: number[] = [];

  constructor(
    private readonly spec: StaticSupervisorSpec,
    private readonly host: ChildHost,
    private readonly intensity: RestartIntensity,
    private readonly now: () => number,
    private readonly report: ReportSink,
    private readonly supervisorId: string,
  ) {
    this.children = spec.children.map((childSpec) => ({ spec: childSpec, ref: undefined }));
  }

  get size(): number {
    return this.children.length;
  }

  get active(): number {
    return this.children.filter((child) => child.ref !== undefined && isAlive(child.ref)).length;
  }

  /** Starts every child in order. If one fails, stops those started (reverse order) and throws. */
  startAll(): void {
    for (const child of this.children) {
      this.launch(child, false);
      if (child.ref === undefined || !isAlive(child.ref)) {
        const error = child.ref?.getSnapshot().error;
        this.shutdown();
        throw new RuntimeError(
          RUNTIME_ERROR_CODES.FAILED_TO_START_CHILD,
          `supervisor ${this.supervisorId}: child ${child.spec.id} failed to start`,
          { cause: error },
        );
      }
    }
  }

  /** An exit event for child `id`. Returns false if `id` is not one of these children. */
  childExited(id: string): boolean {
    const index = this.children.findIndex((child) => child.spec.id === id);
    const child = this.children[index];
    if (!child) return false;
    // An exit event of an earlier incarnation (already replaced) is stale.
    if (child.ref === undefined || isAlive(child.ref)) return true;
    const reason = exitReasonOf(child.ref);
    child.ref = undefined;
    const restart = shouldRestart(child.spec.restart ?? 'permanent', reason);
    this.report({ type: 'child.exited', id, reason, restarting: restart });
    child.spec.observe?.exited?.(id, reason, restart);
    if (!restart) {
      if ((child.spec.restart ?? 'permanent') === 'temporary') this.children.splice(index, 1);
      return true;
    }
    if (!recordRestart(this.history, this.now(), this.intensity)) this.maxRestarts(id, reason);
    switch (this.spec.strategy) {
      case 'one_for_one':
        this.launch(child, true);
        break;
      case 'one_for_all':
        this.restartFrom(0, child);
        break;
      case 'rest_for_one':
        this.restartFrom(index, child);
        break;
    }
    return true;
  }

  /** supervisor:start_child/2 for static strategies. */
  startChild(spec: ChildSpec): AnyActorRef {
    checkChildSpec(spec);
    if (this.children.some((child) => child.spec.id === spec.id)) {
      throw new RuntimeError(
        RUNTIME_ERROR_CODES.ALREADY_PRESENT,
        `a child ${JSON.stringify(spec.id)} exists`,
      );
    }
    const child: StaticChild = { spec, ref: undefined };
    this.children.push(child);
    this.launch(child, false);
    return child.ref as AnyActorRef;
  }

  /** supervisor:terminate_child/2: stops it and keeps its spec (a temporary child is forgotten). */
  terminateChild(id: string): void {
    const index = this.indexOf(id);
    const child = this.children[index] as StaticChild;
    if (child.ref) this.host.stop(child.ref);
    child.ref = undefined;
    if ((child.spec.restart ?? 'permanent') === 'temporary') this.children.splice(index, 1);
  }

  /** supervisor:restart_child/2: starts a child kept as a spec. */
  restartChild(id: string): AnyActorRef {
    const child = this.children[this.indexOf(id)] as StaticChild;
    if (child.ref && isAlive(child.ref)) {
      throw new RuntimeError(RUNTIME_ERROR_CODES.RUNNING, `child ${JSON.stringify(id)} is running`);
    }
    this.launch(child, true);
    return child.ref as AnyActorRef;
  }

  /** supervisor:delete_child/2: forgets the spec of a child that is not running. */
  deleteChild(id: string): void {
    const index = this.indexOf(id);
    const child = this.children[index] as StaticChild;
    if (child.ref && isAlive(child.ref)) {
      throw new RuntimeError(RUNTIME_ERROR_CODES.RUNNING, `child ${JSON.stringify(id)} is running`);
    }
    this.children.splice(index, 1);
  }

  which(): ChildInfo[] {
    return this.children.map(({ spec, ref }) => ({
      id: spec.id,
      ref: ref && isAlive(ref) ? ref : undefined,
      type: spec.type ?? 'worker',
      restart: spec.restart ?? 'permanent',
    }));
  }

  child(id: string): AnyActorRef | undefined {
    const ref = this.children.find((child) => child.spec.id === id)?.ref;
    return ref && isAlive(ref) ? ref : undefined;
  }

  /** Stops every running child, last started first. */
  shutdown(): void {
    for (let i = this.children.length - 1; i >= 0; i--) {
      const child = this.children[i] as StaticChild;
      if (child.ref) this.host.stop(child.ref);
      child.ref = undefined;
    }
  }

  /** one_for_all (from 0) and rest_for_one (from the failed child): stop the rest, restart in order. */
  private restartFrom(from: number, failed: StaticChild): void {
    for (let i = this.children.length - 1; i >= from; i--) {
      const child = this.children[i] as StaticChild;
      if (child === failed) continue;
      if (child.ref) this.host.stop(child.ref);
      child.ref = undefined;
      // OTP: a temporary child stopped because of a sibling is not restarted, and is forgotten.
      if ((child.spec.restart ?? 'permanent') === 'temporary') this.children.splice(i, 1);
    }
    for (let i = from; i < this.children.length; i++) this.launch(this.children[i] as StaticChild, true);
  }

  private launch(child: StaticChild, restarted: boolean): void {
    const { id, logic, input, name, observe } = child.spec;
    child.ref = this.host.spawn(id, logic, { input, name, observe, restarted });
    if (isAlive(child.ref)) this.report({ type: 'child.started', id, restarted });
  }

  private indexOf(id: string): number {
    const index = this.children.findIndex((child) => child.spec.id === id);
    if (index < 0) throw new RuntimeError(RUNTIME_ERROR_CODES.NOT_FOUND, `no child ${JSON.stringify(id)}`);
    return index;
  }

  private maxRestarts(id: string, reason: ExitReason): never {
    this.report({ type: 'supervisor.maxRestarts', id, reason });
    throw new RuntimeError(
      RUNTIME_ERROR_CODES.MAX_RESTARTS,
      `supervisor ${this.supervisorId} reached its restart intensity (${this.intensity.maxRestarts} in ` +
        `${this.intensity.periodMs} ms); last exit: child ${id}, ${describeExitReason(reason)}`,
      { reason },
    );
  }
}
