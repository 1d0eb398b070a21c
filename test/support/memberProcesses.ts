// `gen-paxos node` processes for the membership tests: durable members on loopback ports picked
// up front (so a member's URL is known before it starts, as `member add ID=URL` needs), peer keys
// not pinned (a new member's key is not in the others' pins), and new members started with
// `--join`. Tracks every child so `close` leaves nothing running; the caller removes `dir`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loopbackUrls, NodeProcessSetup, type NodePlacement } from './nodeProcessSetup.js';

export interface MemberProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Every line the node printed on stdout so far. */
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

export class MemberProcesses extends NodeProcessSetup {
  private readonly running = new Map<string, MemberProcess>();

  static async create(dir: string, ids: readonly string[]): Promise<MemberProcesses> {
    return new MemberProcesses(dir, await loopbackUrls(ids), 'members');
  }

  /**
   * Starts node `id`: a start member with every other of `peers` as `--peer`, or a new member
   * with `--join` (the URLs of `join`). Resolves once it prints its listening line.
   */
  start(id: string, how: NodePlacement): Promise<MemberProcess> {
    const args = this.nodeArgs(id, how);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const node: MemberProcess = { id, child, stdout: [], stderr: [], exited };
    this.running.set(id, node);
    createInterface({ input: child.stderr! }).on('line', (line) => node.stderr.push(line));
    return new Promise<MemberProcess>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`node ${id} did not listen:\n${node.stderr.join('\n')}`)),
        20_000,
      );
      createInterface({ input: child.stdout! }).on('line', (line) => {
        node.stdout.push(line);
        if (line.includes('"event":"listening"')) {
          clearTimeout(timer);
          resolve(node);
        }
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`node ${id} exited with ${signal ?? code}:\n${node.stderr.join('\n')}`));
      });
    });
  }

  node(id: string): MemberProcess | undefined {
    return this.running.get(id);
  }

  /** kill -9 (or `signal`), and waits until it is gone. */
  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const node = this.running.get(id);
    if (node === undefined) return;
    if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill(signal);
    await node.exited;
    this.running.delete(id);
  }

  /** Kills every node still running and waits for each. */
  async close(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.kill(id)));
  }
}
