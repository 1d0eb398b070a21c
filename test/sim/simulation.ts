// Deterministic simulation of whole gen-paxos nodes (real supervisor and instance machines) on
// one VirtualClock, with a fault schedule drawn from the seed (nodeFaults.ts): loss, duplication, reordering,
// long-tail delays, symmetric/asymmetric/one-way partitions, pauses, crashes that lose
// uncommitted writes, graceful restarts, slow disks, and membership changes (membershipFaults.ts:
// add, remove, replace, replace after a lost disk). Safety invariants are checked after every
// step and on every message sent (invariants.ts), across configurations; after the faults stop and
// the configuration settles, liveness (liveness.ts): every key is probed on every voter of the
// final configuration and must be decided within the window. The same seed replays the same run.
import { createHash } from 'node:crypto';
import type { InspectionEvent } from 'xstate';
import type { Envelope } from '../../src/paxos/messages.js';
import type { GenPaxosError } from '../../src/base/errors.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { type RandomSource } from '../../src/base/random.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import type { Storage } from '../../src/storage/storage.js';
import {
  createMemoryNetwork,
  type MemoryNetwork,
  type NetworkEventKind,
} from '../../src/transport/memoryNetwork.js';
import { drainMicrotasks } from '../support/settle.js';
import { ownerOf } from '../../src/paxos/owner.js';
import { configKey, doneKey } from '../../src/paxos/config.js';
import { InvariantChecker } from './invariants.js';
import { FAULT_KINDS, NodeFaults, type FaultKind } from './nodeFaults.js';
import { MembershipFaults, type MembershipFault } from './membershipFaults.js';
import { LivenessTracker } from './liveness.js';
import { PauseGate } from './pauseGate.js';
import { instanceLogicFor, type BrokenVariant } from './brokenVariants.js';

export interface SimOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly keys: number;
  /** Client operations (asks and reads) spread over the fault window. */
  readonly operations: number;
  readonly faultWindowMs: number;
  /**
   * The liveness window: virtual time allowed after healing for the asks of the fault window to
   * settle and for every key to be decided on every node (the probes).
   */
  readonly settleMs: number;
  readonly askTimeoutMs: number;
  /** False: acceptors spawn instances instead of answering on the fast path (default true). */
  readonly acceptorFastPath?: boolean;
  /** False: every proposal runs both phases; no owner uses ballot 0 (default true). */
  readonly ownerFastPath?: boolean;
  /** A deliberately broken variant, for control runs the checker must fail. */
  readonly variant?: BrokenVariant;
  /** Watches the run (the cluster view's export, viewExport.ts); it changes nothing in it. */
  readonly observer?: SimObserver;
  /** False: no membership changes among the faults (default true). */
  readonly membershipChanges?: boolean;
}

/** What an observer of a run is told. Every call happens at the run's virtual time `now()`. */
export interface SimObserver {
  /** Called first, with the run's clock. */
  attach?(now: () => number): void;
  /** The `inspect` option for node `id`'s next start. */
  inspect?(id: string): ((event: InspectionEvent) => void) | undefined;
  /** The store node `id` is started with (default `storage` itself): a decorator may watch its writes. */
  storage?(id: string, storage: Storage): Storage;
  started?(id: string, node: GenPaxosNode): void;
  /** Node `id` crashed or stopped. */
  stopped?(id: string): void;
  network?(kind: NetworkEventKind, envelope: Envelope): void;
  /** Every trace line (faults injected, operations, …), without its time. */
  log?(line: string): void;
}

export const DEFAULT_SIM: Omit<SimOptions, 'seed'> = {
  nodes: 3,
  keys: 8,
  operations: 40,
  faultWindowMs: 4_000,
  settleMs: 60_000,
  askTimeoutMs: 3_000,
};

/** A key first asked after healing, by the probes: the group still decides new keys. */
export const FRESH_KEY = 'fresh';

