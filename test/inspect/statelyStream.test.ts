// A node's inspection stream in @statelyai/inspect's WebSocket format, consumed by that
// package's own receiver: actors have cluster-unique ids, and microsteps make every state an
// instance passes through visible.
import { createWebSocketReceiver } from '@statelyai/inspect';
import { afterEach, describe, expect, it } from 'vitest';
import { startInspectionServer, type InspectionServer } from '../../src/inspect/inspectionServer.js';
import type { StatelyInspectionEvent } from '../../src/inspect/statelyEvents.js';
import { createMemoryNetwork, startLink, type GenPaxosNode } from '../../src/index.js';

let server: InspectionServer | undefined;
let nodes: GenPaxosNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
  await server?.close();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('inspection stream in the Stately inspector format', () => {
  it('is received by @statelyai/inspect’s createWebSocketReceiver with cluster-unique ids', async () => {
    server = await startInspectionServer({ nodeId: 'a' });
    const received: StatelyInspectionEvent[] = [];
    const receiver = createWebSocketReceiver({ server: server.url });
    receiver.subscribe((event) => received.push(event as unknown as StatelyInspectionEvent));
    await until(() => server!.hub.stats.viewers === 1, 'the receiver to connect');

    const network = createMemoryNetwork();
    const members = ['a', 'b', 'c'];
    nodes = await Promise.all(
      members.map((id) =>
        startLink({
          id,
          members,
          transport: network.connect(id),
          // Classic: every phase, including states left within one macrostep, shows.
          ownerFastPath: false,
          ...(id === 'a' ? { inspect: server!.inspect } : {}),
        }),
      ),
    );
    expect(await nodes[0]!.ask('colour', 'red')).toBe('red');
    await until(
      () =>
        received.some(
          (e) => e.type === '@xstate.snapshot' && (e.snapshot as { value?: string }).value === 'decided',
        ),
      'the decided snapshot',
    );

    // Every event carries the protocol fields the Stately inspector reads.
    for (const event of received) {
      expect(event).toMatchObject({
        _version: expect.any(String),
        createdAt: expect.any(String),
        rootId: 'a',
      });
      expect(['@xstate.actor', '@xstate.event', '@xstate.snapshot']).toContain(event.type);
    }
    const actors = received.filter((e) => e.type === '@xstate.actor').map((e) => e.sessionId);
    expect(actors).toContain('a');
    expect(actors).toContain('a/colour');
    expect(received.find((e) => e.type === '@xstate.actor' && e.sessionId === 'a/colour')).toMatchObject({
      parentId: 'a',
      name: 'colour',
    });
    // Microsteps: the instance's states in order, including ones left within one macrostep.
    const states = received
      .flatMap((e) =>
        e.type === '@xstate.snapshot' && e.sessionId === 'a/colour'
          ? [(e.snapshot as { value: string }).value]
          : [],
      )
      .filter((value, i, all) => value !== all[i - 1]);
    expect(states).toEqual(['nil', 'preparing', 'proposing', 'decided']);
    expect(
      received.some(
        (e) =>
          e.type === '@xstate.event' &&
          e.sessionId === 'a/colour' &&
          (e.event as { type: string }).type === 'promise',
      ),
    ).toBe(true);
  });

  it('keeps a viewer’s buffer bounded: a viewer that does not read loses its oldest events, the node does not wait', async () => {
    server = await startInspectionServer({ nodeId: 'a', maxBufferedEvents: 10, maxSocketBufferBytes: 1 });
    const viewer = server.hub.subscribe(() => {});
    for (let i = 0; i < 25; i++)
      server.hub.publish({ type: '@xstate.event', sessionId: `s${i}` } as StatelyInspectionEvent);
    expect(viewer.dropped).toBe(15);
    expect(viewer.take().map((e) => e.sessionId)).toEqual(Array.from({ length: 10 }, (_, i) => `s${i + 15}`));
    viewer.close();
    expect(server.hub.stats.viewers).toBe(0);
  });
});
