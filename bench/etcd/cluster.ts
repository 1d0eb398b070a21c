// A 3-member etcd cluster for the benchmark's comparison: the etcd binary run directly (never as a
// service), one child process per member on free loopback ports, each with its data directory
// under the caller's `dir` (on disk, etcd's default fsync). `stop` kills the members and removes
// their data; a process exit that skips `stop` still kills them (SIGKILL, synchronously).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../../src/cli/freePorts.js';

const HOST = '127.0.0.1';

export interface EtcdClusterOptions {
  /** The etcd binary. */
  readonly etcdPath: string;
  /** The members' data directories go under it. */
  readonly dir: string;
  readonly size?: number;
  /** How long the members may take to elect a leader and report healthy. Default 30 s. */
  readonly startTimeoutMs?: number;
}

interface Member {
  readonly name: string;
  readonly clientUrl: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Settles when the process exited, or could not be started at all. */
  readonly exited: Promise<void>;
  readonly gone: () => boolean;
  readonly stderrTail: string[];
}

/** The command line of one member, from everyone's peer URLs. */
export function memberArgs(
  name: string,
  dataDir: string,
  clientUrl: string,
  peerUrls: Readonly<Record<string, string>>,
  token: string,
): string[] {
  const peerUrl = peerUrls[name] as string;
  return [
    '--name',
    name,
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    clientUrl,
    '--advertise-client-urls',
    clientUrl,
    '--listen-peer-urls',
    peerUrl,
    '--initial-advertise-peer-urls',
    peerUrl,
    '--initial-cluster',
    Object.entries(peerUrls)
      .map(([peer, url]) => `${peer}=${url}`)
      .join(','),
    '--initial-cluster-token',
    token,
    '--initial-cluster-state',
    'new',
    '--logger',
    'zap',
    '--log-outputs',
    'stderr',
    '--log-level',
    'warn',
  ];
}

export class EtcdCluster {
  private stopping: Promise<void> | undefined;
  private readonly killOnExit = () => {
    for (const member of this.members) if (!member.gone()) member.child.kill('SIGKILL');
  };

  private constructor(private readonly members: readonly Member[]) {
    process.on('exit', this.killOnExit);
  }

  /** One client URL per member, in member order. */
  get clientUrls(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  /** The members' process ids: the etcd processes themselves. */
  get pids(): number[] {
    return this.members.map((m) => m.child.pid as number);
  }

  /** Starts every member and waits until each reports healthy (a leader is elected). */
  static async start(options: EtcdClusterOptions): Promise<EtcdCluster> {
    const size = options.size ?? 3;
    const ports = await freePorts(2 * size);
    const names = Array.from({ length: size }, (_, i) => `etcd${i + 1}`);
    const peerUrls = Object.fromEntries(names.map((name, i) => [name, `http://${HOST}:${ports[size + i]}`]));
    const token = `gen-paxos-bench-${randomBytes(4).toString('hex')}`;
    const members = names.map((name, i) => {
      const clientUrl = `http://${HOST}:${ports[i]}`;
      const dataDir = join(options.dir, `data-${name}`);
      const child = spawn(options.etcdPath, memberArgs(name, dataDir, clientUrl, peerUrls, token), {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const stderrTail: string[] = [];
      let spawnFailed = false;
      const exited = new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.once('error', (error) => {
          spawnFailed = true;
          stderrTail.push(error.message);
          resolve();
        });
      });
      const gone = () => spawnFailed || child.exitCode !== null || child.signalCode !== null;
      createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
      });
      return { name, clientUrl, dataDir, child, exited, gone, stderrTail };
    });
    const cluster = new EtcdCluster(members);
    try {
      await cluster.waitHealthy(options.startTimeoutMs ?? 30_000);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const pending = new Set(this.members);
    while (pending.size > 0) {
      for (const member of pending) {
        if (member.gone())
          throw new Error(
            `etcd member ${member.name} exited while starting\n${member.stderrTail.join('\n')}`,
          );
        if (await healthy(member.clientUrl)) pending.delete(member);
      }
      if (pending.size === 0) return;
      if (performance.now() > deadline)
        throw new Error(
          `etcd members not healthy within ${timeoutMs} ms: ${[...pending].map((m) => m.name).join(', ')}`,
        );
      await sleep(100);
    }
  }

  /** SIGTERM to every member, SIGKILL after `graceMs`, then removes their data directories. */
  stop(graceMs = 5000): Promise<void> {
    this.stopping ??= (async () => {
      for (const m of this.members) if (!m.gone()) m.child.kill('SIGTERM');
      const timer = setTimeout(() => this.killOnExit(), graceMs);
      await Promise.all(this.members.map((m) => m.exited));
      clearTimeout(timer);
      process.off('exit', this.killOnExit);
      for (const m of this.members) rmSync(m.dataDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}

/** etcd's /health endpoint answers {"health":"true"} once the member sees a leader. */
async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { health?: unknown };
    return body.health === 'true' || body.health === true;
  } catch {
    return false;
  }
}
