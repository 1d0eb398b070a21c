// Deterministic simulation of whole gen-paxos nodes (real supervisor and instance machines) on
// one VirtualClock: runs one seed's schedule and checks it. The same seed replays the same run.
// Faults drawn from the seed (nodeFaults.ts): loss, duplication, reordering, long-tail delays,
// symmetric/asymmetric/one-way partitions, pauses, crashes that lose uncommitted writes, graceful
// restarts, slow disks, and membership changes (membershipFaults.ts: add, remove, replace, replace
// after a lost disk); clients ask and read throughout (simClients.ts). Safety invariants are
// checked after every step and on every message sent (invariants.ts), across configurations; after
// the faults stop and the configuration settles, liveness (liveness.ts): every key is probed on
// every voter of the final configuration and must be decided within the window.
import { createHash } from 'node:crypto';
import { startLink } from '../../src/node/genPaxos.js';
import { type RandomSource } from '../../src/base/random.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryNetwork, type MemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { drainMicrotasks } from '../support/settle.js';
import { ownerOf } from '../../src/paxos/owner.js';
import { configKey, doneKey } from '../../src/paxos/config.js';
import { InvariantChecker } from './invariants.js';
import { FAULT_KINDS, NodeFaults, type FaultKind } from './nodeFaults.js';
import { MembershipFaults } from './membershipFaults.js';
import { LivenessTracker } from './liveness.js';
import { PauseGate } from './pauseGate.js';
import { instanceLogicFor } from './brokenVariants.js';
import { SimClients } from './simClients.js';
import type { SimNode } from './simNode.js';
import { DEFAULT_SIM, FRESH_KEY, type SimOptions } from './simOptions.js';
import type { SimResult } from './simResult.js';

export { FAULT_KINDS, type FaultKind };
export { DEFAULT_SIM, FRESH_KEY, modeOfSeed, type SimObserver, type SimOptions } from './simOptions.js';
export type { HistoryOp, SimResult } from './simResult.js';
export type { SimNode } from './simNode.js';

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
  private readonly trace: string[] = [];
  /** The keys asked; after healing, also `FRESH_KEY`. */
  private readonly keys: string[];
  private readonly liveness: LivenessTracker;
  private readonly initial: readonly string[];
  private readonly membership: MembershipFaults;
  private readonly disks: RandomSource;
  private readonly clients: SimClients;
  private steps = 0;

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
    // What the clients and the fault injectors both see of the run.
    const run = {
      clock: this.clock,
      schedule: this.schedule,
      nodes: () => this.nodes.values(),
      node: (id: string) => this.nodes.get(id) as SimNode,
      log: (line: string) => this.log(line),
    };
    this.clients = new SimClients({
      ...run,
      options,
      followUps: this.followUps,
      keys: this.keys,
      checker: this.checker,
      liveness: this.liveness,
      runUntil: (done, deadlineMs) => this.runUntil(done, deadlineMs),
    });
    // Disks differ: a proposer whose own disk is slower than its acceptors' decides before its
    // own vote is durable, which is when answering a client from the store would be unsafe.
    this.nodeFaults = new NodeFaults({
      ...run,
      network: this.network,
      faultWindowMs: options.faultWindowMs,
      crash: (sim) => this.crash(sim),
      stopGracefully: (sim) => this.stopGracefully(sim),
      start: (sim) => this.start(sim),
      restartIfDown: (sim) => this.restartIfDown(sim),
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
    this.clients.scheduleOperations();
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
    await this.clients.probeEveryKey(
      deadline,
      voters.filter((sim) => !late.has(sim.id)),
    );
    await this.runUntil(() => this.membership.lagging().length === 0, deadline);
    await this.clients.probeEveryKey(
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
      operations: this.clients.operations,
      violations,
      safety: [...this.checker.violations],
      liveness: [...settling, ...liveness.violations],
      stuck: liveness.stuck,
      reasked: liveness.reasked,
      recoveredMs: liveness.recoveredMs,
      history: this.clients.history,
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

  private log(line: string): void {
    this.options.observer?.log?.(line);
    this.trace.push(`t=${this.clock.now()} ${line}`);
  }
}
