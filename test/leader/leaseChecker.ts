// Safety checks of an election, in real (simulation) time: each node's tenure runs from the moment
// it believes it leads to the real time its own clock reaches the lease's end (or its crash), and
// no two nodes' tenures may overlap. Also: each epoch has one holder, and epochs never go back.
// The control run (drift beyond the bound) must make this checker fail.

/** One node's uninterrupted belief that it leads, in real ms. */
export interface Tenure {
  readonly node: string;
  readonly epoch: number;
  readonly fromMs: number;
  toMs: number;
  /** The lease's end on the node's own clock, to re-time the tenure when its clock's rate changes. */
  untilLocalMs: number;
}

export class LeaseChecker {
  readonly violations: string[] = [];
  readonly tenures: Tenure[] = [];
  /** Every election: one per (node, epoch) won, in order. */
  readonly elections: { readonly node: string; readonly epoch: number; readonly atMs: number }[] = [];
  private readonly open = new Map<string, Tenure>();
  private readonly holderOf = new Map<number, string>();
  private highestEpoch = 0;

  elected(
    node: string,
    epoch: number,
    nowMs: number,
    untilLocalMs: number,
    toReal: (localMs: number) => number,
  ): void {
    const untilRealMs = toReal(untilLocalMs);
    this.close(node, nowMs);
    const holder = this.holderOf.get(epoch);
    if (holder !== undefined && holder !== node)
      this.fail(nowMs, `epoch ${epoch} has two holders: ${holder} and ${node}`);
    if (epoch < this.highestEpoch)
      this.fail(nowMs, `${node} elected in epoch ${epoch} after epoch ${this.highestEpoch} was held`);
    this.holderOf.set(epoch, node);
    this.highestEpoch = Math.max(this.highestEpoch, epoch);
    this.elections.push({ node, epoch, atMs: nowMs });
    const tenure: Tenure = { node, epoch, fromMs: nowMs, toMs: untilRealMs, untilLocalMs };
    this.tenures.push(tenure);
    this.open.set(node, tenure);
  }

  renewed(
    node: string,
    epoch: number,
    nowMs: number,
    untilLocalMs: number,
    toReal: (localMs: number) => number,
  ): void {
    const tenure = this.open.get(node);
    if (!tenure || tenure.epoch !== epoch) {
      this.fail(nowMs, `${node} renewed epoch ${epoch} without holding it`);
      return;
    }
    if (untilLocalMs > tenure.untilLocalMs) {
      tenure.untilLocalMs = untilLocalMs;
      tenure.toMs = toReal(untilLocalMs);
    }
  }

  /** `node`'s clock changed rate: its open tenure ends when the clock now reaches the lease's end. */
  retime(node: string, toReal: (localMs: number) => number): void {
    const tenure = this.open.get(node);
    if (tenure) tenure.toMs = toReal(tenure.untilLocalMs);
  }

  /** The node stopped believing it leads (or crashed): the tenure ends now if not already. */
  close(node: string, nowMs: number): void {
    const tenure = this.open.get(node);
    if (!tenure) return;
    tenure.toMs = Math.min(tenure.toMs, nowMs);
    this.open.delete(node);
  }

  /** Whether `node` believes it leads at `nowMs`, according to its tenures. */
  leadsAt(node: string, nowMs: number): boolean {
    const tenure = this.open.get(node);
    return tenure !== undefined && tenure.fromMs <= nowMs && nowMs < tenure.toMs;
  }

  /** Overlaps between different nodes' tenures; returns the largest, in ms (0: none). */
  checkOverlaps(): number {
    let worst = 0;
    const sorted = [...this.tenures].sort((a, b) => a.fromMs - b.fromMs);
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i] as Tenure;
      for (let j = i + 1; j < sorted.length; j++) {
        const b = sorted[j] as Tenure;
        if (b.fromMs >= a.toMs) break;
        if (a.node === b.node) continue;
        const overlapMs = Math.min(a.toMs, b.toMs) - b.fromMs;
        if (overlapMs <= 0) continue;
        worst = Math.max(worst, overlapMs);
        this.fail(
          b.fromMs,
          `overlap: ${a.node} (epoch ${a.epoch}) leads until ${fmt(a.toMs)} but ${b.node} (epoch ${b.epoch}) leads from ${fmt(b.fromMs)}: ${fmt(overlapMs)} ms`,
        );
      }
    }
    return worst;
  }

  fail(atMs: number, message: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${fmt(atMs)} ${message}`);
  }
}

export function fmt(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}
