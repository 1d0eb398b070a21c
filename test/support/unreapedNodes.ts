// `gen-paxos node` processes whose parent never reaps them: each runs under `sh -c '… & exec
// sleep'`, so once killed it stays a zombie (state Z in /proc) until the test ends, as node
// processes do in containers whose pid 1 does not reap. For tests of what survives kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readProcStat } from '../../src/storage/processLiveness.js';
import { loopbackUrls, NodeProcessSetup } from './nodeProcessSetup.js';

export interface UnreapedNode {
  readonly id: string;
  readonly url: string;
  /** The node process's pid (not its parent's). */
  readonly pid: number;
}

export class UnreapedCluster extends NodeProcessSetup {
  readonly ids: readonly string[];
  /** The `sleep` parents: killing one lets init take its zombies. */
  private readonly parents: ChildProcess[] = [];
  private readonly pids = new Set<number>();

  private constructor(dir: string, ids: readonly string[], urls: Readonly<Record<string, string>>) {
    super(dir, urls, 'unreaped');
    this.ids = ids;
  }

  static async create(dir: string, size: number): Promise<UnreapedCluster> {
    const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
    return new UnreapedCluster(dir, ids, await loopbackUrls(ids));
  }

  /** Starts node `id`; resolves with its pid once it listens, rejects with its stderr if it exits. */
  start(id: string): Promise<UnreapedNode> {
    const url = this.urls[id] as string;
    const args = this.nodeArgs(id, { peers: this.ids });
    // "$0" "$@" & : the node, in the background; then the shell becomes sleep, which never waits.
    const parent = spawn('sh', ['-c', '"$0" "$@" & exec sleep 300', process.execPath, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.parents.push(parent);
    const stderr: string[] = [];
    createInterface({ input: parent.stderr! }).on('line', (line) => stderr.push(line));
    return new Promise<UnreapedNode>((resolve, reject) => {
      const fail = () => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`node ${id} did not start:\n${stderr.join('\n')}`));
      };
      const timer = setTimeout(fail, 20_000);
      // The node's exit is invisible here (sleep is its parent): its stderr tells a failed start.
      const poll = setInterval(() => {
        if (stderr.some((line) => line.includes('cannot start'))) fail();
      }, 20);
      createInterface({ input: parent.stdout! }).on('line', (line) => {
        if (!line.includes('"event":"listening"')) return;
        clearInterval(poll);
        clearTimeout(timer);
        const { pid } = JSON.parse(line) as { pid: number };
        this.pids.add(pid);
        resolve({ id, url, pid });
      });
    });
  }

  /** kill -9, then waits until /proc shows the process as a zombie (it is never reaped). */
  async killToZombie(node: UnreapedNode): Promise<string | undefined> {
    process.kill(node.pid, 'SIGKILL');
    for (let i = 0; i < 500; i++) {
      const state = readProcStat(node.pid)?.state;
      if (state !== 'R' && state !== 'S' && state !== 'D') return state;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return readProcStat(node.pid)?.state;
  }

  /** Kills every node still running and every parent (init then reaps the zombies). */
  async close(): Promise<void> {
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    for (const parent of this.parents) parent.kill('SIGKILL');
    await Promise.all(
      this.parents.map((parent) =>
        parent.exitCode !== null || parent.signalCode !== null
          ? undefined
          : new Promise((resolve) => parent.once('exit', resolve)),
      ),
    );
  }
}
