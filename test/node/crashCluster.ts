// A deterministic in-process cluster for crash-restart tests: nodes on the in-memory network,
// each with a MemoryStorage that loses uncommitted writes when its node crashes, one VirtualClock
// for every timer and commit, and a monitor that checks after every step:
//   - persist before send: no message reveals a promise or acceptance that is not yet durable;
//   - a node's ballots for a key strictly increase per peer, across restarts (never reused);
//   - a node's durable promised ballot of an undecided key never decreases;
//   - agreement: one value per key, in storage, in decide messages and in answers to asks.
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { compareBallots, formatBallot, type Ballot } from '../../src/paxos/ballot.js';
import type { Envelope, PaxosValue } from '../../src/paxos/messages.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import type { Storage } from '../../src/storage/storage.js';
import {
  createMemoryNetwork,
  type LinkFaults,
  type MemoryNetwork,
} from '../../src/transport/memoryNetwork.js';

export interface CrashClusterOptions {
  readonly members: readonly string[];
  readonly seed: number;
  readonly faults?: Partial<LinkFaults>;
  /** Commit delay of each node's storage (slow disks widen the windows crashes hit). */
  readonly commitDelayMs?: Readonly<Record<string, number>>;
  /** Wraps each node's storage as the node sees it (control cases: a lying or forgetful disk). */
  readonly wrapStorage?: (storage: MemoryStorage) => Storage;
  /** The owner fast path (default on, as in a node). */
  readonly ownerFastPath?: boolean;
}

export interface AskOutcome {
  readonly node: string;
  readonly key: string;
  readonly asked: PaxosValue;
  answer?: PaxosValue;
  error?: string;
}

const TIMING = { phaseTimeoutMs: 20, takeoverMs: 40, backoffMaxMs: 400 };

export class CrashCluster {
  readonly clock = new VirtualClock();
  readonly network: MemoryNetwork;
  readonly storages = new Map<string, MemoryStorage>();
  readonly nodes = new Map<string, GenPaxosNode>();
  readonly violations: string[] = [];
  readonly asks: AskOutcome[] = [];
  /** Envelopes sent, in order (for scenario assertions). */
  readonly sent: Envelope[] = [];
  /** Crashes of running nodes, and the uncommitted writes they lost. */
  crashes = 0;
  lostWrites = 0;
  private readonly chosen = new Map<string, string>();
  private readonly lastRound = new Map<string, number>();
  private readonly lastPromised = new Map<string, Ballot | null>();
  private readonly decidedDurably = new Set<string>();
  private readonly random;
  private restarts = 0;

  constructor(private readonly options: CrashClusterOptions) {
    this.random = seededRandom(options.seed);
    this.network = createMemoryNetwork({
      clock: this.clock,
      random: seededRandom(options.seed ^ 0x5eed),
      ...(options.faults ? { faults: options.faults } : {}),
    });
    this.network.observe((kind, envelope) => {
      if (kind !== 'sent') return;
      this.sent.push(envelope);
      this.checkSent(envelope);
    });
    for (const id of options.members) {
      this.storages.set(
        id,
        new MemoryStorage({ clock: this.clock, commitDelayMs: options.commitDelayMs?.[id] ?? 0 }),
      );
    }
  }

  async startAll(): Promise<void> {
    for (const id of this.options.members) await this.start(id);
  }

  async start(id: string): Promise<GenPaxosNode> {
    const raw = this.storage(id);
    const node = await startLink({
      id,
      members: this.options.members,
      transport: this.network.connect(id),
      storage: this.options.wrapStorage ? this.options.wrapStorage(raw) : raw,
      clock: this.clock,
      random: seededRandom(this.options.seed * 31 + this.restarts++),
      timing: TIMING,
      askTimeoutMs: 1e9,
      ...(this.options.ownerFastPath !== undefined ? { ownerFastPath: this.options.ownerFastPath } : {}),
    });
    this.nodes.set(id, node);
    return node;
  }

  /** The node dies: its writes not yet committed are lost, its asks are abandoned. */
  crash(id: string): void {
    if (this.nodes.has(id)) {
      this.crashes++;
      this.lostWrites += this.storage(id).uncommittedKeys;
    }
    this.nodes.get(id)?.halt();
    this.nodes.delete(id);
    this.storage(id).crash();
  }

  async restart(id: string): Promise<GenPaxosNode> {
    this.crash(id);
    return this.start(id);
  }

  /** Control case: the node's disk is replaced by an empty one (amnesia), which the monitor must catch. */
  loseDisk(id: string): void {
    this.crash(id);
    this.storages.set(
      id,
      new MemoryStorage({ clock: this.clock, commitDelayMs: this.options.commitDelayMs?.[id] ?? 0 }),
    );
  }

  isUp(id: string): boolean {
    return this.nodes.has(id);
  }

