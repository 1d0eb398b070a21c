// Runs a LeaseLog against a Paxos node and a clock: carries out its asks one at a time, feeds it
// every decision the node learns, wakes it when a lease is due for renewal or takeover, and turns
// changes of role into events. The runtime half of the election; the rules live in leaseLog.ts.
import type { PaxosValue } from '../paxos/messages.js';
import { backoffDelayMs } from '../paxos/backoff.js';
import { ERROR_CODES } from '../base/errors.js';
import type { RuntimeClock } from '../base/clock.js';
import type { RandomSource } from '../base/random.js';
import type { LeaderEmitted } from './leaderEvents.js';
import type { LeaderInfo } from './leaderError.js';
import { leaseKey, slotOfKey } from './leaseRecord.js';
import { LeaseLog, type LeaseLogView, type LeaseRole, type LeaseStep } from './leaseLog.js';
import type { LeaseTiming } from './leaseTiming.js';
import type { PaxosPort } from './paxosPort.js';

export interface ElectorOptions {
  readonly group: string;
  readonly candidate: boolean;
  /** Place among the candidates: the takeover stagger. */
  readonly rank: number;
  readonly timing: LeaseTiming;
  readonly port: PaxosPort;
  readonly clock: RuntimeClock;
  readonly random: RandomSource;
  /** How long one ask may wait before the elector counts it as unknown and plans again. */
  readonly askTimeoutMs: number;
  /** Receives the events of each change, in order. */
  readonly onEvents: (events: readonly LeaderEmitted[]) => void;
}

type AskStep = Extract<LeaseStep, { kind: 'ask' }>;

/** Counters, for tests and the docs' figures. */
export interface ElectorStats {
  asks: number;
  askFailures: number;
  /** Asks by purpose. */
  byPurpose: Record<string, number>;
}

export class Elector {
  readonly log: LeaseLog;
  readonly stats: ElectorStats = { asks: 0, askFailures: 0, byPurpose: {} };
  private role: LeaseRole = { kind: 'follower', leader: null };
  private inFlight: AskStep | null = null;
  private failures = 0;
  private retryAtMs: number | null = null;
  private timer: unknown = undefined;
  private unsubscribe: () => void = () => {};
  private stopped = false;
  private started = false;
  private releaseWaiters: (() => void)[] = [];

  constructor(private readonly options: ElectorOptions) {
    let claims = 0;
    // A claim id: this incarnation's random tag and a counter. Unique across nodes and restarts
    // with overwhelming probability (R2); the tag comes from the injected source, so seeded runs
    // replay exactly.
    const tag = Math.floor(options.random.next() * 2 ** 48).toString(36);
    this.log = new LeaseLog({
      group: options.group,
      self: options.port.id,
      candidate: options.candidate,
      rank: options.rank,
      timing: options.timing,
      newClaim: () => `${options.port.id}:${tag}:${++claims}`,
    });
  }

  get id(): string {
    return this.options.port.id;
  }

  /** Restores what the node knows durably, subscribes to its decisions and starts planning. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.restore();
    this.unsubscribe = this.options.port.onDecided((key, value) => this.decided(key, value));
    this.reconcile();
  }

  /** Whether this node holds the lease now, by its clock (not by a timer that may be late). */
  isLeader(): boolean {
    return this.currentRole().kind === 'leader';
  }

  /** The leader as this node sees it now, or null. */
  leader(): LeaderInfo | null {
    const role = this.currentRole();
    if (role.kind === 'leader') return { node: this.id, epoch: role.epoch };
    return role.leader ? { node: role.leader.node, epoch: role.leader.epoch } : null;
  }

  /** The current role, computed at this instant of the clock. */
  currentRole(): LeaseRole {
    if (this.stopped) return { kind: 'follower', leader: null };
    return this.log.role(this.options.clock.now());
  }

  view(): LeaseLogView {
    return this.log.view();
  }

  /**
   * Stops: acts as leader no more from this instant; with `release`, first asks the next slot to
   * record that the lease is given up (so others need not wait it out), for at most `timeoutMs`.
   */
  async stop(options: { release?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.log.resign();
    this.reconcile();
    if (options.release && this.log.holdsUnreleased) {
      await new Promise<void>((resolve) => {
        const timer = this.options.clock.setTimeout(
          () => resolve(),
          options.timeoutMs ?? this.options.timing.leaseMs,
        );
        this.releaseWaiters.push(() => {
          this.options.clock.clearTimeout(timer);
          resolve();
        });
        this.reconcile();
      });
    }
    this.halt();
  }

  /** Stops at once, as a crash would: no release, no events. */
  halt(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const wake of this.releaseWaiters.splice(0)) wake();
  }

  private restore(): void {
    const { read } = this.options.port;
    if (!read) return;
    const group = this.options.group;
    const at = (slot: number) => read(leaseKey(group, slot));
    if (at(1) === undefined) return;
    // Gallop to a slot known locally, then bisect to the last one known before an unknown one.
    let known = 1;
    let step = 1;
    while (at(known + step) !== undefined) {
      known += step;
      step *= 2;
    }
    let unknown = known + step;
    while (unknown - known > 1) {
      const mid = Math.floor((known + unknown) / 2);
      if (at(mid) !== undefined) known = mid;
      else unknown = mid;
    }
    // Walk back to the last lease or release, so the log knows the lease in force (R1: every slot
    // below a known one is decided). A hole on the way means starting from slot 1 instead: slower
    // (each slot is asked, and answered from the local store when known) but still right.
    const records: PaxosValue[] = [];
    for (let slot = known; slot >= 1; slot--) {
      const value = at(slot);
      if (value === undefined) return;
      records.unshift(value);
      const kind = (value as { kind?: unknown } | null)?.kind;
      if (kind === 'lease' || kind === 'release') {
        this.log.restore(slot, records, this.options.clock.now());
        return;
      }
    }
    this.log.restore(1, records, this.options.clock.now());
  }

