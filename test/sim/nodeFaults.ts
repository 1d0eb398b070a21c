// The network and node faults of a simulation's schedule (simulation.ts): loss, duplication,
// delays and a long tail for the whole fault window, then partitions (symmetric, asymmetric,
// one-way), pauses, crashes that lose uncommitted writes, graceful restarts and slow disks at
// random times. Every draw comes from the schedule's stream; the nodes a fault strikes are taken
// when it strikes, among those still running or restartable (membership changes add and lose some).
import type { RandomSource } from '../../src/base/random.js';
import type { VirtualClock } from '../../src/base/virtualClock.js';
import { seededRandom } from '../../src/paxos/prng.js';
import type { MemoryNetwork } from '../../src/transport/memoryNetwork.js';
import type { SimNode } from './simNode.js';

export const FAULT_KINDS = [
  'drop',
  'duplicate',
  'reorder',
  'long-delay',
  'partition',
  'asymmetric',
  'one-way',
  'pause',
  'crash',
  'restart',
  'slow-disk',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What the faults need of the simulation. */
export interface FaultHost {
  readonly clock: VirtualClock;
  readonly network: MemoryNetwork;
  /** The schedule's random stream. */
  readonly schedule: RandomSource;
  readonly faultWindowMs: number;
  /** Every node that ran, in the order they were added (lost ones too: `gone`). */
  nodes(): Iterable<SimNode>;
  node(id: string): SimNode;
  crash(sim: SimNode): void;
  stopGracefully(sim: SimNode): Promise<void>;
  start(sim: SimNode): Promise<void>;
  restartIfDown(sim: SimNode): Promise<void>;
  log(line: string): void;
}

export class NodeFaults {
  /** Schedules with each kind of noise, and injections of each other kind. */
  readonly faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

  constructor(private readonly host: FaultHost) {}

  /** The schedule's loss, duplication, delays and long tail, on for the whole fault window. */
  drawNetworkNoise(): void {
    const r = this.host.schedule;
    const dropRate = r.next() < 0.8 ? r.next() * 0.3 : 0;
    const duplicateRate = r.next() < 0.7 ? r.next() * 0.2 : 0;
    const maxDelay = 1 + Math.floor(r.next() * 30);
    const tailRate = r.next() < 0.6 ? r.next() * 0.05 : 0;
    this.host.network.setFaults({
      dropRate,
      duplicateRate,
      delayMs: { min: 1, max: maxDelay },
      longTail: { rate: tailRate, maxMs: 2_000 },
    });
    if (dropRate > 0) this.faults.drop++;
    if (duplicateRate > 0) this.faults.duplicate++;
    if (maxDelay > 1) this.faults.reorder++;
    if (tailRate > 0) this.faults['long-delay']++;
    this.host.log(
      `network drop=${dropRate.toFixed(3)} dup=${duplicateRate.toFixed(3)} delay=1..${maxDelay} tail=${tailRate.toFixed(3)}`,
    );
  }

  /** Draws two to nine node and partition faults at random times of the fault window. */
  schedule(): void {
    const r = this.host.schedule;
    const count = 2 + Math.floor(r.next() * 8);
    for (let i = 0; i < count; i++) {
      const at = Math.floor(r.next() * this.host.faultWindowMs * 0.9);
      const lastsMs = 50 + Math.floor(r.next() * 1_500);
      const targetDraw = r.next();
      const otherDraw = r.next();
      const kind = (
        ['partition', 'asymmetric', 'one-way', 'pause', 'crash', 'restart', 'slow-disk'] as const
      )[Math.floor(r.next() * 7)]!;
      const order = seededRandom(Math.floor(r.next() * 2 ** 31));
      const cutDraw = r.next();
      // The nodes are taken when the fault strikes: membership changes add some and lose others.
      this.host.clock.setTimeout(() => {
        const ids = [...this.host.nodes()].filter((sim) => !sim.gone).map((sim) => sim.id);
        const target = ids[Math.floor(targetDraw * ids.length)] as string;
        const other = ids.filter((id) => id !== target)[Math.floor(otherDraw * (ids.length - 1))] as string;
        const shuffled = [...ids].sort(() => order.next() - 0.5);
        const cut = 1 + Math.floor(cutDraw * (ids.length - 1));
        void this.inject(kind, target, other, shuffled.slice(0, cut), shuffled.slice(cut), lastsMs);
      }, at);
    }
  }

  private async inject(
    kind: FaultKind,
    target: string,
    other: string,
    left: string[],
    right: string[],
    lastsMs: number,
  ): Promise<void> {
    const sim = this.host.node(target);
    this.faults[kind]++;
    switch (kind) {
      case 'partition':
        this.host.log(`partition ${left.join('')} | ${right.join('')} for ${lastsMs}ms`);
        this.host.network.partition(left, right);
        this.host.clock.setTimeout(() => this.host.network.heal(), lastsMs);
        return;
      case 'asymmetric':
        // The target can hear everyone, but nobody hears it.
        this.host.log(`asymmetric: ${target} cannot send for ${lastsMs}ms`);
        for (const { id } of this.host.nodes()) if (id !== target) this.host.network.block(target, id);
        this.host.clock.setTimeout(() => {
          for (const { id } of this.host.nodes()) this.host.network.unblock(target, id);
        }, lastsMs);
        return;
      case 'one-way':
        this.host.log(`one-way: ${target}→${other} cut for ${lastsMs}ms`);
        this.host.network.block(target, other);
        this.host.clock.setTimeout(() => this.host.network.unblock(target, other), lastsMs);
        return;
      case 'pause':
        if (!sim.node || sim.gate.isPaused) return;
        this.host.log(`pause ${target} for ${lastsMs}ms`);
        sim.gate.pause();
        this.host.clock.setTimeout(() => sim.gate.resume(), lastsMs);
        return;
      case 'crash':
        if (!sim.node) return;
        this.host.log(`crash ${target} (uncommitted writes lost), restart in ${lastsMs}ms`);
        this.host.crash(sim);
        this.host.clock.setTimeout(() => void this.host.restartIfDown(sim), lastsMs);
        return;
      case 'restart':
        if (!sim.node || sim.gate.isPaused) return;
        this.host.log(`graceful restart ${target}`);
        await this.host.stopGracefully(sim);
        if (!sim.gone) await this.host.start(sim);
        return;
      case 'slow-disk':
        this.host.log(`slow disk on ${target} for ${lastsMs}ms`);
        sim.storage.commitDelayMs = 20 + Math.floor(this.host.schedule.next() * 300);
        this.host.clock.setTimeout(() => {
          sim.storage.commitDelayMs = sim.diskMs;
        }, lastsMs);
        return;
      default:
        return;
    }
  }
}