/** One client operation, in the history format the register checker reads. */
export interface HistoryOp {
  readonly process: string;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: 'ask' | 'read';
  readonly key: string;
  readonly value: PaxosValue | null;
  readonly time: number;
}

export { FAULT_KINDS, type FaultKind };

export interface SimResult {
  readonly seed: number;
  readonly options: SimOptions;
  readonly faults: Record<FaultKind, number>;
  /** Membership changes started, per kind (membershipFaults.ts). */
  readonly membership: Record<MembershipFault, number>;
  /** How the changes ended: `ok`, an error code, `unsettled`, … with their counts. */
  readonly changeOutcomes: Readonly<Record<string, number>>;
  /** The voters of the final configuration (its number after the colon): liveness is judged there. */
  readonly finalConfig: string;
  readonly operations: number;
  /** Safety violations, then liveness violations. */
  readonly violations: readonly string[];
  /** What the invariant checker found (invariants.ts). */
  readonly safety: readonly string[];
  /** What the liveness check after healing found (liveness.ts). */
  readonly liveness: readonly string[];
  /** Asks still pending when the liveness window ran out. */
  readonly stuck: readonly string[];
  /** Keys asked during the faults that got no answer there, settled by the probes after healing. */
  readonly reasked: readonly string[];
  /** Virtual time from healing to the last probe answered; null when liveness failed. */
  readonly recoveredMs: number | null;
  readonly history: readonly HistoryOp[];
  readonly trace: readonly string[];
  /** A digest of the trace: equal digests mean byte-for-byte equal runs. */
  readonly traceDigest: string;
  readonly virtualMs: number;
  readonly steps: number;
}

/** One simulated node: its disk outlives its runs (crashes keep what was committed). */
export interface SimNode {
  readonly id: string;
  /** This node's disk: how long a commit takes when no slow-disk fault is on. */
  readonly diskMs: number;
  storage: MemoryStorage;
  gate: PauseGate;
  node: GenPaxosNode | null;
  /** Added by a membership change: starts with `join: true`, not with the initial members. */
  readonly joined: boolean;
  /** Its disk was lost: it never runs again (membershipFaults.ts replaces it with a new id). */
  gone: boolean;
}

/**
 * The mode a seed runs in, so that `npm test` and `npm run sim -- --seed S` agree: 5 nodes for
 * every fourth seed, acceptors on the fast path for odd seeds, the owner fast path off for every
 * third seed (so the classic two-phase protocol keeps being simulated too).
 */
export function modeOfSeed(seed: number): Pick<SimOptions, 'nodes' | 'acceptorFastPath' | 'ownerFastPath'> {
  return { nodes: seed % 4 === 0 ? 5 : 3, acceptorFastPath: seed % 2 === 1, ownerFastPath: seed % 3 !== 0 };
}

export async function runSimulation(partial: Partial<SimOptions> & { seed: number }): Promise<SimResult> {
  return new Simulation({ ...DEFAULT_SIM, ...partial }).run();
}

class Simulation {
  private readonly clock = new VirtualClock();
  private readonly schedule: RandomSource;
  /** Draws the follow-up reads, apart from `schedule` so they do not shift the fault schedule. */
  private readonly followUps: RandomSource;
  private readonly network: MemoryNetwork;
  private readonly nodes = new Map<string, SimNode>();
  private readonly checker: InvariantChecker;
  private readonly nodeFaults: NodeFaults;
  private readonly history: HistoryOp[] = [];
  private readonly trace: string[] = [];
  /** The keys asked; after healing, also `FRESH_KEY`. */
  private readonly keys: string[];
  private readonly liveness: LivenessTracker;
  private readonly initial: readonly string[];
  private readonly membership: MembershipFaults;
  private readonly disks: RandomSource;
  private steps = 0;
  private opCounter = 0;

