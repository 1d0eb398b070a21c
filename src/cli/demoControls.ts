// The controls of `gen-paxos demo --ui`, carried out on the demo's own node processes: crash
// (SIGKILL) and restart (same port and data directory, so the node resumes its durable state),
// cut a node off from its peers (both sides block each other) and heal, loss or delay on every
// link; for teaching, the switch to classic Paxos (every node restarted with the owner fast path
// off) with the teaching workload, delivery by hand (every node holds its outbound messages
// until released one by one), asks from the page, and pausing the demo's own asks. Faults are
// set through the client protocol (nodes run with --allow-fault-injection) and set again on a
// node that restarts. Every action is reported to the view as a note, every fault change as a
// `faults` event.
import type { ClusterFeed } from '../inspect/view/clusterFeed.js';
import type { ControlRequest, ControlState, ViewControls } from '../inspect/view/viewControls.js';
import type { LinkFaultSpec } from '../transport/wire/frames.js';
import type { DemoClients } from './demoClients.js';
import type { DemoWorkload } from './demoLoad.js';
import type { LocalCluster } from './localCluster.js';

/** Which workload and node flags the demo runs; `extraArgs` of the cluster reads `teach`. */
export interface DemoMode {
  teach: boolean;
}

export interface DemoControlsOptions {
  readonly cluster: LocalCluster;
  readonly clients: DemoClients;
  readonly feed: ClusterFeed;
  readonly mode: DemoMode;
  /** Builds the workload of a mode (the steady load, or the teaching one), not yet started. */
  readonly workload: (teach: boolean) => DemoWorkload;
  /** The link faults teaching mode starts with (slow motion). */
  readonly teachNetwork: { readonly dropRate: number; readonly delayMs: number; readonly jitterMs: number };
  /** How long an ask from the page may wait. Default 60 000 ms. */
  readonly askTimeoutMs?: number;
}

export class DemoControls implements ViewControls {
  private isolated = new Set<string>();
  private network = { dropRate: 0, delayMs: 0, jitterMs: 0 };
  private hold = false;
  private current: DemoWorkload;
  /** One control at a time: a restart takes a moment, and a crash in the middle of it would race. */
  private busy: Promise<unknown> = Promise.resolve();
  private readonly asks = new Set<Promise<void>>();

  constructor(private readonly options: DemoControlsOptions) {
    this.current = options.workload(options.mode.teach);
    if (options.mode.teach) this.network = { ...options.teachNetwork };
  }

  get nodes(): readonly string[] {
    return this.options.cluster.ids;
  }

  /** The workload running now (its stats are the demo's). */
  get workload(): DemoWorkload {
    return this.current;
  }

  state(): ControlState {
    return {
      teach: this.options.mode.teach,
      hold: this.hold,
      autoAsk: !this.current.paused,
      ...this.network,
    };
  }

  /** Sets every node's faults (teaching mode starts slowed down) and starts the workload. */
  async start(): Promise<void> {
    if (this.options.mode.teach) await this.applyFaults(this.nodes);
    this.current.start();
  }

  /** Stops the workload and waits for the page's asks. */
  async stop(): Promise<void> {
    await this.current.stop();
    await Promise.all(this.asks);
  }

  run(request: ControlRequest): Promise<string> {
    const next = this.busy.then(() => this.carryOut(request));
    this.busy = next.catch(() => {});
    return next;
  }

