// The nemesis: for a bounded time it injects faults drawn from a seeded random source into a
// ChaosCluster — kill -9 and restart later on the same data directory, graceful restart,
// SIGSTOP/SIGCONT, and link faults (partitions, one-way cuts, a node nobody hears, loss,
// delay) — and ends each after a drawn duration. `heal()` ends everything at once. It keeps a
// minority unavailable unless told otherwise, so the cluster mostly makes progress while faults
// come and go; safety must hold either way, liveness is checked after healing.
import type { RandomSource } from '../../src/base/random.js';
import { NO_LINK_FAULTS } from '../../src/transport/wire/frames.js';
import type { ChaosCluster } from './chaosCluster.js';
import { sleep } from './chaosCluster.js';
import { describeFault, nodesTouched, specsFor, type LinkFault } from './linkFaults.js';

export const NEMESIS_KINDS = [
  'crash',
  'restart',
  'pause',
  'partition',
  'asymmetric',
  'one-way',
  'drop',
  'delay',
] as const;
export type NemesisKind = (typeof NEMESIS_KINDS)[number];

export interface NemesisOptions {
  readonly kinds: readonly NemesisKind[];
  readonly random: RandomSource;
  /** Nodes that may be down or paused at once. Default: a minority. */
  readonly maxUnavailable?: number;
  /** Link faults in force at once. Default 2. */
  readonly maxLinkFaults?: number;
  /** Wait between two injections, ms. Default 200..1500. */
  readonly gapMs?: readonly [number, number];
  /** How long a fault lasts (a crashed node's downtime), ms. Default 300..6000: a pause may
   * outlast the peers' 5 s heartbeat timeout, so links drop and are redialled. */
  readonly durationMs?: readonly [number, number];
  readonly log?: (line: string) => void;
}

interface Ending {
  readonly timer: ReturnType<typeof setTimeout>;
  readonly end: () => Promise<void>;
}

