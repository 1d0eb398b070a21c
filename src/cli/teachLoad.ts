// The work `gen-paxos demo --ui --teach` gives its cluster: one key at a time, so a learner can
// follow each. Keys are named `colour-N` and each node asks for its own colour (n1 "red", n2
// "blue", …); every other key is asked by two nodes at once, a duel: both run phase 1, one
// ballot wins, and the loser learns (or must adopt) the winner's value. The next key comes a
// few seconds after the last one settled; asks wait up to a minute (delivery by hand is slow).
import type { DemoClients } from './demoClients.js';
import type { DemoLoadStats, DemoWorkload } from './demoLoad.js';
import type { LocalCluster } from './localCluster.js';

/** A colour per node, in member order: the values learners see. */
export const TEACH_COLOURS = ['red', 'blue', 'green', 'amber', 'violet', 'teal', 'pink', 'grey', 'brown'];

/** Node `id`'s colour in the teaching demo (n1 red, n2 blue, …). */
export function colourOf(id: string, ids: readonly string[]): string {
  return TEACH_COLOURS[ids.indexOf(id) % TEACH_COLOURS.length] ?? 'white';
}

export interface TeachLoadOptions {
  /** Wait after a key settled before the next. Default 3000 ms. */
  readonly gapMs?: number;
  /** The node's ask timeout. Default 60 000 ms (the longest a client may ask for). */
  readonly askTimeoutMs?: number;
  /** Stop asking once the demo asked this many keys (default: until stopped). */
  readonly maxKeys?: number;
}

export class TeachLoad implements DemoWorkload {
  paused = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private nextAt = 0;
  private count = 0;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly clients: DemoClients,
    readonly stats: DemoLoadStats,
    private readonly options: TeachLoadOptions = {},
  ) {}

  start(): void {
    this.nextAt = Date.now() + 1000;
    this.timer = setInterval(() => this.tick(), 250);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.inFlight);
  }

  private tick(): void {
    if (this.paused || this.inFlight.size > 0 || Date.now() < this.nextAt) return;
    const { maxKeys } = this.options;
    if (maxKeys !== undefined && this.stats.keys >= maxKeys) return;
    const running = this.cluster.ids.filter((id) => this.cluster.node(id));
    if (running.length === 0) return;
    const k = ++this.count;
    this.stats.keys++;
    const key = `colour-${k}`;
    // Odd keys: one node asks. Even keys: two neighbours ask at once, a duel.
    const first = running[Math.floor(k / 2) % running.length] as string;
    const second = running[(Math.floor(k / 2) + 1) % running.length] as string;
    const askers = k % 2 === 0 && running.length > 1 ? [first, second] : [first];
    for (const id of askers) this.ask(id, key, colourOf(id, this.cluster.ids));
  }

  private ask(id: string, key: string, value: string): void {
    this.stats.asks++;
    const timeoutMs = this.options.askTimeoutMs ?? 60_000;
    const done = this.clients
      .with(id, (client) => client.ask(key, value, { timeoutMs }))
      .then(
        () => void this.stats.decided++,
        () => void this.stats.failed++,
      )
      .finally(() => {
        this.inFlight.delete(done);
        this.nextAt = Date.now() + (this.options.gapMs ?? 3000);
      });
    this.inFlight.add(done);
  }
}
