// The clients of a simulation run: asks and reads drawn from the seed over the fault window, a
// follow-up read after every ask, and the probes after healing (every key asked on every voter).
// Each answer is shown to the invariant checker and the liveness tracker and kept in the history.
import type { GenPaxosError } from '../../src/base/errors.js';
import type { RandomSource } from '../../src/base/random.js';
import type { VirtualClock } from '../../src/base/virtualClock.js';
import type { GenPaxosNode } from '../../src/node/genPaxos.js';
import type { InvariantChecker } from './invariants.js';
import type { LivenessTracker } from './liveness.js';
import type { SimNode } from './simNode.js';
import type { SimOptions } from './simOptions.js';
import type { HistoryOp } from './simResult.js';

/** What the clients need of the run. */
export interface SimClientsContext {
  readonly options: Pick<SimOptions, 'operations' | 'faultWindowMs'>;
  readonly clock: VirtualClock;
  /** Draws when, where and what each operation is (the run's fault schedule draws from it too). */
  readonly schedule: RandomSource;
  /** Draws the follow-up reads, apart from `schedule` so they do not shift the fault schedule. */
  readonly followUps: RandomSource;
  /** The keys asked, read when used (the run adds `FRESH_KEY` before the probes). */
  readonly keys: readonly string[];
  readonly nodes: () => Iterable<SimNode>;
  readonly node: (id: string) => SimNode;
  readonly checker: InvariantChecker;
  readonly liveness: LivenessTracker;
  readonly runUntil: (done: () => boolean, deadlineMs: number) => Promise<void>;
  readonly log: (line: string) => void;
}

export class SimClients {
  readonly history: HistoryOp[] = [];
  /** Operations carried out (a paused or down node takes none). */
  operations = 0;

  constructor(private readonly run: SimClientsContext) {}

  scheduleOperations(): void {
    const r = this.run.schedule;
    const { clock, keys, options } = this.run;
    for (let i = 0; i < options.operations; i++) {
      const at = Math.floor(r.next() * options.faultWindowMs);
      const nodeDraw = r.next();
      // Half the operations go to two hot keys, so those are heavily contended.
      const key =
        r.next() < 0.5
          ? (keys[Math.floor(r.next() * 2)] as string)
          : (keys[Math.floor(r.next() * keys.length)] as string);
      const f = r.next() < 0.8 ? 'ask' : 'read';
      clock.setTimeout(() => {
        // Among the nodes when the operation comes: new members too, removed ones still running.
        const ids = [...this.run.nodes()].filter((sim) => !sim.gone).map((sim) => sim.id);
        const id = ids[Math.floor(nodeDraw * ids.length)] as string;
        this.operate(id, f, key, `${id}-${i}`);
      }, at);
    }
  }

  private operate(id: string, f: 'ask' | 'read', key: string, value: string): void {
    const { checker, liveness } = this.run;
    const sim = this.run.node(id);
    const node = sim.node;
    if (!node || sim.gate.isPaused) return;
    this.operations++;
    if (f === 'read') {
      const read = node.read(key);
      if (read !== undefined) checker.noteClientSaw(`read on ${id}`, key, read);
      this.record({ process: id, type: 'invoke', f, key, value: null });
      this.record({ process: id, type: 'ok', f, key, value: read ?? null });
      return;
    }
    checker.noteProposed(key, value);
    this.record({ process: id, type: 'invoke', f, key, value });
    // Another client reads the key on the same node soon after: around the decision, when the
    // node must not yet reveal a value whose votes are not on disk.
    this.run.clock.setTimeout(
      () => this.operate(id, 'read', key, ''),
      1 + Math.floor(this.run.followUps.next() * 30),
    );
    const op = `${id} ask ${key}=${value}`;
    liveness.asked(op, key);
    node.ask(key, value).then(
      (decided) => {
        liveness.answered(op);
        checker.noteClientSaw(`ask on ${id}`, key, decided);
        this.record({ process: id, type: 'ok', f, key, value: decided });
      },
      (error: GenPaxosError) => {
        liveness.failed(op, error.code);
        // A timeout or a crash leaves the outcome unknown ("info"), never "fail".
        this.record({ process: id, type: 'info', f, key, value });
        this.run.log(`${op} -> ${error.code}`);
      },
    );
  }

  /**
   * Liveness after healing: every node asks every key — the keys whose asks all went unanswered
   * during the faults among them — and must be answered before the window ends; all agree.
   */
  async probeEveryKey(deadlineMs: number, voters: readonly SimNode[]): Promise<void> {
    if (voters.length === 0) return;
    const { checker, liveness } = this.run;
    const reasked = liveness.unansweredKeys();
    if (reasked.length > 0)
      this.run.log(
        `re-asked after healing (every ask of the fault window went unanswered): ${reasked.join(' ')}`,
      );
    const timeoutMs = Math.max(1, deadlineMs - this.run.clock.now());
    for (const key of this.run.keys) {
      for (const sim of voters) {
        const op = `${sim.id} probe ${key}`;
        liveness.asked(op, key);
        const value = `probe-${sim.id}`;
        checker.noteProposed(key, value);
        this.record({ process: sim.id, type: 'invoke', f: 'ask', key, value });
        (sim.node as GenPaxosNode).ask(key, value, { timeoutMs }).then(
          (decided) => {
            liveness.answered(op);
            checker.noteClientSaw(`probe on ${sim.id}`, key, decided);
            this.record({ process: sim.id, type: 'ok', f: 'ask', key, value: decided });
          },
          (error: GenPaxosError) => {
            liveness.failed(op, error.code);
            this.record({ process: sim.id, type: 'info', f: 'ask', key, value });
          },
        );
      }
    }
    await this.run.runUntil(() => liveness.waitingCount === 0, deadlineMs);
  }

  private record(op: Omit<HistoryOp, 'time'>): void {
    const entry = { ...op, time: this.run.clock.now() };
    this.history.push(entry);
    this.run.log(`${entry.type} ${entry.process} ${entry.f} ${entry.key} ${JSON.stringify(entry.value)}`);
  }
}
