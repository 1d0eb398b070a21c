// A client given every endpoint sends each ask to its key's owner (owner.ts, computed as the nodes
// compute it), so no ask needs a forward hop; while the owner's link is down its asks go through
// the client's main connection, and are still decided there.
import { afterEach, describe, expect, it } from 'vitest';
import { ownerOf } from '../../src/paxos/owner.js';
import type { NetworkNode } from '../../src/server/networkNode.js';
import { connectClient, type GenPaxosClient } from '../../src/transport/client/client.js';
import { startLoopbackCluster } from '../fixtures/loopbackCluster.js';
import { CLIENT_SECRET, CLUSTER, waitFor } from '../wire/helpers.js';

const ids = ['a', 'b', 'c'];
let nodes: NetworkNode[] = [];
let client: GenPaxosClient | null = null;

afterEach(async () => {
  await client?.close();
  client = null;
  await Promise.all(nodes.map((node) => node.stop().catch(() => {})));
  nodes = [];
});

/** Starts the three nodes and a client given every endpoint, routing, with its members known. */
async function routedClientOfNewCluster(): Promise<GenPaxosClient> {
  nodes = await startLoopbackCluster(ids);
  const routing = await connectClient(
    nodes.map((n) => n.url),
    { secret: CLIENT_SECRET, cluster: CLUSTER },
  );
  await routing.routed();
  return routing;
}

/** Asks taken by each node from clients (forwarded asks are not counted). */
const asksPerNode = () => Object.fromEntries(nodes.map((n) => [n.node.id, n.node.stats.asks]));

describe('a client with several endpoints routes asks to owners', () => {
  it('sends every ask to its key’s owner, and without routing every ask to its main node', async () => {
    nodes = await startLoopbackCluster(ids);
    const keys = Array.from({ length: 30 }, (_, i) => `routed-${i}`);
    const owned = Object.fromEntries(
      ids.map((id) => [id, keys.filter((k) => ownerOf(k, ids) === id).length]),
    );
    expect(Object.values(owned).every((n) => n > 0)).toBe(true); // the keys cover every owner

    client = await connectClient(
      nodes.map((n) => n.url),
      { secret: CLIENT_SECRET, cluster: CLUSTER },
    );
    await client.routed();
    for (const key of keys) expect(await client.ask(key, `v-${key}`)).toBe(`v-${key}`);
    expect(asksPerNode()).toEqual(owned);
    await client.close();

    client = await connectClient(
      nodes.map((n) => n.url),
      { secret: CLIENT_SECRET, cluster: CLUSTER, routeAsks: false },
    );
    await client.routed();
    for (const key of keys) expect(await client.ask(`plain-${key}`, 1)).toBe(1);
    expect(asksPerNode().a).toBe((owned.a as number) + keys.length);
  });

  it('reads from the key’s owner, which knows the decision first', async () => {
    client = await routedClientOfNewCluster();
    const keys = Array.from({ length: 60 }, (_, i) => `read-${i}`);
    const requestsPerNode = () => nodes.map((n) => n.transport.wireStats.clientRequests);
    for (const key of keys) await client.ask(key, `v-${key}`);
    const before = requestsPerNode();
    // Each read right after its ask: the owner answered the ask, so it answers the read.
    for (const key of keys) expect(await client.read(key)).toBe(`v-${key}`);
    const reads = requestsPerNode().map((n, i) => n - (before[i] as number));
    expect(reads).toEqual(ids.map((id) => keys.filter((k) => ownerOf(k, ids) === id).length));
  });

  it('sends a down owner’s asks through the main connection', async () => {
    client = await routedClientOfNewCluster();
    const ofC = Array.from({ length: 200 }, (_, i) => `down-${i}`).filter((k) => ownerOf(k, ids) === 'c');
    const c = nodes[2] as NetworkNode;
    await c.stop();
    await waitFor(
      () => (nodes[0] as NetworkNode).transport.linkStatus().some((l) => l.state !== 'up'),
      'c down',
    );
    const before = asksPerNode();
    for (const key of ofC.slice(0, 5))
      expect(await client.ask(key, 'while c is down')).toBe('while c is down');
    expect(asksPerNode().a).toBe((before.a as number) + 5);
  });
});
