// Deterministic simulation of leader election with leases: whole gen-paxos nodes and leader
// processes on one VirtualClock (real time), each node seeing it through a DriftingClock whose
// rate is drawn within ±actualDrift, behind a PauseGate (test/sim/pauseGate.ts). Scenarios:
// `faults` (partitions, pauses, crashes, loss, then healing), `crash` (the leader crashes in a
// quiet cluster: failover time), `quiet` (a long run without faults: no flapping), `isolate` (the
// worst case for drift: the leader's clock set to the slowest rate and the others' to the
// fastest, then the leader cut off right after a renewal — the control run). Safety is
// checked throughout (leaseChecker.ts); the same seed replays the same run.
import { createHash } from 'node:crypto';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { startLeader, type GenLeader } from '../../src/leader/startLeader.js';
import { leaseKey } from '../../src/leader/leaseRecord.js';
import { type RandomSource } from '../../src/base/random.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryNetwork, type MemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { drainMicrotasks } from '../support/settle.js';
import { DriftingClock } from '../support/driftingClock.js';
import { PauseGate } from '../sim/pauseGate.js';
import { fmt, LeaseChecker } from './leaseChecker.js';
import { DEFAULT_LEASE_SIM, type LeaseSimOptions, type LeaseSimResult } from './leaseSimOptions.js';

export { DEFAULT_LEASE_SIM, failoverBoundMs, replayCommand } from './leaseSimOptions.js';
export type { LeaseScenario, LeaseSimOptions, LeaseSimResult } from './leaseSimOptions.js';

interface SimNode {
  readonly id: string;
  readonly clock: DriftingClock;
  readonly storage: MemoryStorage;
  gate: PauseGate;
  paxos: GenPaxosNode | null;
  leader: GenLeader | null;
  starts: number;
}

const GROUP = 'sim';

export async function runLeaseSimulation(
  partial: Partial<LeaseSimOptions> & { seed: number },
): Promise<LeaseSimResult> {
  return new LeaseSimulation({ ...DEFAULT_LEASE_SIM, ...partial }).run();
}

class LeaseSimulation {
  private readonly real = new VirtualClock();
  private readonly schedule: RandomSource;
  private readonly network: MemoryNetwork;
  private readonly nodes = new Map<string, SimNode>();
  private readonly checker = new LeaseChecker();
  private readonly trace: string[] = [];
  private readonly faults: Record<string, number> = {};
  private crashedLeaderAtMs: number | null = null;
  private crashedLeader: string | null = null;
  private failoverMs: number | null = null;
  private renewals = 0;
  private lastRenewedSlot = 0;

  constructor(private readonly options: LeaseSimOptions) {
    this.schedule = seededRandom(options.seed * 7919 + 11);
    this.network = createMemoryNetwork({
      clock: this.real,
      random: seededRandom(options.seed * 7919 + 12),
      faults: { delayMs: options.delayMs },
    });
    for (let i = 0; i < options.nodes; i++) {
      const id = String.fromCharCode(97 + i);
      // Each clock runs at its own rate within ±actualDrift, from its own arbitrary origin.
      const rate = 1 + (this.schedule.next() * 2 - 1) * options.actualDrift;
      const origin = Math.floor(this.schedule.next() * 1e6);
      this.nodes.set(id, {
        id,
        clock: new DriftingClock(this.real, rate, origin),
        storage: new MemoryStorage({ clock: this.real, commitDelayMs: 1 }),
        gate: new PauseGate(),
        paxos: null,
        leader: null,
        starts: 0,
      });
    }
  }

