// The world a scenario runs in: real gen-paxos nodes (`startLink`) on one VirtualClock, an
// in-memory network (manual delivery by default) and in-memory storage per node, all seeded. It
// drives time and delivery, records what the checks need, and feeds the tracer. Public API only:
// startLink, GenPaxosNode, createMemoryNetwork, MemoryStorage, VirtualClock, seededRandom, inspect,
// imported from the package's entry points (src/index.ts, src/testing.ts) so file moves do not matter.
import {
  createMemoryNetwork,
  MemoryStorage,
  paxosFsm,
  seededRandom,
  startLink,
  type Envelope,
  type GenPaxosNode,
  type instanceMachine,
  type MemoryNetwork,
  type PaxosValue,
  type RestartIntensity,
  type Transport,
} from '../../src/index.js';
import { VirtualClock, type RandomSource } from '../../src/testing.js';
import { describeMessage, describeRecord } from '../support/trace.js';
import { ScenarioCommandError, showValue } from './args.js';
import { Tracer } from './tracer.js';

export interface WorldOptions {
  readonly members: readonly string[];
  readonly seed: number;
  /** `manual`: messages wait for `deliver`; `auto`: the clock delivers them after `delayMs`. */
  readonly delivery: 'manual' | 'auto';
  readonly delayMs: { readonly min: number; readonly max: number };
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly commitDelayMs: number;
  readonly ownerFastPath: boolean;
  readonly acceptorFastPath: boolean;
  readonly askTimeoutMs?: number;
  readonly instanceLogic?: typeof instanceMachine;
  readonly restartIntensity?: RestartIntensity;
}

/** An ask made by the scenario, and what became of it. */
export interface AskRecord {
  readonly node: string;
  readonly key: string;
  readonly value: PaxosValue;
  status: 'pending' | 'decided' | 'failed';
  answer?: PaxosValue;
  code?: string;
}

/** A prepare or propose that left a node, for the ballot checks. */
export interface BallotUse {
  readonly from: string;
  readonly key: string;
  readonly type: 'prepare' | 'propose';
  readonly round: number;
  readonly ballotNode: string;
  readonly value?: PaxosValue;
  /** Which start of the sending node sent it (1 for the first). */
  readonly incarnation: number;
}

const MAX_SETTLE_STEPS = 100_000;
const MAX_DELIVERIES = 100_000;

