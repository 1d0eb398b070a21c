// What runs is what is watched: with the acceptor fast path on (the default), a node that only
// votes on a key, or forwards its ask to the key's owner, runs no instance actor for it, yet
// @statelyai/inspect's receiver, attached to that node's inspection server, sees the same machine
// as when every key runs in an instance: the same actor id, events, state values and context.
import { createWebSocketReceiver } from '@statelyai/inspect';
import { afterEach, describe, expect, it } from 'vitest';
import { startInspectionServer, type InspectionServer } from '../../src/inspect/inspectionServer.js';
import type { StatelyInspectionEvent } from '../../src/inspect/statelyEvents.js';
import { createMemoryNetwork, startLink, type GenPaxosNode } from '../../src/index.js';
import { ownerOf } from '../../src/paxos/owner.js';

const members = ['a', 'b', 'c'];
let servers: InspectionServer[] = [];
let nodes: GenPaxosNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/** The first key of `prefix` owned by `owner`: asked there, it is decided in the owner's round 0. */
function keyOwnedBy(owner: string, prefix: string): string {
  for (let i = 0; ; i++) if (ownerOf(`${prefix}${i}`, members) === owner) return `${prefix}${i}`;
}

interface Watched {
  /** Node b's key `key` as the receiver saw it: one line per inspection event. */
  story(key: string): string[];
  /** Instance actors node b started. */
  readonly spawned: number;
}

/**
 * A 3-node cluster in which node b is watched through its inspection server by the Stately
 * receiver. `voted` is asked at its owner a (b only votes); `forwarded`, owned by a, is asked at b
 * (b forwards the ask to a). Returns once b has learned both and retired what it ran, and every
 * event b reported has reached the receiver.
 */
async function watchNodeB(
  config: { acceptorFastPath: boolean; inspectInstanceLess?: boolean },
  voted: string,
  forwarded: string,
): Promise<Watched> {
  const server = await startInspectionServer({ nodeId: 'b' });
  servers.push(server);
  const received: StatelyInspectionEvent[] = [];
  createWebSocketReceiver({ server: server.url }).subscribe((event) =>
    received.push(event as unknown as StatelyInspectionEvent),
  );
  await until(() => server.hub.stats.viewers === 1, 'the receiver to connect');

  const network = createMemoryNetwork();
  nodes = await Promise.all(
    members.map((id) =>
      startLink({
        id,
        members,
        transport: network.connect(id),
        acceptorFastPath: config.acceptorFastPath,
        ...(config.inspectInstanceLess !== undefined
          ? { inspectInstanceLess: config.inspectInstanceLess }
          : {}),
        ...(id === 'b' ? { inspect: server.inspect } : {}),
      }),
    ),
  );
  const [a, b] = nodes as [GenPaxosNode, GenPaxosNode];
  expect(await a.ask(voted, 'red')).toBe('red');
  expect(await b.ask(forwarded, 'blue')).toBe('blue');
  await until(
    () => b.read(voted) === 'red' && b.read(forwarded) === 'blue' && b.stats.liveInstances === 0,
    'b to learn both keys and retire its instances',
  );
  // The stream keeps its order: once this marker arrives, everything b reported before it has.
  server.hub.publish({ type: '@xstate.event', sessionId: 'end-of-test' } as StatelyInspectionEvent);
  await until(() => received.some((e) => e.sessionId === 'end-of-test'), 'the marker');
  const spawned = b.stats.spawned;
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];

  return {
    spawned,
    story: (key) =>
      received
        .filter((e) => e.sessionId === `b/${key}`)
        .map((e) => {
          switch (e.type) {
            case '@xstate.actor':
              return `actor ${e.name} parent ${String(e.parentId)} root ${String(e.rootId)}`;
            case '@xstate.event': {
              const event = e.event as { type: string; from?: string };
              return `event ${event.type}${event.from ? ` from ${event.from}` : ''}`;
            }
            case '@xstate.snapshot': {
              const snapshot = e.snapshot as {
                value: string;
                status: string;
                context: Record<string, unknown>;
              };
              // rng and waitMs are the backoff's random draws: a witness draws nothing from the node.
              const { backoff, ...context } = snapshot.context;
              const { rng: _rng, waitMs: _waitMs, ...counts } = backoff as Record<string, unknown>;
              const seen = JSON.stringify({ ...context, backoff: counts });
              return `${snapshot.status} ${snapshot.value} after ${(e.event as { type: string }).type} ${seen}`;
            }
          }
        }),
  };
}

describe('keys handled without an instance are inspected as their instance would be', () => {
  const voted = keyOwnedBy('a', 'voted-');
  const forwarded = keyOwnedBy('a', 'forwarded-');

  it('the Stately receiver sees the same machine on a voter and a forwarder with the fast path on as with an instance per key', async () => {
    const classic = await watchNodeB({ acceptorFastPath: false }, voted, forwarded);
    const fast = await watchNodeB({ acceptorFastPath: true }, voted, forwarded);

    // The instance-per-key run is the reference: b's instance voted, learned and was retired.
    expect(classic.spawned).toBe(2);
    expect(classic.story(voted).filter((line) => !line.startsWith('event'))).toEqual([
      `actor ${voted} parent b root b`,
      expect.stringMatching(/^active nil after xstate\.init /),
      expect.stringMatching(
        /^active acknowledged after propose .*"accepted":\{"ballot":\{"round":0,"node":"a"\},"value":"red"\}/,
      ),
      expect.stringMatching(/^active acknowledged after propose /),
      expect.stringMatching(/^active decided after decide .*"decided":\{"value":"red"\}/),
      expect.stringMatching(/^active decided after decide /),
      expect.stringMatching(/^stopped decided after xstate\.stop /),
      expect.stringMatching(/^stopped decided after xstate\.stop /),
    ]);
    expect(classic.story(forwarded)).toContain('event ask');

    // With the fast path b ran no instance at all, and the receiver saw the same machine.
    expect(fast.spawned).toBe(0);
    expect(fast.story(voted)).toEqual(classic.story(voted));
    expect(fast.story(forwarded)).toEqual(classic.story(forwarded));
  });

  it('control: without the reporting of instance-less keys, the fast path shows nothing of them', async () => {
    const classic = await watchNodeB({ acceptorFastPath: false }, voted, forwarded);
    const unreported = await watchNodeB(
      { acceptorFastPath: true, inspectInstanceLess: false },
      voted,
      forwarded,
    );
    expect(unreported.spawned).toBe(0);
    expect(unreported.story(voted)).not.toEqual(classic.story(voted));
    expect(unreported.story(voted)).toEqual([]);
    expect(unreported.story(forwarded)).toEqual([]);
  });
});
