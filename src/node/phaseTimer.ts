// Times the phases of a node's live instances for its adaptive timing (adaptiveTiming.ts): a
// completed phase is a sample of the round trip, timed from the ballot that completed it, and a
// phase that timed out backs the timing off. Split out of the key supervisor.
import type { InstanceContext, InstanceStateName } from '../paxos/instanceMachine.js';
import type { AdaptiveTiming } from './adaptiveTiming.js';

export class PhaseTimer {
  /** When each live instance entered its current phase (preparing or proposing). */
  private readonly phaseStarted = new Map<string, number>();
  /** Phase timeouts each live instance had when last seen: a rise is a timeout to back off on. */
  private readonly timeoutsSeen = new Map<string, number>();

  constructor(
    private readonly timing: AdaptiveTiming,
    private readonly now: () => number,
  ) {}

  /**
   * A phase of `key`'s instance timed out: the node's timing backs off (adaptiveTiming.ts), and a
   * phase 1 retried in place is timed from its new ballot, since only replies to that ballot count.
   */
  noteTimeouts(key: string, state: InstanceStateName, context: InstanceContext): void {
    if (context.backoff.timeouts <= (this.timeoutsSeen.get(key) ?? 0)) return;
    this.timeoutsSeen.set(key, context.backoff.timeouts);
    this.timing.timedOut(context.timing.phaseTimeoutMs);
    if (state === 'preparing') this.phaseStarted.set(key, this.now());
  }

  /**
   * A completed phase (phase 1: preparing → proposing; phase 2: proposing → decided) is a sample of
   * how long phases take here, timed from the ballot that completed it (noteTimeouts), so a sample
   * is one round trip and never spans the waits of earlier ballots (Karn's rule).
   */
  moved(key: string, previous: InstanceStateName | null, state: InstanceStateName): void {
    const now = this.now();
    const started = this.phaseStarted.get(key);
    const completed =
      (previous === 'preparing' && state === 'proposing') ||
      (previous === 'proposing' && state === 'decided');
    if (completed && started !== undefined) this.timing.observe(now - started);
    if (state === 'preparing' || state === 'proposing') this.phaseStarted.set(key, now);
    else this.phaseStarted.delete(key);
  }

  /** The key's instance exited. */
  exited(key: string): void {
    this.timeoutsSeen.delete(key);
  }
}
