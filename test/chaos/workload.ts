// The chaos clients: several connections to every node, each shared by a few sequential workers
// (each one a "process" of the history). Workers ask and read without pause while the nemesis
// works, over three kinds of keys:
//   hot-*   a few keys every worker keeps asking for the whole run (decided early; every later
//           answer must be that value);
//   wave-*  a small set per time window that every worker asks while it is undecided, so
//           proposers duel exactly while nodes die, stop and lose links;
//   key-*   fresh keys, one worker each, so many keys are decided throughout.
// Reads go to keys already asked, and to the current wave (often not decided yet: null).
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { RandomSource } from '../../src/base/random.js';
import type { GenPaxosClient } from '../../src/transport/client/client.js';
import type { ChaosCluster } from './chaosCluster.js';
import { sleep } from './chaosCluster.js';
import { ClientConnection } from './clientConnection.js';
import type { HistoryRecorder, Outcome } from '../support/history/recorder.js';
import { recordRead } from './recording.js';

export interface WorkloadOptions {
  readonly recorder: HistoryRecorder;
  readonly random: RandomSource;
  /** Connections per node. Default 2. */
  readonly connectionsPerNode?: number;
  /** Sequential workers sharing each connection. Default 3. */
  readonly workersPerConnection?: number;
  /** Default 3. */
  readonly hotKeys?: number;
  /** Keys per wave, and how long a wave lasts. Default 4 keys, 1500 ms. */
  readonly waveKeys?: number;
  readonly waveMs?: number;
  /** The node's ask timeout, drawn per ask. Default 1000..5000 ms. */
  readonly askTimeoutMs?: readonly [number, number];
  /** Pause between two operations of one worker. Default 10..60 ms. */
  readonly thinkMs?: readonly [number, number];
  /**
   * 'quorum' (default): reads are linearizable quorum reads (`read --quorum`), checked as such.
   * 'local': each node's own knowledge, which may say "not decided" for a decided key.
   */
  readonly reads?: 'quorum' | 'local';
}

export interface WorkloadCounts {
  asks: number;
  reads: number;
  ok: number;
  info: number;
  fail: number;
}

export class Workload {
  /** Every key an operation was invoked on. */
  readonly keys = new Set<string>();
  readonly counts: WorkloadCounts = { asks: 0, reads: 0, ok: 0, info: 0, fail: 0 };
  private readonly connections: ClientConnection[] = [];
  private readonly workers: Promise<void>[] = [];
  private readonly asked = new Set<string>();
  private readonly askedKeys: string[] = [];
  private stopping = false;
  private startedMs = 0;
  private fresh = 0;

  constructor(
    private readonly cluster: ChaosCluster,
    private readonly options: WorkloadOptions,
  ) {}

  start(): void {
    this.startedMs = Date.now();
    const perNode = this.options.connectionsPerNode ?? 2;
    const perConnection = this.options.workersPerConnection ?? 3;
    for (const node of this.cluster.ids)
      for (let c = 0; c < perNode; c++) {
        const connection = new ClientConnection(node, this.cluster.url(node), {
          ...this.cluster.clientOptions,
          name: `chaos-${node}-c${c}`,
          connectTimeoutMs: 3_000,
          // The slack on top of an ask's own timeout, and the deadline of a read.
          requestTimeoutMs: 4_000,
        });
        this.connections.push(connection);
        for (let w = 0; w < perConnection; w++)
          this.workers.push(this.work(connection, `${node}/c${c}/w${w}`));
      }
  }

  /** No new operations; resolves once every operation in flight completed (ok or info). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
    await Promise.all(this.connections.map((connection) => connection.close()));
  }

  private async work(connection: ClientConnection, process: string): Promise<void> {
    const [thinkMin, thinkMax] = this.options.thinkMs ?? [10, 60];
    for (let seq = 0; !this.stopping; seq++) {
      let client: GenPaxosClient;
      try {
        client = await connection.get();
      } catch {
        // The node is down or stopped: nothing was invoked, try again shortly.
        await sleep(this.between(100, 300));
        continue;
      }
      const outcome = await this.operate(client, process, seq);
      this.counts[outcome.type]++;
      if (outcome.type !== 'ok' && LOST.includes(codeOf(outcome.error) as string)) connection.lost(client);
      await sleep(this.between(thinkMin, thinkMax));
    }
  }

  private operate(client: GenPaxosClient, process: string, seq: number): Promise<Outcome> {
    const r = this.options.random;
    const { recorder } = this.options;
    const wave = this.waveKey();
    if (r.next() < 0.2) {
      this.counts.reads++;
      const key =
        r.next() < 0.5 || this.askedKeys.length === 0
          ? wave
          : (this.askedKeys[Math.floor(r.next() * this.askedKeys.length)] as string);
      this.keys.add(key);
      const quorum = (this.options.reads ?? 'quorum') === 'quorum';
      return recordRead(recorder, process, key, () => client.read(key, { quorum }));
    }
    this.counts.asks++;
    const draw = r.next();
    const key =
      draw < 0.25
        ? `hot-${Math.floor(r.next() * (this.options.hotKeys ?? 3))}`
        : draw < 0.7
          ? wave
          : `key-${this.fresh++}`;
    if (!this.asked.has(key)) this.askedKeys.push(key);
    this.asked.add(key);
    this.keys.add(key);
    const value: PaxosValue = `${process}#${seq}`;
    const [min, max] = this.options.askTimeoutMs ?? [1_000, 5_000];
    const timeoutMs = this.between(min, max);
    return recorder.ask(process, key, value, () => client.ask(key, value, { timeoutMs }));
  }

  private waveKey(): string {
    const wave = Math.floor((Date.now() - this.startedMs) / (this.options.waveMs ?? 1_500));
    return `wave-${wave}-${Math.floor(this.options.random.next() * (this.options.waveKeys ?? 4))}`;
  }

  private between(min: number, max: number): number {
    return min + Math.floor(this.options.random.next() * (max - min + 1));
  }
}

/** Errors after which a connection is replaced (a paused node's may never answer again). */
const LOST = ['WIRE_ERR_CONNECTION_CLOSED', 'WIRE_ERR_REQUEST_TIMEOUT'];

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}
