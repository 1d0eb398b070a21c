// The children of a simple_one_for_one supervisor: any number of children of one template, keyed
// by id, started on demand with per-child arguments. Embeddable: any custom actor logic can host
// one (it forwards its xstate.error/done.actor events to `childExited` and calls `shutdown` when
// it stops), which is how a node hosts its per-key Paxos instances. Besides the supervisor-wide
// intensity (exceeding it throws SUPERVISOR_ERR_MAX_RESTARTS, and the host must fail), an optional
// per-child intensity gives up only the child that keeps crashing.
import type {
  ActorRefFromLogic,
  AnyActorLogic,
  AnyActorRef,
  AnyActorScope,
  EventObject,
  InputFrom,
  InspectionEvent,
  Observer,
} from 'xstate';
import { isAlive } from '../actorLike.js';
import type { ActorNode } from '../actorNode.js';
import { describeExitReason, exitReasonOf } from '../exitReason.js';
import type { RestartIntensity } from '../restartIntensity.js';
import { RUNTIME_ERROR_CODES, RuntimeError } from '../runtimeError.js';
import { ChildHost, childExitOf } from './childHost.js';
import {
  checkIntensity,
  DEFAULT_SUPERVISOR_INTENSITY,
  recordRestart,
  shouldRestart,
  type ChildObserver,
  type ChildTemplate,
} from './childSpec.js';
import type { ReportSink } from './supervisorReport.js';

export interface SimpleOneForOneOptions<TLogic extends AnyActorLogic, TArgs> {
  readonly template: ChildTemplate<TLogic, TArgs>;
  /** Supervisor-wide restarts per period. Default OTP's 1 in 5 s; `UNLIMITED_INTENSITY` to rely on `childIntensity`. */
  readonly intensity?: RestartIntensity;
  /** Tells the time for both intensities. */
  readonly now: () => number;
  readonly report?: ReportSink;
  /** Names the host in error messages. */
  readonly name?: string;
  /** Inspection of isolated children. */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

interface LiveChild<TLogic extends AnyActorLogic, TArgs> {
  readonly ref: ActorRefFromLogic<TLogic>;
  readonly args: TArgs;
}

export class SimpleOneForOne<TLogic extends AnyActorLogic, TArgs = InputFrom<TLogic>> {
  /** In start order, which Map keeps: shutdown walks it backwards. */
  private readonly live = new Map<string, LiveChild<TLogic, TArgs>>();
  private readonly childHistories = new Map<string, number[]>();
  private readonly history: number[] = [];
  private readonly intensity: RestartIntensity;
  private host: ChildHost | null = null;

  /**
   * @example
   * // inside custom ActorLogic: getInitialSnapshot(scope) { pool.attach(scope); … }
   * const pool = new SimpleOneForOne({
   *   template: { logic: instanceMachine, restart: 'transient', input: (key) => ({ key, … }),
   *               childIntensity: { maxRestarts: 3, periodMs: 5000 },
   *               observe: { emitted: (key, effect) => runner.run(effect), gaveUp: (key) => … } },
   *   intensity: UNLIMITED_INTENSITY,
   *   now: () => clock.now(),
   * });
   */
  constructor(private readonly options: SimpleOneForOneOptions<TLogic, TArgs>) {
    this.intensity = options.intensity ?? DEFAULT_SUPERVISOR_INTENSITY;
    checkIntensity(this.intensity, 'the supervisor intensity');
    if (options.template.childIntensity) checkIntensity(options.template.childIntensity, 'childIntensity');
  }

  /** Binds the engine to the actor that hosts the children (its scope creates and stops them). */
  attach(scope: AnyActorScope, node?: ActorNode): void {
    this.host = new ChildHost(scope, node);
  }

  get size(): number {
    return this.live.size;
  }