export class Nemesis {
  readonly injected = Object.fromEntries(NEMESIS_KINDS.map((k) => [k, 0])) as Record<NemesisKind, number>;
  /** What went wrong while injecting or ending faults (a node that would not restart…). */
  readonly errors: string[] = [];
  private readonly linkFaults = new Set<LinkFault>();
  private readonly endings = new Set<Ending>();
  private readonly ended = new Set<Promise<void>>();
  private readonly pushChains = new Map<string, Promise<void>>();
  /** Nodes whose link faults changed while they could not be told (down or paused). */
  private readonly stale = new Set<string>();
  private deck: NemesisKind[] = [];
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly cluster: ChaosCluster,
    private readonly options: NemesisOptions,
  ) {}

  /** Starts injecting until `untilMs` (Date.now() time) or `heal()`. */
  start(untilMs: number): void {
    this.loop = this.run(untilMs);
  }

  /** Ends every fault now: resumes paused nodes, restarts the down ones, clears all link faults. */
  async heal(deadlineMs = 60_000): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.linkFaults.clear();
    const endings = [...this.endings];
    this.endings.clear();
    for (const ending of endings) clearTimeout(ending.timer);
    await Promise.all([...endings.map((ending) => this.runEnd(ending.end)), ...this.ended]);
    for (const id of this.cluster.ids) {
      if (this.cluster.stateOf(id) === 'paused') this.cluster.resume(id);
      if (this.cluster.stateOf(id) === 'down') await this.restart(id);
    }
    // Every node must accept "no faults", even one that was just restarted or resumed; sends
    // still chained go first, so none of them lands after this.
    await Promise.all(this.pushChains.values());
    const until = Date.now() + deadlineMs;
    await Promise.all(
      this.cluster.ids.map(async (id) => {
        for (;;) {
          try {
            await this.cluster.setFaults(id, NO_LINK_FAULTS);
            this.stale.delete(id);
            return;
          } catch (error) {
            if (Date.now() > until) {
              this.errors.push(`heal: node ${id} did not accept "no faults": ${(error as Error).message}`);
              return;
            }
            await sleep(200);
          }
        }
      }),
    );
    this.log('healed');
  }

  private async run(untilMs: number): Promise<void> {
    const [gapMin, gapMax] = this.options.gapMs ?? [200, 1500];
    while (!this.stopped) {
      await sleep(this.between(gapMin, gapMax));
      if (this.stopped || Date.now() >= untilMs) return;
      await this.injectOne();
    }
  }

  /**
   * Kinds are dealt from a shuffled deck, refilled when empty, so even a short run injects every
   * kind. The first card that applies now is played (a crash needs a node it may take down…);
   * the others stay in the deck.
   */
  private async injectOne(): Promise<void> {
    if (this.deck.length === 0) this.deck = shuffle([...this.options.kinds], this.options.random);
    for (const [index, kind] of this.deck.entries()) {
      if (await this.inject(kind)) {
        this.injected[kind]++;
        this.deck.splice(index, 1);
        return;
      }
    }
  }

  private async inject(kind: NemesisKind): Promise<boolean> {
    const ids = this.cluster.ids;
    const [durationMin, durationMax] = this.options.durationMs ?? [300, 6000];
    const lastsMs = this.between(durationMin, durationMax);
    switch (kind) {
      case 'crash': {
        const target = this.takeable();
        if (target === undefined) return false;
        this.log(`kill -9 ${target}, restart in ${lastsMs} ms`);
        await this.cluster.crash(target);
        this.endLater(lastsMs, () => this.restart(target));
        return true;
      }
      case 'restart': {
        const target = this.takeable();
        if (target === undefined) return false;
        this.log(`SIGTERM ${target} and restart`);
        const done = this.cluster.terminate(target).then(() => this.restart(target));
        this.track(done);
        await done;
        return true;
      }
      case 'pause': {
        const target = this.takeable();
        if (target === undefined) return false;
        this.log(`SIGSTOP ${target} for ${lastsMs} ms`);
        this.cluster.pause(target);
        this.endLater(lastsMs, async () => {
          this.log(`SIGCONT ${target}`);
          this.cluster.resume(target);
          if (this.stale.has(target)) await this.push(target);
        });
        return true;
      }
      default: {
        if (this.linkFaults.size >= (this.options.maxLinkFaults ?? 2)) return false;
        const fault = this.drawLinkFault(kind, ids);
        this.linkFaults.add(fault);
        this.log(`${describeFault(fault)} for ${lastsMs} ms`);
        await this.pushAll(nodesTouched(ids, fault));
        this.endLater(lastsMs, async () => {
          this.linkFaults.delete(fault);
          this.log(`end ${describeFault(fault)}`);
          await this.pushAll(nodesTouched(ids, fault));
        });
        return true;
      }
    }
  }

  private drawLinkFault(
    kind: Exclude<NemesisKind, 'crash' | 'restart' | 'pause'>,
    ids: readonly string[],
  ): LinkFault {
    const r = this.options.random;
    const pick = (from: readonly string[]) => from[Math.floor(r.next() * from.length)] as string;
    const target = pick(ids);
    switch (kind) {
      case 'partition': {
        const shuffled = [...ids].sort(() => r.next() - 0.5);
        const cut = 1 + Math.floor(r.next() * (ids.length - 1));
        return { kind, left: shuffled.slice(0, cut).sort(), right: shuffled.slice(cut).sort() };
      }
      case 'asymmetric':
        return { kind, target };
      case 'one-way':
        return { kind, from: target, to: pick(ids.filter((id) => id !== target)) };
      case 'drop':
        return { kind, target, rate: Math.round((0.1 + r.next() * 0.5) * 100) / 100 };
      case 'delay':
        return { kind, target, delayMs: this.between(5, 150), jitterMs: this.between(0, 300) };
    }
  }

  /** A node that is up and may be taken down without exceeding maxUnavailable, if any. */
  private takeable(): string | undefined {
    const ids = this.cluster.ids;
    const limit = this.options.maxUnavailable ?? Math.floor((ids.length - 1) / 2);
    const unavailable = ids.filter((id) => this.cluster.stateOf(id) !== 'up').length;
    if (unavailable >= limit) return undefined;
    const up = ids.filter((id) => this.cluster.stateOf(id) === 'up');
    return up[Math.floor(this.options.random.next() * up.length)];
  }

  private async restart(id: string): Promise<void> {
    if (this.cluster.stateOf(id) !== 'down') return;
    try {
      await this.cluster.restart(id);
      this.log(`restarted ${id}`);
      await this.push(id);
    } catch (error) {
      this.errors.push(`node ${id} did not restart on its data directory: ${(error as Error).message}`);
    }
  }

  private endLater(afterMs: number, end: () => Promise<void>): void {
    const ending: Ending = {
      timer: setTimeout(() => {
        this.endings.delete(ending);
        this.track(this.runEnd(end));
      }, afterMs),
      end,
    };
    this.endings.add(ending);
  }

  private async runEnd(end: () => Promise<void>): Promise<void> {
    try {
      await end();
    } catch (error) {
      this.errors.push(`ending a fault: ${(error as Error).message}`);
    }
  }

  private track(promise: Promise<void>): void {
    const settled = promise.catch(() => {});
    this.ended.add(settled);
    void settled.then(() => this.ended.delete(settled));
  }

  private pushAll(ids: readonly string[]): Promise<void> {
    return Promise.all(ids.map((id) => this.push(id))).then(() => {});
  }

  /**
   * Sends node `id` the spec of the faults in force *when the send happens*: sends to one node
   * are chained, so a later change never lands before an earlier one.
   */
  private push(id: string): Promise<void> {
    const previous = this.pushChains.get(id) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (this.cluster.stateOf(id) !== 'up') {
        this.stale.add(id);
        return;
      }
      try {
        const spec = specsFor(this.cluster.ids, [...this.linkFaults])[id] ?? NO_LINK_FAULTS;
        await this.cluster.setFaults(id, spec);
        this.stale.delete(id);
      } catch {
        // Paused or killed meanwhile: sent when it is back (resume, restart or heal).
        this.stale.add(id);
      }
    });
    this.pushChains.set(id, next);
    return next;
  }

  private between(min: number, max: number): number {
    return min + Math.floor(this.options.random.next() * (max - min + 1));
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

function shuffle<T>(items: T[], random: RandomSource): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