/** Lets every queued promise callback (and the callbacks they queue) run. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class ScenarioWorld {
  readonly clock = new VirtualClock();
  readonly random: RandomSource;
  readonly network: MemoryNetwork;
  readonly tracer = new Tracer(() => this.clock.now());
  readonly storages = new Map<string, MemoryStorage>();
  readonly asks: AskRecord[] = [];
  readonly ballotUses: BallotUse[] = [];
  /** Every key a message, an ask or a store has named. */
  readonly keys = new Set<string>();
  /** Values that entered other than by an ask (injected messages, paxosFsm starts), by key. */
  readonly otherValues = new Map<string, PaxosValue[]>();
  /** paxosFsm instances started by the scenario: subject → value it proposed. */
  readonly fsmSubjects = new Map<string, PaxosValue>();
  /** Removers of the `drop` rules in force, by their canonical text. */
  readonly dropRules = new Map<string, () => void>();
  private readonly nodes = new Map<string, GenPaxosNode>();
  private readonly transports = new Map<string, Transport>();
  private readonly incarnations = new Map<string, number>();
  private readonly outsiders = new Map<string, Transport>();
  private injecting = false;

  constructor(readonly options: WorldOptions) {
    this.random = seededRandom(options.seed);
    this.network = createMemoryNetwork({
      clock: this.clock,
      random: this.random,
      delivery: options.delivery === 'manual' ? 'manual' : 'scheduled',
      faults: { delayMs: options.delayMs, dropRate: options.dropRate, duplicateRate: options.duplicateRate },
    });
    this.network.observe((kind, envelope) => this.observeNetwork(kind, envelope));
    for (const id of options.members) this.storages.set(id, this.newStorage(id));
  }

  get members(): readonly string[] {
    return this.options.members;
  }

  async start(): Promise<void> {
    for (const id of this.members) await this.startNode(id);
    await this.settle();
  }

  node(id: string): GenPaxosNode {
    const node = this.nodes.get(id);
    if (node) return node;
    if (!this.members.includes(id)) throw new ScenarioCommandError(`${id} is not a member`);
    throw new ScenarioCommandError(`node ${id} is not running (crashed)`);
  }

  /** The running nodes, in member order. */
  get running(): GenPaxosNode[] {
    return this.members.flatMap((id) => this.nodes.get(id) ?? []);
  }

  storage(id: string): MemoryStorage {
    const storage = this.storages.get(id);
    if (!storage) throw new ScenarioCommandError(`${id} is not a member`);
    return storage;
  }

  /** Starts an ask; its result is traced when it settles. */
  ask(id: string, key: string, value: PaxosValue, timeoutMs?: number): void {
    const node = this.node(id);
    const record: AskRecord = { node: id, key, value, status: 'pending' };
    this.asks.push(record);
    this.keys.add(key);
    const call = `ask(${JSON.stringify(key)}, ${showValue(value)})`;
    node.ask(key, value, timeoutMs !== undefined ? { timeoutMs } : {}).then(
      (answer) => {
        record.status = 'decided';
        record.answer = answer;
        this.tracer.add('asks', id, `${call} → ${showValue(answer)}`);
      },
      (error: { code?: string }) => {
        record.status = 'failed';
        record.code = error.code ?? String(error);
        this.tracer.add('asks', id, `${call} failed: ${record.code}`);
      },
    );
  }

  /** A crash: the node stops at once; writes not yet durable are lost (with `wipe`, all of them). */
  crash(id: string, wipe: boolean): void {
    const node = this.node(id);
    const storage = this.storage(id);
    const lost = storage.uncommittedKeys;
    node.halt();
    this.nodes.delete(id);
    this.transports.delete(id);
    storage.crash();
    if (wipe) this.storages.set(id, this.newStorage(id));
    const what = wipe ? 'disk wiped' : lost === 0 ? 'nothing lost' : `${lost} key(s) not yet durable lost`;
    this.tracer.always(id, `crashed (${what})`);
  }

  async restart(id: string): Promise<void> {
    if (this.nodes.has(id)) throw new ScenarioCommandError(`node ${id} is running`);
    this.storage(id); // a member?
    this.tracer.always(id, 'restarted');
    await this.startNode(id);
  }

  /**
   * Sends `envelope` as if `envelope.from` had: through its transport if it is a running node,
   * else through an outsider's link (a non-member). Not a node's own behaviour: the ballot
   * checks ignore it, and its value counts as proposed.
   */
  inject(envelope: Envelope): void {
    const { from } = envelope;
    let transport = this.transports.get(from);
    if (!transport) {
      if (this.members.includes(from))
        throw new ScenarioCommandError(`inject: ${from} is a member that is not running`);
      transport = this.outsiders.get(from) ?? this.network.connect(from);
      this.outsiders.set(from, transport);
    }
    const message = envelope.message;
    if (message.type === 'propose' || message.type === 'decide' || message.type === 'forward')
      this.otherValue(envelope.key, message.value);
    this.injecting = true;
    try {
      transport.send(envelope);
    } finally {
      this.injecting = false;
    }
  }

  otherValue(key: string, value: PaxosValue): void {
    this.keys.add(key);
    this.otherValues.set(key, [...(this.otherValues.get(key) ?? []), value]);
  }

  /** Starts a paxosFsm instance (the teaching API) on this world's network and clock. */
  startFsm(subject: string, initN: number, value: PaxosValue, others: readonly string[]): void {
    paxosFsm.start(subject, initN, value, others, {
      network: this.network,
      clock: this.clock,
      inspect: (event) => this.tracer.inspect(subject, event),
      onDecided: (decided) => this.tracer.add('events', subject, `decided ${showValue(decided)}`),
    });
    this.fsmSubjects.set(subject, value);
    this.otherValue('paxos_fsm', value);
  }

  // --- time and delivery -------------------------------------------------------------------

  /** Runs what is due now (promise callbacks, zero-delay timers such as commits) until nothing is. */
  async settle(): Promise<void> {
    for (let step = 0; ; step++) {
      await drainMicrotasks();
      const next = this.clock.nextDueMs();
      if (next === undefined || next > this.clock.now()) return;
      if (step > MAX_SETTLE_STEPS) throw new ScenarioCommandError('timers keep firing without time passing');
      this.clock.runNext();
    }
  }

  /** Delivers in-flight messages matching `match`, oldest first: `limit` of them, or until none is left. */
  async deliver(limit: number | 'all', match: (envelope: Envelope) => boolean): Promise<number> {
    this.requireManual('deliver');
    await this.settle();
    let delivered = 0;
    while (limit === 'all' || delivered < limit) {
      if (!this.network.deliverNext(match)) break;
      delivered++;
      if (delivered > MAX_DELIVERIES)
        throw new ScenarioCommandError(`still delivering after ${MAX_DELIVERIES} messages: a message loop?`);
      await this.settle();
    }
    return delivered;
  }

  /** Advances virtual time by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    this.requireSeededTimers('advance');
    const until = this.clock.now() + ms;
    for (;;) {
      await this.settle();
      const next = this.clock.nextDueMs();
      if (next === undefined || next > until) break;
      this.clock.runNext();
    }
    this.clock.advance(until - this.clock.now());
    await this.settle();
  }

  /**
   * Runs until `done()`: in manual mode every message in flight is delivered (oldest first)
   * before time moves to the next timer. Fails if nothing is left to run, or at the deadline.
   */
  async run(done: () => boolean, what: string, maxMs: number): Promise<void> {
    this.requireSeededTimers('run');
    const deadline = this.clock.now() + maxMs;
    for (let step = 0; ; step++) {
      await this.settle();
      if (done()) return;
      if (step > MAX_DELIVERIES) throw new ScenarioCommandError(`run ${what}: not done after ${step} steps`);
      if (this.options.delivery === 'manual' && this.network.deliverNext()) continue;
      const next = this.clock.nextDueMs();
      if (next === undefined)
        throw new ScenarioCommandError(`run ${what}: stuck at ${this.clock.now()} ms, nothing left to run`);
      if (next > deadline) throw new ScenarioCommandError(`run ${what}: not done by ${deadline} ms`);
      this.clock.runNext();
    }
  }

  /** No message in flight and no timer waiting. */
  get quiet(): boolean {
    return this.network.inFlight().length === 0 && this.clock.pendingTimers === 0;
  }

  async close(): Promise<void> {
    for (const subject of this.fsmSubjects.keys())
      if (paxosFsm.running().includes(subject)) paxosFsm.stop(subject);
    await Promise.all([...this.nodes.values()].map((node) => node.stop()));
    this.nodes.clear();
    for (const transport of this.outsiders.values()) await transport.close();
  }

  /**
   * paxosFsm draws its instances' backoff jitter from Math.random (its API takes no random
   * source): while one is undecided, its timers would make the trace differ from run to run.
   */
  private requireSeededTimers(command: string): void {
    const undecided = [...this.fsmSubjects.keys()].filter(
      (subject) => paxosFsm.running().includes(subject) && paxosFsm.getResult(subject).state !== 'decided',
    );
    if (undecided.length > 0)
      throw new ScenarioCommandError(
        `${command}: paxosFsm instance(s) ${undecided.join(', ')} undecided; their retry timers are not seeded, so drive them with deliver only`,
      );
  }

  private requireManual(command: string): void {
    if (this.options.delivery !== 'manual')
      throw new ScenarioCommandError(
        `${command}: the clock delivers messages here (delivery=auto); use advance or run`,
      );
  }

  // --- wiring --------------------------------------------------------------------------------

  private newStorage(id: string): MemoryStorage {
    const storage = new MemoryStorage({ clock: this.clock, commitDelayMs: this.options.commitDelayMs });
    storage.observe((event) => {
      if (event.type === 'write') {
        this.keys.add(event.key);
        this.tracer.add('disk', id, `write ${event.key}: ${describeRecord(event.record)}`);
      } else this.tracer.add('disk', id, `commit ${event.keys.join(', ')} (durable)`);
    });
    return storage;
  }

  private async startNode(id: string): Promise<void> {
    const transport = this.network.connect(id);
    // Counted before the node starts: it may send as it starts (resuming keys it had accepted).
    this.incarnations.set(id, (this.incarnations.get(id) ?? 0) + 1);
    const { options } = this;
    const node = await startLink({
      id,
      members: this.members,
      transport,
      storage: this.storage(id),
      clock: this.clock,
      random: this.random,
      ownerFastPath: options.ownerFastPath,
      acceptorFastPath: options.acceptorFastPath,
      ...(options.askTimeoutMs !== undefined ? { askTimeoutMs: options.askTimeoutMs } : {}),
      ...(options.instanceLogic ? { instanceLogic: options.instanceLogic } : {}),
      ...(options.restartIntensity ? { restartIntensity: options.restartIntensity } : {}),
      inspect: (event) => this.tracer.inspect(id, event),
      // The traces tell which keys ran in an instance actor: live instances only, no witnesses.
      inspectInstanceLess: false,
    });
    node.on('*', (emitted) => this.tracer.nodeEvent(id, emitted));
    this.nodes.set(id, node);
    this.transports.set(id, transport);
  }

  private observeNetwork(kind: string, envelope: Envelope): void {
    const where = `${envelope.from} → ${envelope.to}`;
    // Reserved keys (`\0cfg`: membership messages) are shown with their NUL escaped.
    const what = `${describeMessage(envelope.message)} for ${envelope.key.replaceAll('\u0000', '\\0')}`;
    if (kind === 'delivered') this.tracer.add('msgs', where, what);
    else if (kind === 'dropped') this.tracer.add('msgs', where, `${what} LOST`);
    else if (kind === 'sent') this.recordSent(envelope);
  }

  private recordSent(envelope: Envelope): void {
    this.keys.add(envelope.key);
    const { message } = envelope;
    if (this.injecting || (message.type !== 'prepare' && message.type !== 'propose')) return;
    this.ballotUses.push({
      from: envelope.from,
      key: envelope.key,
      type: message.type,
      round: message.ballot.round,
      ballotNode: message.ballot.node,
      ...(message.type === 'propose' ? { value: message.value } : {}),
      incarnation: this.incarnations.get(envelope.from) ?? 0,
    });
  }
}