  /** The running child `id`, if any. */
  child(id: string): ActorRefFromLogic<TLogic> | undefined {
    return this.live.get(id)?.ref;
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  /** Ids of the running children, in start order. */
  ids(): string[] {
    return [...this.live.keys()];
  }

  /**
   * supervisor:start_child/2: starts child `id` with `args`. Throws SUPERVISOR_ERR_ALREADY_PRESENT
   * if it runs. A child that fails while starting is handled like any crash, when its exit event
   * reaches the host.
   */
  startChild(id: string, args: TArgs): ActorRefFromLogic<TLogic> {
    if (this.live.has(id)) {
      throw new RuntimeError(RUNTIME_ERROR_CODES.ALREADY_PRESENT, `a child ${JSON.stringify(id)} is running`);
    }
    this.pruneHistory(id);
    return this.launch(id, args, false);
  }

  /** supervisor:terminate_child/2: stops child `id` for good (no restart). False if not running. */
  terminateChild(id: string): boolean {
    const child = this.live.get(id);
    if (!child) return false;
    this.live.delete(id);
    this.requireHost().stop(child.ref as AnyActorRef);
    this.pruneHistory(id);
    return true;
  }

  /**
   * Handles `event` if it is the exit of one of these children: restarts it, forgets it, or gives
   * it up. Returns false for any other event. Throws SUPERVISOR_ERR_MAX_RESTARTS past the
   * supervisor-wide intensity, after stopping every child.
   */
  childExited(event: EventObject): boolean {
    const id = childExitOf(event);
    if (id === null) return false;
    const child = this.live.get(id);
    if (!child) return false;
    const ref = child.ref as AnyActorRef;
    // An exit of an earlier incarnation (the current one is running) is stale.
    if (isAlive(ref)) return true;
    this.live.delete(id);
    const reason = exitReasonOf(ref);
    const { template, report } = this.options;
    const now = this.options.now();
    let restart = shouldRestart(template.restart ?? 'permanent', reason);
    // The per-child intensity is part of the decision, so `exited` reports the final one.
    let gaveUp = false;
    if (restart && template.childIntensity) {
      const history = this.childHistories.get(id) ?? [];
      this.childHistories.set(id, history);
      if (!recordRestart(history, now, template.childIntensity)) {
        this.childHistories.delete(id);
        gaveUp = true;
        restart = false;
      }
    }
    report?.({ type: 'child.exited', id, reason, restarting: restart });
    template.observe?.exited?.(id, reason, restart);
    if (gaveUp) {
      report?.({ type: 'child.gaveUp', id, reason });
      template.observe?.gaveUp?.(id, reason);
      return true;
    }
    if (!restart) return true;
    if (!recordRestart(this.history, now, this.intensity)) {
      report?.({ type: 'supervisor.maxRestarts', id, reason });
      this.shutdown();
      throw new RuntimeError(
        RUNTIME_ERROR_CODES.MAX_RESTARTS,
        `${this.options.name ?? 'supervisor'} reached its restart intensity (${this.intensity.maxRestarts} in ` +
          `${this.intensity.periodMs} ms); last exit: child ${id}, ${describeExitReason(reason)}`,
        { reason },
      );
    }
    this.launch(id, child.args, true);
    return true;
  }

  /** Stops every child, last started first (the host is stopping). */
  shutdown(): void {
    const host = this.host;
    if (!host) return;
    const children = [...this.live.values()].reverse();
    this.live.clear();
    for (const child of children) host.stop(child.ref as AnyActorRef);
  }

  private launch(id: string, args: TArgs, restarted: boolean): ActorRefFromLogic<TLogic> {
    const { template, report } = this.options;
    const input = template.input ? template.input(id, args, restarted) : args;
    const ref = this.requireHost().spawn(id, template.logic, {
      input,
      observe: template.observe as ChildObserver<AnyActorLogic> | undefined,
      restarted,
      ...(template.isolated ? { isolated: true } : {}),
      ...(this.options.inspect ? { inspect: this.options.inspect } : {}),
    }) as ActorRefFromLogic<TLogic>;
    this.live.set(id, { ref, args });
    if (isAlive(ref as AnyActorRef)) report?.({ type: 'child.started', id, restarted });
    return ref;
  }

  /** Drops restarts older than the period, so ids that stopped crashing keep no history. */
  private pruneHistory(id: string): void {
    const history = this.childHistories.get(id);
    const intensity = this.options.template.childIntensity;
    if (!history || !intensity) return;
    const now = this.options.now();
    while (history.length > 0 && (history[0] as number) <= now - intensity.periodMs) history.shift();
    if (history.length === 0) this.childHistories.delete(id);
  }

  private requireHost(): ChildHost {
    if (!this.host) {
      throw new RuntimeError(
        RUNTIME_ERROR_CODES.BAD_SPEC,
        'SimpleOneForOne: attach(scope) before starting children',
      );
    }
    return this.host;
  }
}
