// A cluster of real node processes on one machine: `gen-paxos node` children on loopback, with
// free ports picked at run time and fresh credentials: a peer secret for the members, a client
// secret for clients (never the same), and an Ed25519 key per node, pinned by every peer
// (docs/security.md). Used by `gen-paxos demo` and by the
// integration tests (which kill -9 and restart members). The caller owns `dir` and removes it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LogLevel } from '../base/log.js';
import { freePorts } from './freePorts.js';
import { generateNodeKey, nodeKeyPem, type NodeKey } from '../base/nodeKey.js';

export interface LocalClusterOptions {
  readonly size: number;
  /** The compiled CLI (`dist/cli/main.js`) the children run. */
  readonly mainPath: string;
  /** Where the secret file goes. */
  readonly dir: string;
  readonly cluster?: string;
  /** Give each node a data directory under `dir` (durable state, amnesia checks); else `--memory`. */
  readonly durable?: boolean;
  readonly logLevel?: LogLevel;
  /** Each child's stderr (JSON log lines), line by line. */
  readonly onStderr?: (id: string, line: string) => void;
  /** Node.js flags for the children, before the script (`--cpu-prof`, heap sizes…). */
  readonly execArgv?: readonly string[];
  /** How long a child may take to print its "listening" line. Default 20 s. */
  readonly startTimeoutMs?: number;
  /** More flags for node `id`'s command line (the same at every restart). */
  readonly extraArgs?: (id: string) => readonly string[];
}

export interface LocalNode {
  readonly id: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

const HOST = '127.0.0.1';

export class LocalCluster {
  readonly ids: readonly string[];
  readonly urls: Readonly<Record<string, string>>;
  /** The peer secret: members only. */
  readonly secret: string;
  readonly secretFile: string;
  /** What clients authenticate with (`connectClient`, `--secret-file` of `ask`). */
  readonly clientSecret: string;
  readonly clientSecretFile: string;
  /** Each node's identity key; its public half is pinned by every peer. */
  readonly keys: Readonly<Record<string, NodeKey>>;
  readonly cluster: string;
  private readonly running = new Map<string, LocalNode>();

  private constructor(
    private readonly options: LocalClusterOptions,
    ports: readonly number[],
  ) {
    this.ids = ports.map((_, i) => `n${i + 1}`);
    this.urls = Object.fromEntries(this.ids.map((id, i) => [id, `ws://${HOST}:${ports[i]}`]));
    this.secret = randomBytes(32).toString('hex');
    this.secretFile = join(options.dir, 'cluster.secret');
    writeFileSync(this.secretFile, `${this.secret}\n`, { mode: 0o600 });
    this.clientSecret = randomBytes(32).toString('hex');
    this.clientSecretFile = join(options.dir, 'client.secret');
    writeFileSync(this.clientSecretFile, `${this.clientSecret}\n`, { mode: 0o600 });
    this.keys = Object.fromEntries(this.ids.map((id) => [id, generateNodeKey()]));
    for (const id of this.ids)
      writeFileSync(this.keyFileOf(id), nodeKeyPem(this.keys[id] as NodeKey), { mode: 0o600 });
    this.cluster = options.cluster ?? `local-${randomBytes(3).toString('hex')}`;
  }

  /** Picks ports, writes the secret, starts every node and waits until each listens. */
  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const cluster = new LocalCluster(options, await freePorts(options.size));
    try {
      await Promise.all(cluster.ids.map((id) => cluster.spawn(id)));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  node(id: string): LocalNode | undefined {
    return this.running.get(id);
  }

  get nodes(): LocalNode[] {
    return [...this.running.values()];
  }

  /** Node `id`'s data directory (when `durable`). */
  dataDirOf(id: string): string {
    return join(this.options.dir, `data-${id}`);
  }

  /** Node `id`'s private key file (`--node-key-file`). */
  keyFileOf(id: string): string {
    return join(this.options.dir, `${id}.key.pem`);
  }

  /** The command line of node `id` (without the executable). */
  argsOf(id: string): string[] {
    const port = new URL(this.urls[id] as string).port;
    const peers = this.ids
      .filter((peer) => peer !== id)
      .flatMap((peer) => [
        '--peer',
        `${peer}=${this.urls[peer]}`,
        '--peer-key',
        `${peer}=${(this.keys[peer] as NodeKey).publicKey}`,
      ]);
    return [
      this.options.mainPath,
      'node',
      '--id',
      id,
      '--listen',
      `${HOST}:${port}`,
      ...peers,
      '--secret-file',
      this.secretFile,
      '--client-secret-file',
      this.clientSecretFile,
      '--node-key-file',
      this.keyFileOf(id),
      '--cluster',
      this.cluster,
      '--log-level',
      this.options.logLevel ?? 'warn',
      '--json',
      ...(this.options.durable ? ['--data-dir', this.dataDirOf(id)] : ['--memory']),
      ...(this.options.extraArgs?.(id) ?? []),
    ];
  }

  /** Starts (or restarts) node `id` on its port; resolves once it listens. */
  spawn(id: string): Promise<LocalNode> {
    const child = spawn(process.execPath, [...(this.options.execArgv ?? []), ...this.argsOf(id)], {
      // The IPC channel is how a node learns that this process is gone (nodeCommand.ts), so a
      // demo or benchmark killed outright does not leave its nodes running.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const node: LocalNode = { id, url: this.urls[id] as string, child, exited };
    this.running.set(id, node);
    const stderrTail: string[] = [];
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      this.options.onStderr?.(id, line);
    });
    const timeoutMs = this.options.startTimeoutMs ?? 20_000;
    return new Promise<LocalNode>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(
          new Error(
            `node ${id} did not start: ${why}${stderrTail.length ? `\n${stderrTail.join('\n')}` : ''}`,
          ),
        );
      };
      const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line.includes('"event":"listening"')) {
          clearTimeout(timer);
          resolve(node);
        }
      });
      child.once('error', (error) => fail(error.message));
      void exited.then(({ code, signal }) => fail(`exited with ${signal ?? `status ${code}`}`));
    });
  }

  /** Sends `signal` to node `id` and waits until it exited. */
  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const node = this.running.get(id);
    if (!node) return;
    if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill(signal);
    await node.exited;
    this.running.delete(id);
  }

  /** SIGTERM to every node (a clean shutdown), SIGKILL to any still running after `graceMs`. */
  async stop(
    graceMs = 5000,
  ): Promise<Array<{ id: string; code: number | null; signal: NodeJS.Signals | null }>> {
    const nodes = [...this.running.values()];
    for (const node of nodes)
      if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGTERM');
    const timer = setTimeout(() => nodes.forEach((node) => node.child.kill('SIGKILL')), graceMs);
    const results = await Promise.all(nodes.map(async (node) => ({ id: node.id, ...(await node.exited) })));
    clearTimeout(timer);
    this.running.clear();
    return results;
  }
}