  async run(): Promise<LeaseSimResult> {
    const o = this.options;
    const rates = [...this.nodes.values()].map((n) => `${n.id}×${n.clock.rate.toFixed(4)}`).join(' ');
    this.log(
      `lease simulation seed=${o.seed} scenario=${o.scenario} nodes=${o.nodes} lease=${o.leaseMs} ρ=${o.driftBound} rates ${rates}`,
    );
    for (const sim of this.nodes.values()) await this.start(sim);
    let recoveryMs: number | null = null;
    switch (o.scenario) {
      case 'quiet':
        await this.runFor(o.durationMs);
        break;
      case 'crash':
        await this.crashScenario();
        break;
      case 'faults':
        recoveryMs = await this.faultScenario();
        break;
      case 'isolate':
        await this.isolateScenario();
        break;
    }
    for (const sim of this.nodes.values()) this.checker.close(sim.id, this.real.now());
    const worstOverlapMs = this.checker.checkOverlaps();
    for (const sim of this.nodes.values()) {
      sim.leader?.halt();
      sim.paxos?.halt();
    }
    const violations = [...this.checker.violations];
    this.log(
      `end t=${fmt(this.real.now())} elections=${this.checker.elections.length} violations=${violations.length}`,
    );
    return {
      seed: o.seed,
      options: o,
      violations,
      worstOverlapMs,
      elections: this.checker.elections.length,
      epochs: new Set(this.checker.elections.map((e) => e.epoch)).size,
      failoverMs: this.failoverMs,
      recoveryMs,
      faults: this.faults,
      trace: this.trace,
      traceDigest: createHash('sha256').update(this.trace.join('\n')).digest('hex').slice(0, 16),
    };
  }

  /** Quiet until a leader is settled, then its crash; the run goes on until someone else leads. */
  private async crashScenario(): Promise<void> {
    const warmupMs = 3_000 + this.schedule.next() * 5_000;
    await this.runFor(warmupMs);
    const leader = this.currentLeader();
    if (leader === null) {
      this.checker.fail(this.real.now(), `no leader after ${fmt(warmupMs)} ms of a quiet run`);
      return;
    }
    this.crashedLeader = leader;
    this.crashedLeaderAtMs = this.real.now();
    this.crash(this.nodes.get(leader) as SimNode, 'crash leader');
    await this.runFor(this.options.durationMs);
    if (this.failoverMs === null) this.checker.fail(this.real.now(), `no new leader after ${leader} crashed`);
  }

  /**
   * Drift at its worst: the leader's clock runs at 1 − actualDrift and everyone else's at
   * 1 + actualDrift; right after the leader's next renewal it is cut off from the rest, so it
   * believes in that lease to its very end while the others wait it out on their fast clocks.
   */
  private async isolateScenario(): Promise<void> {
    await this.runFor(2_000 + this.schedule.next() * 2_000);
    const leader = this.currentLeader();
    if (leader === null) {
      this.checker.fail(this.real.now(), 'no leader to isolate');
      return;
    }
    const drift = this.options.actualDrift;
    for (const sim of this.nodes.values()) {
      sim.clock.setRate(sim.id === leader ? 1 - drift : 1 + drift);
      this.checker.retime(sim.id, (local) => sim.clock.realTimeOf(local));
    }
    this.log(`rates: ${leader} ×${(1 - drift).toFixed(4)}, others ×${(1 + drift).toFixed(4)}`);
    const renewals = this.renewals;
    await this.runUntil(() => this.renewals > renewals, this.real.now() + this.options.leaseMs);
    // Cut it off once everyone has learned the renewal: the earliest the others can start waiting.
    const others = [...this.nodes.keys()].filter((id) => id !== leader);
    const key = leaseKey(GROUP, this.lastRenewedSlot);
    await this.runUntil(
      () => others.every((id) => this.nodes.get(id)?.paxos?.read(key) !== undefined),
      this.real.now() + this.options.leaseMs,
    );
    this.log(`isolate ${leader} right after everyone learned its renewal (slot ${this.lastRenewedSlot})`);
    this.count('isolate-leader');
    this.network.partition([leader], others);
    await this.runFor(3 * this.options.leaseMs);
    this.network.heal();
    await this.runFor(2 * this.options.leaseMs);
  }

