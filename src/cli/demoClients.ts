// One client connection per node of the demo's cluster, dialled on first use and again after
// the node was crashed and restarted (a closed connection is forgotten at its first failure).
import { connectClient, type GenPaxosClient } from '../transport/client/client.js';
import type { LocalCluster } from './localCluster.js';

const GONE = new Set(['WIRE_ERR_CONNECTION_CLOSED', 'WIRE_ERR_CONNECT_FAILED', 'WIRE_ERR_REQUEST_TIMEOUT']);

export class DemoClients {
  private readonly clients = new Map<string, Promise<GenPaxosClient>>();

  constructor(private readonly cluster: LocalCluster) {}

  /** Runs `use` with node `id`'s client; a connection that turns out closed is forgotten. */
  async with<T>(id: string, use: (client: GenPaxosClient) => Promise<T>): Promise<T> {
    let client = this.clients.get(id);
    if (!client) {
      const url = this.cluster.urls[id];
      if (url === undefined) throw new Error(`no node ${id}`);
      client = connectClient(url, {
        secret: this.cluster.clientSecret,
        cluster: this.cluster.cluster,
        name: 'demo',
      });
      this.clients.set(id, client);
      client.catch(() => this.forget(id, client as Promise<GenPaxosClient>));
    }
    try {
      return await use(await client);
    } catch (error) {
      if (GONE.has((error as { code?: string }).code ?? '')) this.forget(id, client);
      throw error;
    }
  }

  /** Closes node `id`'s connection (its process was killed). */
  drop(id: string): void {
    const client = this.clients.get(id);
    if (client) this.forget(id, client);
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.then((client) => client.close()).catch(() => {})));
  }

  private forget(id: string, client: Promise<GenPaxosClient>): void {
    if (this.clients.get(id) !== client) return;
    this.clients.delete(id);
    client.then((c) => c.close()).catch(() => {});
  }
}
