// Issue 17, item 4: a reply is never dropped without a word. A client that asks for more reply
// bytes at once than its session's backlog bound (here 20 reads of a 900 KB value against a
// 2 MiB bound) gets the replies that fit and then a close with WIRE_ERR_SLOW_CONSUMER, which
// every waiting request rejects with; before, the outbox dropped the rest silently and the
// client waited for its own timeout. In-process nodes, real sockets on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkNode } from '../../src/server/networkNode.js';
import { connectClient } from '../../src/transport/client/client.js';
import { startLoopbackCluster } from '../fixtures/loopbackCluster.js';
import { CLIENT_SECRET, CLUSTER } from '../wire/helpers.js';

const nodes: NetworkNode[] = [];

beforeAll(async () => {
  nodes.push(
    ...(await startLoopbackCluster(['a', 'b', 'c'], () => ({ wire: { maxBufferedBytes: 2 * 1024 * 1024 } }))),
  );
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('slow consumers', () => {
  it('closes a session whose replies pass the backlog bound, with a code every waiting request gets', async () => {
    const node = nodes[0] as NetworkNode;
    const value = 'v'.padEnd(900 * 1024, 'z');
    expect(await node.node.ask('big', value)).toBe(value);
    const client = await connectClient(node.url, {
      secret: CLIENT_SECRET,
      cluster: CLUSTER,
      requestTimeoutMs: 20_000,
    });
    const started = Date.now();
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => client.read('big')));
    const read = outcomes.filter((o) => o.status === 'fulfilled');
    const codes = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [(o.reason as { code?: string }).code] : [],
    );
    expect(read.length).toBeGreaterThan(0);
    expect(read.every((o) => o.status === 'fulfilled' && o.value === value)).toBe(true);
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['WIRE_ERR_SLOW_CONSUMER']));
    expect(Date.now() - started).toBeLessThan(10_000); // told, not timed out
    expect(node.transport.wireStats.slowClientsClosed).toBe(1);
    expect(node.transport.wireStats.errors.WIRE_ERR_SLOW_CONSUMER).toBe(1);
    // The node is fine and serves a well-behaved client.
    const next = await connectClient(node.url, { secret: CLIENT_SECRET, cluster: CLUSTER });
    expect(await next.read('big')).toBe(value);
    await next.close();
  });
});
