// `gen-paxos node` processes for the membership tests: durable members on loopback ports picked
// up front (so a member's URL is known before it starts, as `member add ID=URL` needs), peer keys
// not pinned (a new member's key is not in the others' pins), and new members started with
// `--join`. Tracks every child so `close` leaves nothing running; the caller removes `dir`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePorts } from '../../src/cli/freePorts.js';
import { MAIN } from '../integration/cliHelpers.js';

export interface MemberProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Every line the node printed on stdout so far. */
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

export class MemberProcesses {
  readonly secretFile: string;
  readonly clientSecretFile: string;
  readonly clientSecret: string;
  readonly cluster = `members-${randomBytes(3).toString('hex')}`;
  private readonly running = new Map<string, MemberProcess>();

  private constructor(
    private readonly dir: string,
    /** Every id the test may start, with its URL. */
    readonly urls: Readonly<Record<string, string>>,
  ) {
    this.secretFile = join(dir, 'peer.secret');
    writeFileSync(this.secretFile, `${randomBytes(16).toString('hex')}\n`, { mode: 0o600 });
    this.clientSecret = randomBytes(16).toString('hex');
    this.clientSecretFile = join(dir, 'client.secret');
    writeFileSync(this.clientSecretFile, `${this.clientSecret}\n`, { mode: 0o600 });
  }

  static async create(dir: string, ids: readonly string[]): Promise<MemberProcesses> {
    const ports = await freePorts(ids.length);
    return new MemberProcesses(
      dir,
      Object.fromEntries(ids.map((id, i) => [id, `ws://127.0.0.1:${ports[i]}`])),
    );
  }

  dataDirOf(id: string): string {
    return join(this.dir, `data-${id}`);
  }

  /** The client flags of `gen-paxos ask|read|member …` for endpoint `id`. */
  clientFlags(...ids: string[]): string[] {
    return [
      ...ids.flatMap((id) => ['--node', this.urls[id] as string]),
      '--secret-file',
      this.clientSecretFile,
      '--cluster',
      this.cluster,
    ];
  }

  /**
   * Starts node `id`: a start member with every other of `peers` as `--peer`, or a new member
   * with `--join` (the URLs of `join`). Resolves once it prints its listening line.
   */
  start(
    id: string,
    how: { readonly peers: readonly string[] } | { readonly join: readonly string[] },
  ): Promise<MemberProcess> {
    const url = this.urls[id] as string;
    const placement =
      'peers' in how
        ? how.peers.filter((peer) => peer !== id).flatMap((peer) => ['--peer', `${peer}=${this.urls[peer]}`])
        : ['--join', how.join.map((peer) => this.urls[peer]).join(',')];
    const args = [
      MAIN,
      'node',
      '--id',
      id,
      '--listen',
      `127.0.0.1:${new URL(url).port}`,
      ...placement,
      '--secret-file',
      this.secretFile,
      '--client-secret-file',
      this.clientSecretFile,
      '--cluster',
      this.cluster,
      '--data-dir',
      this.dataDirOf(id),
      '--json',
    ];
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