  constructor(private readonly options: SimOptions) {
    // Independent streams, so adding a fault kind does not shift the network's draws.
    this.schedule = seededRandom(options.seed * 7919 + 1);
    this.followUps = seededRandom(options.seed * 7919 + 4);
    this.network = createMemoryNetwork({ clock: this.clock, random: seededRandom(options.seed * 7919 + 2) });
    this.keys = Array.from({ length: options.keys }, (_, i) => `k${i}`);
    const members = Array.from({ length: options.nodes }, (_, i) => String.fromCharCode(97 + i));
    this.initial = members;
    this.membership = new MembershipFaults(
      {
        clock: this.clock,
        initial: members,
        nodes: () => this.nodes.values(),
        node: (id) => this.nodes.get(id),
        addMember: (id) => this.addMember(id),
        loseDisk: (id) => this.loseDisk(id),
        log: (line) => this.log(line),
      },
      seededRandom(options.seed * 7919 + 5),
      { skipRescan: options.variant === 'skip-rescan', changeTimeoutMs: 20_000 },
    );
    const records = (voters: readonly string[], key: string) =>
      voters.map((id) => this.nodes.get(id)?.storage.loadDurable(key));
    this.checker = new InvariantChecker(
      () => this.clock.now(),
      (key) => records(members, key),
      (key, epoch) => {
        if (!(options.ownerFastPath ?? true)) return null;
        const voters = this.membership.votersOf(epoch);
        return voters ? ownerOf(key, voters) : `nobody (epoch ${epoch} unknown)`;
      },
      {
        durableGroups: (key) => this.membership.allVoterSets().map((voters) => records(voters, key)),
        knowsComplete: (id, epoch) => this.membership.knowsComplete(id, epoch),
      },
    );
    this.liveness = new LivenessTracker(() => this.clock.now(), options.settleMs);
    // Disks differ: a proposer whose own disk is slower than its acceptors' decides before its
    // own vote is durable, which is when answering a client from the store would be unsafe.
    this.nodeFaults = new NodeFaults({
      clock: this.clock,
      network: this.network,
      schedule: this.schedule,
      faultWindowMs: options.faultWindowMs,
      nodes: () => this.nodes.values(),
      node: (id) => this.nodes.get(id) as SimNode,
      crash: (sim) => this.crash(sim),
      stopGracefully: (sim) => this.stopGracefully(sim),
      start: (sim) => this.start(sim),
      restartIfDown: (sim) => this.restartIfDown(sim),
      log: (line) => this.log(line),
    });
    this.disks = seededRandom(options.seed * 7919 + 3);
    for (const id of members) this.addNode(id, false);
    options.observer?.attach?.(() => this.clock.now());
    this.network.observe((kind, envelope) => {
      options.observer?.network?.(kind, envelope);
      if (kind !== 'sent') return;
      const sender = this.nodes.get(envelope.from);
      if (sender) this.checker.checkSent(envelope, sender.storage);
    });
  }

