// Fault injection on real links, driven through the client protocol: a node started with it
// allowed can be cut off (both directions), lose or delay messages, and heal; a node without it
// refuses, and bad specs are refused with their codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkNode } from '../../src/server/networkNode.js';
import { startLoopbackCluster } from '../fixtures/loopbackCluster.js';
import { connectClient, type GenPaxosClient } from '../../src/transport/client/client.js';
import { CLUSTER, CLIENT_SECRET, waitFor } from '../wire/helpers.js';

const ids = ['a', 'b', 'c'];
const nodes: NetworkNode[] = [];
const clients: GenPaxosClient[] = [];

beforeAll(async () => {
  nodes.push(...(await startLoopbackCluster(ids, (id) => ({ allowFaultInjection: id !== 'c' }))));
  for (const node of nodes)
    clients.push(await connectClient(node.url, { secret: CLIENT_SECRET, cluster: CLUSTER }));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('fault injection over the client protocol', () => {
  it('cuts a node off in both directions, and heals it', async () => {
    const [a, b] = clients as [GenPaxosClient, GenPaxosClient];
    expect(await a.setFaults({ blockOut: ['b', 'c'], blockIn: ['b', 'c'] })).toEqual({
      blockOut: ['b', 'c'],
      blockIn: ['b', 'c'],
      dropRate: 0,
      delayMs: 0,
      jitterMs: 0,
    });
    await expect(a.ask('cut', 'from a', { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'PAXOS_ERR_TIMEOUT',
    });
    expect(await b.ask('cut', 'from b')).toBe('from b');
    const status = await a.status();
    expect(status.counters['faults.blockedOut']).toBeGreaterThan(0);
    await a.setFaults({});
    // a's instance keeps trying and now learns the decision.
    await waitFor(() => nodes[0]?.node.read('cut') === 'from b', 'a learns after healing');
  });

  it('drops and delays messages at the rates asked, and still decides', async () => {
    const [a] = clients as [GenPaxosClient];
    await a.setFaults({ dropRate: 0.3, delayMs: 5, jitterMs: 10 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => a.ask(`lossy-${i}`, i, { timeoutMs: 20_000 })),
    );
    expect(answers).toEqual(Array.from({ length: 10 }, (_, i) => i));
    const status = await a.status();
    expect(status.counters['faults.delayed']).toBeGreaterThan(0);
    expect(status.counters['faults.dropped']).toBeGreaterThan(0);
    await a.setFaults({});
  });

  it('is refused by a node without it, and bad specs are refused with their codes', async () => {
    const [a, , c] = clients as [GenPaxosClient, GenPaxosClient, GenPaxosClient];
    await expect(c.setFaults({ blockOut: ['a'] })).rejects.toMatchObject({
      code: 'PAXOS_ERR_FAULTS_DISABLED',
    });
    await expect(a.setFaults({ dropRate: 2 })).rejects.toMatchObject({ code: 'WIRE_ERR_OUT_OF_RANGE' });
    await expect(a.setFaults({ blockIn: ['mallory'] })).rejects.toMatchObject({
      code: 'PAXOS_ERR_BAD_OPTION',
    });
    await expect(a.setFaults({ delayMs: 3_600_000 })).rejects.toMatchObject({
      code: 'WIRE_ERR_OUT_OF_RANGE',
    });
  });
});