  /** Random faults for half the run, then healing: returns the time to an agreed leader. */
  private async faultScenario(): Promise<number | null> {
    const r = this.schedule;
    const windowMs = this.options.durationMs / 2;
    const lossy = r.next() < 0.5;
    if (lossy) {
      this.count('loss');
      this.network.setFaults({ dropRate: r.next() * 0.15, duplicateRate: r.next() * 0.1 });
    }
    const count = 3 + Math.floor(r.next() * 8);
    for (let i = 0; i < count; i++) {
      const at = 1_000 + r.next() * (windowMs - 2_000);
      const kind = (
        ['partition', 'isolate-leader', 'pause', 'pause-leader', 'crash', 'crash-leader', 'one-way'] as const
      )[Math.floor(r.next() * 7)] as string;
      const lastsMs = 100 + r.next() * 3 * this.options.leaseMs;
      const pick = Math.floor(r.next() * this.options.nodes);
      const cut = 1 + Math.floor(r.next() * (this.options.nodes - 1));
      const order = [...this.nodes.keys()].sort(() => r.next() - 0.5);
      this.real.setTimeout(() => void this.inject(kind, lastsMs, pick, order, cut), at);
    }
    await this.runFor(windowMs);
    this.heal();
    const healedAtMs = this.real.now();
    let agreedAtMs: number | null = null;
    await this.runUntil(
      () => {
        if (this.agreedLeader() !== null) agreedAtMs ??= this.real.now();
        return agreedAtMs !== null;
      },
      healedAtMs + this.options.durationMs / 2,
    );
    if (agreedAtMs === null) this.checker.fail(this.real.now(), 'no agreed leader after healing');
    await this.runFor(Math.max(0, healedAtMs + this.options.durationMs / 2 - this.real.now()));
    return agreedAtMs === null ? null : agreedAtMs - healedAtMs;
  }

  private inject(kind: string, lastsMs: number, pick: number, order: string[], cut: number): void {
    const ids = [...this.nodes.keys()];
    const leader = this.currentLeader();
    const target = (kind.endsWith('-leader') && leader !== null ? leader : ids[pick]) as string;
    const sim = this.nodes.get(target) as SimNode;
    this.count(kind);
    switch (kind) {
      case 'partition': {
        const left = order.slice(0, cut);
        const right = order.slice(cut);
        this.log(`partition ${left.join('')} | ${right.join('')} for ${fmt(lastsMs)}ms`);
        this.network.partition(left, right);
        this.real.setTimeout(() => this.network.heal(), lastsMs);
        return;
      }
      case 'isolate-leader':
        this.log(`isolate ${target} for ${fmt(lastsMs)}ms`);
        this.network.partition(
          [target],
          ids.filter((id) => id !== target),
        );
        this.real.setTimeout(() => this.network.heal(), lastsMs);
        return;
      case 'one-way': {
        const other = order.find((id) => id !== target) as string;
        this.log(`one-way ${target}→${other} cut for ${fmt(lastsMs)}ms`);
        this.network.block(target, other);
        this.real.setTimeout(() => this.network.unblock(target, other), lastsMs);
        return;
      }
      case 'pause':
      case 'pause-leader':
        if (!sim.paxos || sim.gate.isPaused) return;
        this.log(`pause ${target} for ${fmt(lastsMs)}ms`);
        sim.gate.pause();
        this.real.setTimeout(() => sim.gate.resume(), lastsMs);
        return;
      case 'crash':
      case 'crash-leader':
        if (!sim.paxos) return;
        this.crash(sim, `crash ${target}, restart in ${fmt(lastsMs)}ms`);
        this.real.setTimeout(() => void this.restartIfDown(sim), lastsMs);
        return;
    }
  }

  private heal(): void {
    this.log('heal: network healed, loss off, every node up and running');
    this.network.heal();
    this.network.setFaults({ dropRate: 0, duplicateRate: 0 });
    for (const sim of this.nodes.values()) {
      if (sim.gate.isPaused) sim.gate.resume();
      if (!sim.paxos) void this.restartIfDown(sim);
    }
  }

