// A network node's observability endpoints over real sockets: GET /metrics on its port (parsed
// as Prometheus text; counters move as keys are decided) and, when asked for, the inspection
// stream on its own 127.0.0.1 port, consumed by @statelyai/inspect's receiver.
import { createWebSocketReceiver } from '@statelyai/inspect';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatelyInspectionEvent } from '../../src/inspect/statelyEvents.js';
import type { NetworkNode } from '../../src/server/networkNode.js';
import { startLoopbackCluster } from '../fixtures/loopbackCluster.js';
import { ownerOf } from '../../src/paxos/owner.js';
import { waitFor } from '../wire/helpers.js';

const ids = ['a', 'b', 'c'];
const nodes: NetworkNode[] = [];

beforeAll(async () => {
  nodes.push(...(await startLoopbackCluster(ids, (id) => (id === 'a' ? { inspect: { port: 0 } } : {}))));
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

async function scrape(
  node: NetworkNode,
): Promise<Map<string, { metrics: { value?: string; labels?: Record<string, string> }[] }>> {
  const response = await fetch(`${node.url.replace(/^ws/, 'http')}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  const families = parsePrometheusTextFormat(await response.text()) as {
    name: string;
    metrics: { value?: string }[];
  }[];
  return new Map(families.map((f) => [f.name, f]));
}

const valueOf = (families: Awaited<ReturnType<typeof scrape>>, name: string) =>
  Number(families.get(name)?.metrics[0]?.value);

describe('a network node', () => {
  it('serves /metrics as Prometheus text, and its counters move as keys are decided', async () => {
    const a = nodes[0] as NetworkNode;
    const before = await scrape(a);
    expect(valueOf(before, 'paxos_links_up')).toBe(2);
    await Promise.all(Array.from({ length: 20 }, (_, i) => a.node.ask(`metric-${i}`, i)));
    const after = await scrape(a);
    expect(valueOf(after, 'paxos_asks_decided_total') - valueOf(before, 'paxos_asks_decided_total')).toBe(20);
    expect(valueOf(after, 'paxos_messages_sent_total')).toBeGreaterThan(
      valueOf(before, 'paxos_messages_sent_total'),
    );
    expect(valueOf(after, 'paxos_storage_commits_total')).toBeGreaterThan(0);
    // Anything else on the port is still refused: it speaks WebSocket.
    expect((await fetch(`${a.url.replace(/^ws/, 'http')}/other`)).status).toBe(426);
  });

  it('streams its inspection events on the inspect port, in the Stately format', async () => {
    const a = nodes[0] as NetworkNode;
    expect(a.inspectUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
    expect(nodes[1]?.inspectUrl).toBeUndefined();
    const received: StatelyInspectionEvent[] = [];
    createWebSocketReceiver({ server: a.inspectUrl as string }).subscribe((e) =>
      received.push(e as unknown as StatelyInspectionEvent),
    );
    // The receiver connects in the background: ask fresh keys until one is seen deciding.
    const decidedSeen = () =>
      received.some(
        (e) =>
          e.type === '@xstate.snapshot' &&
          e.sessionId.startsWith('a/watched-') &&
          (e.snapshot as { value?: string }).value === 'decided',
      );
    // Keys a owns: a runs their instance (the others it forwards to their owners).
    const ownedByA = (prefix: string) => {
      for (let n = 0; ; n++) if (ownerOf(`${prefix}${n}`, ids) === 'a') return `${prefix}${n}`;
    };
    for (let i = 0; i < 200 && !decidedSeen(); i++) {
      await a.node.ask(ownedByA(`watched-${i}-`), 'seen');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(decidedSeen()).toBe(true);
    // Now that events flow, a new key's actor is announced before its snapshots.
    const last = ownedByA('watched-last-');
    await a.node.ask(last, 'seen');
    await waitFor(
      () => received.some((e) => e.type === '@xstate.actor' && e.sessionId === `a/${last}`),
      'the actor event',
    );
    expect(received.find((e) => e.type === '@xstate.actor' && e.sessionId === `a/${last}`)).toMatchObject({
      parentId: 'a',
      rootId: 'a',
    });
  });
});