  async run(): Promise<SimResult> {
    const { faultWindowMs } = this.options;
    this.log(
      `simulation seed=${this.options.seed} nodes=${this.options.nodes} keys=${this.options.keys} fastPath=${this.options.acceptorFastPath ?? true} ownerPath=${this.options.ownerFastPath ?? true}`,
    );
    for (const sim of this.nodes.values()) await this.start(sim);
    this.nodeFaults.drawNetworkNoise();
    this.nodeFaults.schedule();
    this.scheduleOperations();
    if (this.options.membershipChanges ?? true) this.membership.schedule(faultWindowMs);
    await this.runUntil(() => this.clock.now() >= faultWindowMs, faultWindowMs);

    await this.healEverything();
    this.liveness.healed();
    const deadline = this.liveness.deadlineMs;
    // The asks and changes of the fault window settle first: answered, or failed by their own
    // timeout; then the configuration (a transition left incomplete is resumed by a voter).
    await this.runUntil(() => this.liveness.waitingCount === 0 && this.membership.settled, deadline);
    await this.runUntil(() => this.membership.unsettled() === null, deadline);
    const unsettled = this.membership.unsettled();
    const final = this.membership.latest();
    const voters = final.voters.map((id) => this.nodes.get(id) as SimNode).filter((sim) => !sim.gone);
    this.log(
      `final configuration ${final.number} [${final.voters.join('')}]${unsettled ? `: ${unsettled}` : ''}`,
    );
    // A voter that missed every push of the final configuration learns it from the first request
    // it gets (docs/membership.md §5.3): the others' probes, which come first, among them those of
    // a key nobody asked before (a key decided everywhere is answered without a message). Until
    // then it rightly refuses asks (PAXOS_ERR_NOT_A_MEMBER); it must have learned it by the end.
    this.keys.push(FRESH_KEY);
    const late = new Set(this.membership.lagging());
    await this.probeEveryKey(
      deadline,
      voters.filter((sim) => !late.has(sim.id)),
    );
    await this.runUntil(() => this.membership.lagging().length === 0, deadline);
    await this.probeEveryKey(
      deadline,
      voters.filter((sim) => late.has(sim.id)),
    );
    for (const key of this.keys) this.log(`decided ${key} = ${this.checker.chosenValue(key) ?? 'null'}`);
    // An answer may precede the write of the decision it learned (learner.ts): let writes land.
    const nodes = [...this.nodes.values()];
    await this.runUntil(() => nodes.every((sim) => sim.storage.uncommittedKeys === 0), deadline);
    const lagging = this.membership.lagging();
    const settling = [
      ...(unsettled ? [`liveness: the configuration did not settle after healing: ${unsettled}`] : []),
      ...(lagging.length > 0
        ? [
            `liveness: ${lagging.join(', ')} did not adopt configuration ${final.number} complete after healing`,
          ]
        : []),
    ];
    const liveness = this.liveness.report(this.keys, (key) =>
      voters.filter((sim) => !sim.storage.loadDurable(key)?.decided).map((sim) => sim.id),
    );
    for (const sim of this.nodes.values()) await sim.node?.stop();
    this.membership.finish();

    const violations = [...this.checker.violations, ...settling, ...liveness.violations];
    this.log(`end t=${this.clock.now()} steps=${this.steps} violations=${violations.length}`);
    return {
      seed: this.options.seed,
      options: this.options,
      faults: this.nodeFaults.faults,
      membership: this.membership.counts,
      changeOutcomes: Object.fromEntries(this.membership.outcomes),
      finalConfig: `${final.voters.join('')}:${final.number}`,
      operations: this.opCounter,
      violations,
      safety: [...this.checker.violations],
      liveness: [...settling, ...liveness.violations],
      stuck: liveness.stuck,
      reasked: liveness.reasked,
      recoveredMs: liveness.recoveredMs,
      history: this.history,
      trace: this.trace,
      traceDigest: createHash('sha256').update(this.trace.join('\n')).digest('hex').slice(0, 16),
      virtualMs: this.clock.now(),
      steps: this.steps,
    };
  }

  private async runUntil(done: () => boolean, deadlineMs: number): Promise<void> {
    for (;;) {
      await drainMicrotasks();
      this.checkInvariants();
      if (done()) return;
      const next = this.clock.nextDueMs();
      if (next === undefined || next > deadlineMs) {
        this.clock.advance(Math.max(0, deadlineMs - this.clock.now()));
        await drainMicrotasks();
        this.checkInvariants();
        return;
      }
      this.clock.runNext();
      this.steps++;
    }
  }

  private checkInvariants(): void {
    // The reserved keys too: one configuration per number (I1), one completion per epoch.
    const latest = this.membership.latest();
    const keys =
      latest.number === 0
        ? this.keys
        : [
            ...this.keys,
            ...Array.from({ length: latest.number }, (_, i) => configKey(i + 2)),
            ...Array.from({ length: latest.epoch + 1 }, (_, i) => doneKey(i + 1)),
          ];
    for (const sim of this.nodes.values()) this.checker.checkStorage(sim.id, sim.storage, keys);
  }

