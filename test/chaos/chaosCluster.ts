// A LocalCluster of durable node processes (each with its own data directory, fault injection
// allowed) and the things a nemesis does to them: kill -9 and restart on the same data
// directory, SIGTERM and restart, SIGSTOP / SIGCONT, and link faults sent over a control
// connection per node. It tracks each node's state so faults compose, and it always cleans up:
// `destroy()` on the normal path, an exit hook otherwise.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCluster } from '../../src/cli/localCluster.js';
import type { LinkFaultSpec, NodeStatus } from '../../src/transport/wire/frames.js';
import { connectClient, type ClientOptions, type GenPaxosClient } from '../../src/transport/client/client.js';
import { atExit, killChildrenAndRemove } from './exitGuard.js';
import { CLI_MAIN } from './paths.js';

export type NodeState = 'up' | 'down' | 'paused';

export interface ChaosClusterOptions {
  readonly size: number;
  /** A fresh directory this cluster owns: secret, data directories, node logs. Removed by `destroy`. */
  readonly dir: string;
  /** Where node stderr goes (one file per node); default `dir/logs`. */
  readonly logDir?: string;
  readonly log?: (line: string) => void;
  /** The nodes' `--decided-log-entries`: small, so that restarted nodes catch up by reading in key order. */
  readonly decidedLogEntries?: number;
}

const CONTROL_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 10_000;

export class ChaosCluster {
  private readonly states = new Map<string, NodeState>();
  private readonly controls = new Map<string, Promise<GenPaxosClient>>();
  private destroyed = false;

  private constructor(
    readonly local: LocalCluster,
    private readonly options: ChaosClusterOptions,
    private readonly cancelExitHook: () => void,
  ) {
    for (const id of local.ids) this.states.set(id, 'up');
  }

  /** Starts every node on its own data directory and waits until each listens. */
  static async start(options: ChaosClusterOptions): Promise<ChaosCluster> {
    const logDir = options.logDir ?? join(options.dir, 'logs');
    mkdirSync(logDir, { recursive: true });
    // Hooked before the first spawn: the process may die while nodes are still starting.
    const cancelExitHook = atExit(() => killChildrenAndRemove(options.dir));
    try {
      const local = await LocalCluster.start({
        size: options.size,
        mainPath: CLI_MAIN,
        // The nemesis cuts, thins and slows links through `client.setFaults`.
        extraArgs: () => [
          '--allow-fault-injection',
          ...(options.decidedLogEntries !== undefined
            ? ['--decided-log-entries', String(options.decidedLogEntries)]
            : []),
        ],
        dir: options.dir,
        durable: true,
        logLevel: 'warn',
        // Node logs (JSON lines, warn and up) go to files, kept with the history of a failing run.
        onStderr: (id, line) => appendFileSync(join(logDir, `${id}.log`), `${line}\n`),
      });
      return new ChaosCluster(local, options, cancelExitHook);
    } catch (error) {
      // LocalCluster.start stopped what it had started.
      killChildrenAndRemove(options.dir);
      cancelExitHook();
      throw error;
    }
  }

  get ids(): readonly string[] {
    return this.local.ids;
  }

  /** What a client needs besides a node's URL. */
  get clientOptions(): ClientOptions {
    return { secret: this.local.clientSecret, cluster: this.local.cluster };
  }

  url(id: string): string {
    return this.local.urls[id] as string;
  }

  stateOf(id: string): NodeState {
    return this.states.get(id) as NodeState;
  }

  /** kill -9: no shutdown at all; the data directory stays as the kernel left it. */
  async crash(id: string): Promise<void> {
    this.states.set(id, 'down');
    this.dropControl(id);
    await this.local.kill(id, 'SIGKILL');
  }

  /** SIGTERM (a clean shutdown), SIGKILL if it takes longer than STOP_GRACE_MS. */
  async terminate(id: string): Promise<void> {
    const node = this.local.node(id);
    // A stopped process only acts on SIGTERM once it runs again.
    if (this.states.get(id) === 'paused') node?.child.kill('SIGCONT');
    this.states.set(id, 'down');
    this.dropControl(id);
    const timer = setTimeout(() => node?.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.local.kill(id, 'SIGTERM');
    clearTimeout(timer);
  }

  /** Starts node `id` again on its own data directory (it is refused as amnesiac otherwise). */
  async restart(id: string): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await this.local.spawn(id);
        this.states.set(id, 'up');
        return;
      } catch (error) {
        lastError = error;
        this.options.log?.(`restart ${id} attempt ${attempt} failed: ${(error as Error).message}`);
        await sleep(500 * attempt);
      }
    }
    throw lastError;
  }

  /** SIGSTOP: the process keeps its sockets but does nothing, like a long GC pause or a VM freeze. */
  pause(id: string): void {
    const node = this.local.node(id);
    if (!node || this.states.get(id) !== 'up') return;
    node.child.kill('SIGSTOP');
    this.states.set(id, 'paused');
  }

  resume(id: string): void {
    const node = this.local.node(id);
    if (!node || this.states.get(id) !== 'paused') return;
    node.child.kill('SIGCONT');
    this.states.set(id, 'up');
  }

  /** Sends node `id` its link faults. Throws if the node cannot be reached in time. */
  async setFaults(id: string, spec: LinkFaultSpec): Promise<void> {
    await this.withControl(id, (client) => client.setFaults(spec));
  }

  async status(id: string): Promise<NodeStatus> {
    return this.withControl(id, (client) => client.status());
  }

  /** SIGCONT what is paused, then stops every node (SIGTERM, SIGKILL after a grace) and removes `dir`. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const id of this.ids) this.resume(id);
    await Promise.all([...this.controls.keys()].map((id) => this.closeControl(id)));
    await this.local.stop(3_000);
    killChildrenAndRemove(this.options.dir);
    this.cancelExitHook();
  }

  private async withControl<T>(id: string, request: (client: GenPaxosClient) => Promise<T>): Promise<T> {
    try {
      return await request(await this.control(id));
    } catch (error) {
      // The connection may be stale (the node restarted): reconnect next time.
      this.dropControl(id);
      throw error;
    }
  }

  private control(id: string): Promise<GenPaxosClient> {
    let client = this.controls.get(id);
    if (!client) {
      client = connectClient(this.url(id), {
        ...this.clientOptions,
        name: `nemesis-${id}`,
        connectTimeoutMs: CONTROL_TIMEOUT_MS,
        requestTimeoutMs: CONTROL_TIMEOUT_MS,
      });
      // Unobserved rejections would crash the runner; the caller sees it through withControl.
      client.catch(() => {});
      this.controls.set(id, client);
    }
    return client;
  }

  private dropControl(id: string): void {
    void this.closeControl(id);
  }

  private async closeControl(id: string): Promise<void> {
    const client = this.controls.get(id);
    this.controls.delete(id);
    // A close handshake with a stopped or dying node may never finish: do not wait for it long.
    await Promise.race([
      client?.then(
        (c) => c.close().catch(() => {}),
        () => {},
      ),
      sleep(2_000),
    ]);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
