// What every test running real `gen-paxos node` processes on loopback sets up the same way: a URL
// per id (ports picked up front), peer and client secret files, a data directory per id under
// `dir`, and the node's command line. Writes the secret files; starts nothing.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../../src/cli/freePorts.js';
import { MAIN } from '../integration/cliHelpers.js';

/** How a node finds the group: every other start member as `--peer`, or `--join` through some. */
export type NodePlacement = { readonly peers: readonly string[] } | { readonly join: readonly string[] };

/** A loopback URL (`ws://127.0.0.1:PORT`) for each of `ids`, on ports free when asked. */
export async function loopbackUrls(ids: readonly string[]): Promise<Record<string, string>> {
  const ports = await freePorts(ids.length);
  return Object.fromEntries(ids.map((id, i) => [id, `ws://127.0.0.1:${ports[i]}`]));
}

export class NodeProcessSetup {
  /** The peer secret (members) and the client secret (clients). */
  readonly secretFile: string;
  readonly clientSecretFile: string;
  readonly clientSecret: string;
  readonly cluster: string;

  constructor(
    private readonly dir: string,
    /** Every id the test may start, with its URL. */
    readonly urls: Readonly<Record<string, string>>,
    clusterPrefix: string,
  ) {
    this.cluster = `${clusterPrefix}-${randomBytes(3).toString('hex')}`;
    this.secretFile = join(dir, 'peer.secret');
    writeFileSync(this.secretFile, `${randomBytes(16).toString('hex')}\n`, { mode: 0o600 });
    this.clientSecret = randomBytes(16).toString('hex');
    this.clientSecretFile = join(dir, 'client.secret');
    writeFileSync(this.clientSecretFile, `${this.clientSecret}\n`, { mode: 0o600 });
  }

  dataDirOf(id: string): string {
    return join(this.dir, `data-${id}`);
  }

  /** The client flags of `gen-paxos ask|read|member …` for endpoints `ids`. */
  clientFlags(...ids: string[]): string[] {
    return [
      ...ids.flatMap((id) => ['--node', this.urls[id] as string]),
      '--secret-file',
      this.clientSecretFile,
      '--cluster',
      this.cluster,
    ];
  }

  /** `node main.js node …` for `id`, durable, printing JSON lines (the listening line included). */
  nodeArgs(id: string, placement: NodePlacement): string[] {
    const url = this.urls[id] as string;
    const placementFlags =
      'peers' in placement
        ? placement.peers
            .filter((peer) => peer !== id)
            .flatMap((peer) => ['--peer', `${peer}=${this.urls[peer]}`])
        : ['--join', placement.join.map((peer) => this.urls[peer]).join(',')];
    return [
      MAIN,
      'node',
      '--id',
      id,
      '--listen',
      `127.0.0.1:${new URL(url).port}`,
      ...placementFlags,
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
  }
}