  private async start(sim: SimNode): Promise<void> {
    sim.gate = new PauseGate();
    const inspect = this.options.observer?.inspect?.(sim.id);
    sim.node = await startLink({
      id: sim.id,
      // A new member starts knowing only itself and learns the group's configuration (join).
      members: sim.joined ? [sim.id] : [...this.initial],
      ...(sim.joined ? { join: true } : {}),
      transport: sim.gate.transport(this.network.connect(sim.id)),
      storage: this.options.observer?.storage?.(sim.id, sim.storage) ?? sim.storage,
      clock: sim.gate.clock(this.clock),
      random: seededRandom(this.options.seed * 31 + sim.id.charCodeAt(0) + this.clock.now()),
      askTimeoutMs: this.options.askTimeoutMs,
      ...(inspect ? { inspect } : {}),
      ...(this.options.ownerFastPath !== undefined ? { ownerFastPath: this.options.ownerFastPath } : {}),
      ...(this.options.acceptorFastPath !== undefined
        ? { acceptorFastPath: this.options.acceptorFastPath }
        : {}),
      ...(instanceLogicFor(this.options.variant, sim.id)
        ? { instanceLogic: instanceLogicFor(this.options.variant, sim.id) }
        : {}),
    });
    this.options.observer?.started?.(sim.id, sim.node);
  }

  private addNode(id: string, joined: boolean): SimNode {
    const disks = this.disks;
    const diskMs = disks.next() < 0.5 ? 1 : 1 + Math.floor(disks.next() * 40);
    const sim: SimNode = {
      id,
      diskMs,
      storage: new MemoryStorage({ clock: this.clock, commitDelayMs: diskMs }),
      gate: new PauseGate(),
      node: null,
      joined,
      gone: false,
    };
    this.nodes.set(id, sim);
    return sim;
  }

  /** A membership change adds `id`: a fresh node with an empty disk, started to join. */
  private async addMember(id: string): Promise<void> {
    this.log(`membership: start new member ${id} (join)`);
    await this.start(this.addNode(id, true));
  }

  /**
   * Node `id` dies with its disk. Its store is kept, frozen as it was, only for the checker:
   * what it held durably still counts as held when a value was chosen before the loss.
   */
  private loseDisk(id: string): void {
    const sim = this.nodes.get(id) as SimNode;
    if (sim.node) this.crash(sim);
    sim.gone = true;
  }

  private crash(sim: SimNode): void {
    if (sim.gone) return;
    this.options.observer?.stopped?.(sim.id);
    sim.gate.discard();
    sim.node?.halt();
    sim.node = null;
    sim.storage.crash();
    // The broken "amnesia" variant: the node comes back with an empty disk under its old id.
    if (this.options.variant === 'amnesia')
      sim.storage = new MemoryStorage({ clock: this.clock, commitDelayMs: sim.diskMs });
  }

  private async stopGracefully(sim: SimNode): Promise<void> {
    const node = sim.node;
    sim.node = null;
    this.options.observer?.stopped?.(sim.id);
    await node?.stop();
  }

  private async restartIfDown(sim: SimNode): Promise<void> {
    if (sim.node || sim.gone) return;
    this.log(`restart ${sim.id}`);
    await this.start(sim);
  }

  private scheduleOperations(): void {
    const r = this.schedule;
    for (let i = 0; i < this.options.operations; i++) {
      const at = Math.floor(r.next() * this.options.faultWindowMs);
      const nodeDraw = r.next();
      // Half the operations go to two hot keys, so those are heavily contended.
      const key =
        r.next() < 0.5
          ? (this.keys[Math.floor(r.next() * 2)] as string)
          : (this.keys[Math.floor(r.next() * this.keys.length)] as string);
      const f = r.next() < 0.8 ? 'ask' : 'read';
      this.clock.setTimeout(() => {
        // Among the nodes when the operation comes: new members too, removed ones still running.
        const ids = [...this.nodes.values()].filter((sim) => !sim.gone).map((sim) => sim.id);
        const id = ids[Math.floor(nodeDraw * ids.length)] as string;
        this.operate(id, f, key, `${id}-${i}`);
      }, at);
    }
  }