  private async carryOut(request: ControlRequest): Promise<string> {
    const { cluster, clients } = this.options;
    switch (request.action) {
      case 'crash': {
        if (!cluster.node(request.node)) throw new Error(`${request.node} is not running`);
        clients.drop(request.node);
        await cluster.kill(request.node, 'SIGKILL');
        return this.note(`${request.node} crashed (SIGKILL)`, request.node);
      }
      case 'restart': {
        if (cluster.node(request.node)) throw new Error(`${request.node} is already running`);
        await cluster.spawn(request.node);
        await this.applyFaults([request.node]);
        return this.note(`${request.node} restarted on its data directory`, request.node);
      }
      case 'isolate':
        this.isolated.add(request.node);
        await this.applyFaults(this.nodes);
        return this.note(`${request.node} cut off from its peers`, request.node);
      case 'heal':
        this.isolated.clear();
        await this.applyFaults(this.nodes);
        return this.note('partitions healed');
      case 'network': {
        const { dropRate, delayMs } = request;
        // Jitter reorders messages, which Paxos must (and does) tolerate.
        this.network = { dropRate, delayMs, jitterMs: request.jitterMs ?? Math.round(delayMs / 2) };
        await this.applyFaults(this.nodes);
        return this.note(`every link: ${Math.round(dropRate * 100)}% loss, ${delayMs} ms delay`);
      }
      case 'teach':
        return this.switchMode(request.on);
      case 'hold':
        this.hold = request.on;
        await this.applyFaults(this.nodes);
        return this.note(
          request.on
            ? 'delivery by hand: every message waits for you, and the nodes’ timers stand still'
            : 'delivery by hand off: what waited is delivered, timers run again',
        );
      case 'release': {
        const released = await clients.with(request.node, (client) =>
          client.release(request.id, request.how),
        );
        if (released === 0) throw new Error(`${request.node} holds no message #${request.id}`);
        return `${request.how === 'deliver' ? 'delivered' : request.how === 'drop' ? 'dropped' : 'duplicated'} ${request.node}'s message #${request.id}`;
      }
      case 'release-all': {
        const counts = await Promise.all(
          this.running().map((id) => clients.with(id, (client) => client.release('all', 'deliver'))),
        );
        return `delivered ${counts.reduce((a, b) => a + b, 0)} held messages`;
      }
      case 'ask':
        return this.ask(request.node, request.key, request.value);
      case 'autoask':
        this.current.paused = !request.on;
        return this.note(request.on ? 'the demo asks keys again' : 'the demo stopped asking keys');
    }
  }

  /** Restarts every running node with the flags of the mode, and swaps the workload. */
  private async switchMode(teach: boolean): Promise<string> {
    const { cluster, clients, mode } = this.options;
    if (mode.teach === teach) return teach ? 'teaching mode is on' : 'teaching mode is off';
    const paused = this.current.paused;
    await this.current.stop();
    const running = this.running();
    for (const id of running) clients.drop(id);
    await Promise.all(running.map((id) => cluster.kill(id, 'SIGTERM')));
    mode.teach = teach;
    this.hold = false;
    this.network = teach ? { ...this.options.teachNetwork } : { dropRate: 0, delayMs: 0, jitterMs: 0 };
    await Promise.all(running.map((id) => cluster.spawn(id)));
    await this.applyFaults(running);
    this.current = this.options.workload(teach);
    this.current.paused = paused;
    this.current.start();
    return this.note(
      teach
        ? 'teaching mode: nodes restarted with classic Paxos (both phases for every key), one key at a time, slowed down'
        : 'teaching mode off: nodes restarted with their default paths, a steady stream of keys',
    );
  }

  private ask(node: string, key: string, value: string): string {
    if (!this.options.cluster.node(node)) throw new Error(`${node} is not running`);
    const timeoutMs = this.options.askTimeoutMs ?? 60_000;
    const done = this.options.clients
      .with(node, (client) => client.ask(key, value, { timeoutMs }))
      .then(
        (decided) => void this.note(`${node}'s ask for ${key} returned ${JSON.stringify(decided)}`, node),
        (error: Error) => void this.note(`${node}'s ask for ${key} failed: ${error.message}`, node),
      )
      .finally(() => this.asks.delete(done));
    this.asks.add(done);
    return this.note(`${node} asked ${key} = ${JSON.stringify(value)}`, node);
  }

  private running(): string[] {
    return this.nodes.filter((id) => this.options.cluster.node(id));
  }

  /** The faults node `id` should have now. */
  private faultsOf(id: string): LinkFaultSpec {
    const peers = this.nodes.filter((peer) => peer !== id);
    const blocked = this.isolated.has(id) ? peers : peers.filter((peer) => this.isolated.has(peer));
    return { blockOut: blocked, blockIn: blocked, ...this.network, hold: this.hold };
  }

  /** Sets the faults of the running nodes among `ids`; down nodes get theirs when restarted. */
  private async applyFaults(ids: readonly string[]): Promise<void> {
    await Promise.all(
      ids
        .filter((id) => this.options.cluster.node(id))
        .map(async (id) => {
          const faults = await this.options.clients.with(id, (client) => client.setFaults(this.faultsOf(id)));
          this.options.feed.publish({ type: 'faults', t: Date.now(), node: id, ...faults });
        }),
    );
  }

  private note(text: string, node?: string): string {
    this.options.feed.publish({ type: 'note', t: Date.now(), text, ...(node ? { node } : {}) });
    return text;
  }
}