  private async start(sim: SimNode): Promise<void> {
    sim.gate = new PauseGate();
    sim.starts++;
    const clock = sim.gate.clock(sim.clock);
    const salt = this.options.seed * 131 + sim.id.charCodeAt(0) * 7 + sim.starts * 100_003;
    const paxos = await startLink({
      id: sim.id,
      members: [...this.nodes.keys()],
      transport: sim.gate.transport(this.network.connect(sim.id)),
      storage: sim.storage,
      clock,
      random: seededRandom(salt),
      askTimeoutMs: this.options.leaseMs,
    });
    sim.paxos = paxos;
    const real = () => this.real.now();
    sim.leader = startLeader(GROUP, {
      paxos,
      candidates: [...this.nodes.keys()],
      leaseMs: this.options.leaseMs,
      driftBound: this.options.driftBound,
      clock,
      random: seededRandom(salt + 1),
      elected: (e) => {
        this.log(`${e.node} elected epoch ${e.epoch} (slot ${e.slot})`);
        this.checker.elected(e.node, e.epoch, real(), e.untilMs, (local) => sim.clock.realTimeOf(local));
        if (this.crashedLeaderAtMs !== null && this.failoverMs === null && e.node !== this.crashedLeader)
          this.failoverMs = real() - this.crashedLeaderAtMs;
      },
      renewed: (e) => {
        this.renewals++;
        this.lastRenewedSlot = e.slot;
        this.checker.renewed(e.node, e.epoch, real(), e.untilMs, (local) => sim.clock.realTimeOf(local));
      },
      steppedDown: (e) => {
        this.log(`${e.node} stepped down from epoch ${e.epoch} (${e.reason})`);
        this.checker.close(e.node, real());
      },
    });
  }

  private crash(sim: SimNode, line: string): void {
    this.log(line);
    this.checker.close(sim.id, this.real.now());
    sim.gate.discard();
    sim.leader?.halt();
    sim.paxos?.halt();
    sim.leader = null;
    sim.paxos = null;
    sim.storage.crash();
  }

  private async restartIfDown(sim: SimNode): Promise<void> {
    if (sim.paxos) return;
    this.log(`restart ${sim.id}`);
    await this.start(sim);
  }

  /** The node that believes it leads now, if exactly one does. */
  private currentLeader(): string | null {
    const leaders = [...this.nodes.values()].filter((n) => n.leader?.isLeader());
    return leaders.length === 1 ? (leaders[0] as SimNode).id : null;
  }

  /** The leader every running node names, if they agree and it believes it leads. */
  private agreedLeader(): string | null {
    const leader = this.currentLeader();
    if (leader === null) return null;
    for (const sim of this.nodes.values()) {
      if (!sim.leader || sim.gate.isPaused) return null;
      if (sim.leader.leader()?.node !== leader) return null;
    }
    return leader;
  }

  /** After every step: at most one node believes it leads, and beliefs match the tenures. */
  private sample(): void {
    const now = this.real.now();
    const leading = [...this.nodes.values()].filter((n) => n.leader?.isLeader()).map((n) => n.id);
    if (leading.length > 1) this.checker.fail(now, `two leaders at once: ${leading.join(', ')}`);
    for (const sim of this.nodes.values()) {
      const believes = sim.leader?.isLeader() ?? false;
      if (believes && !this.checker.leadsAt(sim.id, now))
        this.checker.fail(now, `${sim.id} says it leads outside its recorded tenure`);
    }
  }

  private async runFor(ms: number): Promise<void> {
    const until = this.real.now() + ms;
    await this.runUntil(() => false, until);
  }

  private async runUntil(done: () => boolean, deadlineMs: number): Promise<void> {
    for (;;) {
      await drainMicrotasks();
      this.sample();
      if (done()) return;
      const next = this.real.nextDueMs();
      if (next === undefined || next > deadlineMs) {
        this.real.advance(Math.max(0, deadlineMs - this.real.now()));
        await drainMicrotasks();
        this.sample();
        return;
      }
      this.real.runNext();
    }
  }

  private count(kind: string): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }

  private log(line: string): void {
    this.trace.push(`t=${fmt(this.real.now())} ${line}`);
  }
}