  private operate(id: string, f: 'ask' | 'read', key: string, value: string): void {
    const sim = this.nodes.get(id) as SimNode;
    const node = sim.node;
    if (!node || sim.gate.isPaused) return;
    this.opCounter++;
    if (f === 'read') {
      const read = node.read(key);
      if (read !== undefined) this.checker.noteClientSaw(`read on ${id}`, key, read);
      this.record({ process: id, type: 'invoke', f, key, value: null });
      this.record({ process: id, type: 'ok', f, key, value: read ?? null });
      return;
    }
    this.checker.noteProposed(key, value);
    this.record({ process: id, type: 'invoke', f, key, value });
    // Another client reads the key on the same node soon after: around the decision, when the
    // node must not yet reveal a value whose votes are not on disk.
    this.clock.setTimeout(
      () => this.operate(id, 'read', key, ''),
      1 + Math.floor(this.followUps.next() * 30),
    );
    const op = `${id} ask ${key}=${value}`;
    this.liveness.asked(op, key);
    node.ask(key, value).then(
      (decided) => {
        this.liveness.answered(op);
        this.checker.noteClientSaw(`ask on ${id}`, key, decided);
        this.record({ process: id, type: 'ok', f, key, value: decided });
      },
      (error: GenPaxosError) => {
        this.liveness.failed(op, error.code);
        // A timeout or a crash leaves the outcome unknown ("info"), never "fail".
        this.record({ process: id, type: 'info', f, key, value });
        this.log(`${op} -> ${error.code}`);
      },
    );
  }

  private async healEverything(): Promise<void> {
    this.log('heal: network healed, faults off, every node up');
    this.network.heal();
    this.network.setFaults({
      dropRate: 0,
      duplicateRate: 0,
      delayMs: { min: 1, max: 5 },
      longTail: { rate: 0, maxMs: 0 },
    });
    for (const sim of this.nodes.values()) {
      sim.storage.commitDelayMs = sim.diskMs;
      if (sim.gate.isPaused) sim.gate.resume();
      if (!sim.node && !sim.gone) await this.start(sim);
    }
  }

  /**
   * Liveness after healing: every node asks every key — the keys whose asks all went unanswered
   * during the faults among them — and must be answered before the window ends; all agree.
   */
  private async probeEveryKey(deadlineMs: number, voters: readonly SimNode[]): Promise<void> {
    if (voters.length === 0) return;
    const reasked = this.liveness.unansweredKeys();
    if (reasked.length > 0)
      this.log(
        `re-asked after healing (every ask of the fault window went unanswered): ${reasked.join(' ')}`,
      );
    const timeoutMs = Math.max(1, deadlineMs - this.clock.now());
    for (const key of this.keys) {
      for (const sim of voters) {
        const op = `${sim.id} probe ${key}`;
        this.liveness.asked(op, key);
        const value = `probe-${sim.id}`;
        this.checker.noteProposed(key, value);
        this.record({ process: sim.id, type: 'invoke', f: 'ask', key, value });
        (sim.node as GenPaxosNode).ask(key, value, { timeoutMs }).then(
          (decided) => {
            this.liveness.answered(op);
            this.checker.noteClientSaw(`probe on ${sim.id}`, key, decided);
            this.record({ process: sim.id, type: 'ok', f: 'ask', key, value: decided });
          },
          (error: GenPaxosError) => {
            this.liveness.failed(op, error.code);
            this.record({ process: sim.id, type: 'info', f: 'ask', key, value });
          },
        );
      }
    }
    await this.runUntil(() => this.liveness.waitingCount === 0, deadlineMs);
  }

  private record(op: Omit<HistoryOp, 'time'>): void {
    const entry = { ...op, time: this.clock.now() };
    this.history.push(entry);
    this.log(`${entry.type} ${entry.process} ${entry.f} ${entry.key} ${JSON.stringify(entry.value)}`);
  }

  private log(line: string): void {
    this.options.observer?.log?.(line);
    this.trace.push(`t=${this.clock.now()} ${line}`);
  }
}