  ask(id: string, key: string, value: PaxosValue): AskOutcome {
    const outcome: AskOutcome = { node: id, key, asked: value };
    this.asks.push(outcome);
    const node = this.nodes.get(id);
    if (!node) throw new Error(`node ${id} is down`);
    node.ask(key, value).then(
      (answer) => {
        outcome.answer = answer;
        this.noteChosen(key, answer, `answer to ${id}`);
      },
      (error: { code?: string }) => (outcome.error = error.code ?? String(error)),
    );
    return outcome;
  }

  storage(id: string): MemoryStorage {
    const storage = this.storages.get(id);
    if (!storage) throw new Error(`no node ${id}`);
    return storage;
  }

  durable(id: string, key: string): KeyRecord | undefined {
    return this.storage(id).loadDurable(key);
  }

  /** Fires the next timer (a delivery, a commit, a timeout) and lets promise chains settle. */
  async step(): Promise<boolean> {
    await settle();
    const ran = this.clock.runNext();
    await settle();
    this.checkStorage();
    return ran;
  }

  async runUntil(done: () => boolean, maxSteps = 200_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      if (done()) return;
      if (!(await this.step())) break;
    }
    if (!done()) throw new Error(`condition not reached (seed ${this.options.seed})`);
  }

  async runFor(ms: number): Promise<void> {
    const until = this.clock.now() + ms;
    for (;;) {
      const due = this.clock.nextDueMs();
      if (due === undefined || due > until) break;
      await this.step();
    }
    this.clock.advance(Math.max(0, until - this.clock.now()));
    await settle();
  }

  /** The value every up node has decided for `key`, or undefined until all agree. */
  decidedEverywhere(key: string): boolean {
    return [...this.nodes.values()].every((node) => node.read(key) !== undefined);
  }

  async stopAll(): Promise<void> {
    for (const node of this.nodes.values()) node.halt();
    this.nodes.clear();
  }

  private noteChosen(key: string, value: PaxosValue, where: string): void {
    const encoded = JSON.stringify(value);
    const known = this.chosen.get(key);
    if (known === undefined) this.chosen.set(key, encoded);
    else if (known !== encoded)
      this.violations.push(`agreement: key ${key} chose ${known} and ${encoded} (${where})`);
  }

  private checkSent(envelope: Envelope): void {
    const { from, to, key, message } = envelope;
    const record = this.durable(from, key);
    const decided = record?.decided !== null && record?.decided !== undefined;
    const coveredBy = (durable: Ballot | null | undefined, revealed: Ballot) =>
      decided || (durable !== null && durable !== undefined && compareBallots(durable, revealed) >= 0);
    const reveal = (what: string, durable: Ballot | null | undefined, revealed: Ballot) => {
      if (!coveredBy(durable, revealed))
        this.violations.push(
          `persist-before-send: ${from} sent ${what} ${formatBallot(revealed)} for ${key} with ${formatBallot(durable ?? null)} on disk`,
        );
    };
    switch (message.type) {
      case 'prepare': {
        reveal('prepare', record?.promised, message.ballot);
        const slot = `${from}|${key}|${to}`;
        const last = this.lastRound.get(slot);
        if (last !== undefined && message.ballot.round <= last)
          this.violations.push(
            `ballot reused: ${from} prepared round ${message.ballot.round} for ${key} after ${last}`,
          );
        this.lastRound.set(slot, message.ballot.round);
        return;
      }
      case 'propose':
        // The owner's round 0 reveals nothing of its own: it does not vote in it (owner.ts).
        if (message.ballot.round !== 0) reveal('propose', record?.promised, message.ballot);
        return;
      case 'promise':
        reveal('promise', record?.promised, message.ballot);
        return;
      case 'acknowledge':
        reveal('acknowledge', record?.accepted?.ballot, message.ballot);
        return;
      case 'reject':
        reveal('reject', record?.promised, message.promised);
        return;
      case 'decide':
        this.noteChosen(key, message.value, `decide from ${from}`);
        return;
    }
  }

  private checkStorage(): void {
    for (const [id, storage] of this.storages) {
      for (const key of storage.durableKeys()) {
        const slot = `${id}|${key}`;
        if (this.decidedDurably.has(slot)) continue;
        const record = storage.loadDurable(key) as KeyRecord;
        if (record.decided !== null) {
          this.decidedDurably.add(slot);
          this.noteChosen(key, record.decided.value, `storage of ${id}`);
          continue;
        }
        const before = this.lastPromised.get(slot) ?? null;
        if (compareBallots(record.promised, before) < 0)
          this.violations.push(
            `promised decreased: ${id} ${key} from ${formatBallot(before)} to ${formatBallot(record.promised)}`,
          );
        this.lastPromised.set(slot, record.promised);
      }
      for (const [slot] of this.lastPromised) {
        const [owner, key] = slot.split('|') as [string, string];
        if (owner === id && storage.loadDurable(key) === undefined && this.lastPromised.get(slot) !== null)
          this.violations.push(`promised decreased: ${id} ${key} forgot its promise`);
      }
    }
  }

  /** Draws from the cluster's seeded source (for randomised scenarios). */
  draw(): number {
    return this.random.next();
  }
}

/** Lets every promise chain that is ready run (microtasks drain before setImmediate fires). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
