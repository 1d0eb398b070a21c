// connectClient with several endpoints: it takes the first that answers, names every failure when
// none does, and after its node goes away the next request fails over to another endpoint, while
// the requests that were waiting fail with the outcome unknown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/cli/freePorts.js';
import { startNetworkNode, type NetworkNode } from '../../src/server/networkNode.js';
import { connectClient } from '../../src/transport/client/client.js';
import { WIRE_ERROR_CODES } from '../../src/transport/wire/wireErrors.js';
import { startLoopbackCluster } from '../fixtures/loopbackCluster.js';
import { CLIENT_SECRET, CLUSTER, SECRET, waitFor } from '../wire/helpers.js';

let nodes: NetworkNode[] = [];
let dead: string[] = [];

beforeAll(async () => {
  nodes = await startLoopbackCluster(['a', 'b', 'c']);
  dead = (await freePorts(2)).map((port) => `ws://127.0.0.1:${port}`);
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
});

describe('connectClient with several endpoints', () => {
  it('skips endpoints that do not answer', async () => {
    const client = await connectClient([dead[0] as string, nodes[1]!.url, nodes[0]!.url], {
      secret: CLIENT_SECRET,
      cluster: CLUSTER,
    });
    expect(client.node).toBe('b');
    expect(client.endpoint).toBe(nodes[1]!.url);
    expect(await client.ask('failover-1', 'x')).toBe('x');
    await client.close();
  });

  it('names every endpoint when none answers; a refusal gives its own code', async () => {
    await expect(connectClient(dead, { secret: CLIENT_SECRET, cluster: CLUSTER })).rejects.toMatchObject({
      code: WIRE_ERROR_CODES.CONNECT_FAILED,
      message: expect.stringMatching(
        /^none of the 2 endpoints answered: cannot connect to .*; cannot connect to /,
      ),
    });
    await expect(
      connectClient([dead[0] as string, nodes[0]!.url], { secret: 'not the secret', cluster: CLUSTER }),
    ).rejects.toMatchObject({ code: WIRE_ERROR_CODES.AUTH_FAILED });
  });

  it('fails over to the next endpoint after its node stops; a waiting ask says the outcome is unknown', async () => {
    // x's only peer never answers, so no ask through x can be decided: it waits until x stops.
    const [port] = await freePorts(1);
    const solo = await startNetworkNode({
      id: 'x',
      cluster: CLUSTER,
      secret: SECRET,
      clientSecrets: [CLIENT_SECRET],
      listen: { host: '127.0.0.1', port: port as number },
      peers: { y: dead[0] as string },
    });
    const client = await connectClient([solo.url, nodes[2]!.url], {
      secret: CLIENT_SECRET,
      cluster: CLUSTER,
    });
    expect(client.node).toBe('x');
    const waiting = client.ask('failover-2', 'v', { timeoutMs: 60_000 }).then(
      () => null,
      (error: unknown) => error,
    );
    await waitFor(() => solo.node.pending(10).total === 1, 'the ask pending on x');
    await solo.stop();
    expect(await waiting).toMatchObject({
      code: WIRE_ERROR_CODES.CONNECTION_CLOSED,
      message:
        'connection to node x closed during the ask of "failover-2" (code 1001: node stopping); ' +
        'the outcome is unknown: the value may still be decided',
    });
    // The next request goes to the next endpoint.
    expect(await client.ask('failover-3', 'w')).toBe('w');
    expect(client.node).toBe('c');
    await client.close();
  });
});
