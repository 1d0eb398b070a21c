// An ask of a key the node knows decided is answered at once, as `read(key)` is, without a
// gen_server call through the node's mailbox (KeySupervisor.decidedAnswer, NodeCalls.ask) — but
// only when the key's step would give that answer: a refusal (voting stopped, removed, key given
// up) still wins, and an inspected node takes every ask through its step so the view sees it.
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/base/errors.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { NodeCalls } from '../../src/node/nodeCalls.js';
import type { ActorNode } from '../../src/runtime/actorNode.js';
import type { Transport } from '../../src/transport/transport.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

describe('an ask of a key known decided', () => {
  it('is answered from what the node knows, and counted as an ask', async () => {
    cluster = await startCluster({ size: 3, seed: 11 });
    expect(await cluster.ask('a', 'colour', 'red')).toBe('red');
    const keys = cluster.node('a').internals;
    const asksBefore = keys.stats.asks;
    expect(keys.reads.decidedAnswer('colour')).toBe('red');
    expect(keys.stats.asks).toBe(asksBefore + 1);
    expect(keys.reads.decidedAnswer('never-asked')).toBeUndefined();
    expect(keys.stats.asks).toBe(asksBefore + 1);
    expect(await cluster.ask('a', 'colour', 'blue')).toBe('red');
    expect(cluster.node('a').askStats.decided).toBe(2);
  });

  it('makes no gen_server call when the node knows the decision, and one when it does not', async () => {
    const touched: string[] = [];
    const runtime = new Proxy(
      {},
      {
        get(_target, property) {
          touched.push(String(property));
          return undefined;
        },
      },
    ) as ActorNode;
    const calls = new NodeCalls({
      id: 'a',
      startMembers: ['a'],
      runtime,
      transport: {} as Transport,
      clock: new VirtualClock(),
      askTimeoutMs: 1_000,
      stopped: () => false,
      decidedAnswer: (key) => (key === 'colour' ? 'red' : undefined),
    });
    touched.length = 0;
    expect(await calls.ask('colour', 'blue', {})).toBe('red');
    expect(touched).toEqual([]);
    expect(calls.askStats).toMatchObject({ started: 1, decided: 1 });
    await expect(calls.ask('size', 'large', {})).rejects.toThrow();
    expect(touched.length).toBeGreaterThan(0); // the other key went to the node actor
  });

  it('still fails with the refusal when the node stopped voting', async () => {
    cluster = await startCluster({ size: 3, seed: 12 });
    expect(await cluster.ask('a', 'colour', 'red')).toBe('red');
    const keys = cluster.node('a').internals;
    keys.stopVoting({ code: ERROR_CODES.STORAGE_FAILED, message: 'storage failed: disk gone' });
    expect(keys.reads.decidedAnswer('colour')).toBeUndefined();
    await expect(cluster.ask('a', 'colour', 'blue')).rejects.toMatchObject({
      code: ERROR_CODES.STORAGE_FAILED,
    });
  });

  it('goes through the key step when the node is inspected, so the view sees it', async () => {
    const events: string[] = [];
    cluster = await startCluster({
      size: 3,
      seed: 13,
      inspect: (node, event) => events.push(`${node} ${event.type}`),
    });
    expect(await cluster.ask('a', 'colour', 'red')).toBe('red');
    expect(cluster.node('a').internals.reads.decidedAnswer('colour')).toBeUndefined();
    const seen = events.length;
    expect(await cluster.ask('a', 'colour', 'blue')).toBe('red');
    expect(events.length).toBeGreaterThan(seen);
  });
});
