// The two systems `--compare etcd` runs, each started fresh for its run and stopped after it:
// 3 etcd members, or 3 gen-paxos node processes (durable, as `npm run bench` runs them). Each
// gives one asker per member and the process ids whose CPU counts.
//
// gen-paxos's askers are its client library as a user with the three endpoints gets it: each
// connected to all of them (its own member first) and, by default, sending every ask to its key's
// owner (`routeAsks`, issue 13 item 3). `per-node` connects each asker to its member alone, so two
// asks in three are forwarded by that member to the owner, as etcd's followers forward to the leader.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCluster } from '../../src/cli/localCluster.js';
import { connectClient, type GenPaxosClient } from '../../src/transport/client/client.js';
import { EtcdAsker } from '../etcd/asker.js';
import { EtcdCluster } from '../etcd/cluster.js';
import type { Asker } from '../scenarios.js';

export interface RunningSystem {
  /** One per member, in member order. */
  readonly askers: readonly Asker[];
  /** The server processes themselves (not wrappers), whose CPU counts. */
  readonly serverPids: readonly number[];
  /** Stops the members and removes their data; safe to call more than once. */
  stop(): Promise<void>;
}

const once = (stop: () => Promise<void>) => {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= stop());
};

export async function startEtcd(etcdPath: string, parentDir: string): Promise<RunningSystem> {
  const dir = mkdtempSync(join(parentDir, 'etcd-'));
  let cluster: EtcdCluster;
  try {
    cluster = await EtcdCluster.start({ etcdPath, dir });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const askers = cluster.clientUrls.map((url) => new EtcdAsker(url));
  return {
    askers,
    serverPids: cluster.pids,
    stop: once(async () => {
      askers.forEach((asker) => asker.close());
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    }),
  };
}

/** How gen-paxos's askers reach the members (see the top of this file). */
export type GenPaxosClientMode = 'routed' | 'per-node';

export const GEN_PAXOS_CLIENT_MODES: readonly GenPaxosClientMode[] = ['routed', 'per-node'];

export async function startGenPaxos(
  mainPath: string,
  parentDir: string,
  clientMode: GenPaxosClientMode,
): Promise<RunningSystem> {
  const dir = mkdtempSync(join(parentDir, 'gen-paxos-'));
  const clients: GenPaxosClient[] = [];
  let cluster: LocalCluster | undefined;
  const stop = once(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    cluster = await LocalCluster.start({ size: 3, mainPath, dir, durable: true });
    const options = { secret: cluster.clientSecret, cluster: cluster.cluster };
    const urls = cluster.ids.map((id) => cluster?.urls[id] as string);
    for (const [i, url] of urls.entries()) {
      if (clientMode === 'per-node') {
        clients.push(await connectClient(url, { ...options, routeAsks: false }));
        continue;
      }
      const client = await connectClient([...urls.slice(i), ...urls.slice(0, i)], options);
      await client.routed(); // the members are known: asks go to their owners from the first one
      clients.push(client);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { askers: clients, serverPids: cluster.nodes.map((node) => node.child.pid as number), stop };
}
