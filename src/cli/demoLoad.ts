// The work `gen-paxos demo --ui` gives its cluster so there is something to watch: a new key at
// a steady pace, every third one asked by every running node at once with its own value
// (contended: duelling proposers, one value wins), the others by one node in turn. Asks that
// fail (a node crashed, no majority reachable) are counted, not retried: the next key comes.
import type { DemoClients } from './demoClients.js';
import type { LocalCluster } from './localCluster.js';

export interface DemoLoadOptions {
  /** New keys per second. */
  readonly keysPerSecond: number;
  /** Stop asking after this many keys (default: until stopped). */
  readonly maxKeys?: number;
  /** The node's ask timeout. Default 5000 ms. */
  readonly askTimeoutMs?: number;
  /** Asks waiting at once; beyond it a key is skipped (the cluster has no majority). Default 64. */
  readonly maxInFlight?: number;
}

export interface DemoLoadStats {
  keys: number;
  asks: number;
  decided: number;
  failed: number;
}

export const emptyLoadStats = (): DemoLoadStats => ({ keys: 0, asks: 0, decided: 0, failed: 0 });

/** What asks keys in `demo --ui`: this steady load, or the teaching one (teachLoad.ts). */
export interface DemoWorkload {
  readonly stats: DemoLoadStats;
  /** While true, no new key is asked. */
  paused: boolean;
  start(): void;
  /** Stops asking; resolves when the asks in flight have ended. */
  stop(): Promise<void>;
}

export class DemoLoad implements DemoWorkload {
  paused = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private inFlight = new Set<Promise<void>>();
  private turn = 0;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly clients: DemoClients,
    private readonly options: DemoLoadOptions,
    readonly stats: DemoLoadStats = emptyLoadStats(),
  ) {}

  start(): void {
    this.timer = setInterval(() => this.nextKey(), 1000 / this.options.keysPerSecond);
  }

  /** Stops asking; resolves when the asks in flight have ended. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.inFlight);
  }

  private nextKey(): void {
    const { maxKeys, maxInFlight = 64 } = this.options;
    if (this.paused || (maxKeys !== undefined && this.stats.keys >= maxKeys)) return;
    const running = this.cluster.ids.filter((id) => this.cluster.node(id));
    if (running.length === 0 || this.inFlight.size >= maxInFlight) return;
    const k = this.stats.keys++;
    const key = `key-${k}`;
    const askers = k % 3 === 0 ? running : [running[this.turn++ % running.length] as string];
    for (const id of askers) this.ask(id, key, `${id}-value-${k}`);
  }

  private ask(id: string, key: string, value: string): void {
    this.stats.asks++;
    const timeoutMs = this.options.askTimeoutMs ?? 5000;
    const done = this.clients
      .with(id, (client) => client.ask(key, value, { timeoutMs }))
      .then(
        () => void this.stats.decided++,
        () => void this.stats.failed++,
      )
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }
}