  private decided(key: string, value: PaxosValue): void {
    if (this.stopped) return;
    const slot = slotOfKey(this.options.group, key);
    if (slot === null) return;
    if (!this.log.learn(slot, value, this.options.clock.now())) return;
    // News changes the plan: a backoff from an earlier failure no longer applies.
    this.failures = 0;
    this.retryAtMs = null;
    this.reconcile();
  }

  /** Brings role, events, asks and the wake-up timer up to date with the clock. */
  private reconcile(): void {
    if (this.stopped) return;
    const now = this.options.clock.now();
    this.updateRole(this.log.role(now));
    if (!this.log.holdsUnreleased || !this.log.view().resigned)
      for (const wake of this.releaseWaiters.splice(0)) wake();
    let wakeAtMs: number | null = null;
    const consider = (ms: number | null) => {
      if (ms !== null && (wakeAtMs === null || ms < wakeAtMs)) wakeAtMs = ms;
    };
    if (this.inFlight === null) {
      const step = this.log.next(now);
      if (step.kind === 'wait') consider(step.untilMs);
      else if (this.retryAtMs !== null && now < this.retryAtMs) consider(this.retryAtMs);
      else this.launch(step, now);
    }
    const role = this.role;
    consider(role.kind === 'leader' ? role.untilMs : (role.leader?.untilMs ?? null));
    this.wakeAt(wakeAtMs);
  }

  private launch(step: AskStep, now: number): void {
    this.log.asked(step, now);
    this.inFlight = step;
    this.stats.asks++;
    this.stats.byPurpose[step.purpose] = (this.stats.byPurpose[step.purpose] ?? 0) + 1;
    const key = leaseKey(this.options.group, step.slot);
    this.options.port.ask(key, step.value, this.options.askTimeoutMs).then(
      (decided) => {
        if (this.stopped) return;
        this.inFlight = null;
        this.failures = 0;
        this.retryAtMs = null;
        this.log.answered(step, decided, this.options.clock.now());
        this.reconcile();
      },
      (error: unknown) => {
        if (this.stopped) return;
        this.inFlight = null;
        this.stats.askFailures++;
        if ((error as { code?: string }).code === ERROR_CODES.STOPPED) {
          // The Paxos node is gone: so is any way to renew. Step down now, not at expiry.
          this.log.resign();
          this.updateRole(this.log.role(this.options.clock.now()));
          this.halt();
          return;
        }
        // The outcome is unknown (R2): nothing is believed; the same value is asked again later.
        const { leaseMs } = this.options.timing;
        const delayMs = backoffDelayMs(
          leaseMs / 20,
          leaseMs / 2,
          this.failures++,
          this.options.random.next(),
        );
        this.retryAtMs = this.options.clock.now() + delayMs;
        this.reconcile();
      },
    );
  }

  private wakeAt(atMs: number | null): void {
    const clock = this.options.clock;
    if (this.timer !== undefined) clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (atMs === null) return;
    this.timer = clock.setTimeout(
      () => {
        this.timer = undefined;
        this.reconcile();
      },
      Math.max(0, atMs - clock.now()),
    );
  }

  private updateRole(next: LeaseRole): void {
    const before = this.role;
    this.role = next;
    const events: LeaderEmitted[] = [];
    const origin = { group: this.options.group, node: this.id };
    if (before.kind === 'leader' && (next.kind !== 'leader' || next.epoch !== before.epoch)) {
      events.push({ ...origin, type: 'steppedDown', epoch: before.epoch, reason: this.stepDownReason() });
    }
    if (next.kind === 'leader') {
      if (before.kind !== 'leader' || before.epoch !== next.epoch)
        events.push({
          ...origin,
          type: 'elected',
          epoch: next.epoch,
          slot: next.slot,
          untilMs: next.untilMs,
        });
      else if (before.slot !== next.slot)
        events.push({
          ...origin,
          type: 'renewed',
          epoch: next.epoch,
          slot: next.slot,
          untilMs: next.untilMs,
        });
    }
    const was = infoOf(before, this.id);
    const is = infoOf(next, this.id);
    if (
      is !== null &&
      is.node !== this.id &&
      (was === null || was.node !== is.node || was.epoch !== is.epoch)
    )
      events.push({ ...origin, type: 'surrendered', leader: is.node, epoch: is.epoch });
    if (was?.node !== is?.node || was?.epoch !== is?.epoch)
      events.push({ ...origin, type: 'leaderChanged', leader: is?.node ?? null, epoch: is?.epoch ?? null });
    if (events.length > 0) this.options.onEvents(events);
  }

  private stepDownReason(): 'expired' | 'superseded' | 'stopped' {
    const view = this.log.view();
    if (view.resigned) return 'stopped';
    const latest = view.latest?.record;
    return latest && latest.holder !== this.id ? 'superseded' : 'expired';
  }
}

function infoOf(role: LeaseRole, self: string): LeaderInfo | null {
  if (role.kind === 'leader') return { node: self, epoch: role.epoch };
  return role.leader ? { node: role.leader.node, epoch: role.leader.epoch } : null;
}
