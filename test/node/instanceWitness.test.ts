// Witnesses of keys handled without an instance (src/node/instanceWitness.ts) in the cases where
// the fast path and an instance per key part ways: a voter's takeover starts a real instance, which
// replaces the witness under the same actor id; a node that stops stops its witnesses.
import type { InspectionEvent } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterActorIds } from '../../src/inspect/actorIds.js';
import { toStatelyEvent } from '../../src/inspect/statelyEvents.js';
import { createMemoryNetwork, startLink, type GenPaxosNode } from '../../src/index.js';
import { ownerOf } from '../../src/paxos/owner.js';

const members = ['a', 'b', 'c'];
let nodes: GenPaxosNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

function keyOwnedBy(owner: string): string {
  for (let i = 0; ; i++) if (ownerOf(`k${i}`, members) === owner) return `k${i}`;
}

/** Node b's key `key` as the Stately stream names it: `actor`, `<status> <state>` per change. */
function storyOf(events: InspectionEvent[], key: string): string[] {
  const ids = new ClusterActorIds('b');
  const lines: string[] = [];
  for (const event of events) {
    const stately = toStatelyEvent(event, ids, 0);
    if (stately?.sessionId !== `b/${key}`) continue;
    if (stately.type === '@xstate.actor') lines.push('actor');
    if (stately.type !== '@xstate.snapshot') continue;
    const { status, value } = stately.snapshot as { status: string; value: string };
    const line = `${status} ${value}`;
    if (lines.at(-1) !== line) lines.push(line);
  }
  return lines;
}

describe('witnesses of keys without an instance', () => {
  it('a voter that hears no decision takes over with a real instance, under the same actor id', async () => {
    const network = createMemoryNetwork();
    // b accepts a's round-0 proposal, but a's decide to b is lost: b's takeover timer fires.
    let lost = 0;
    network.addFilter((e) =>
      e.to === 'b' && e.message.type === 'decide' && lost++ === 0 ? 'drop' : 'deliver',
    );
    const events: InspectionEvent[] = [];
    nodes = await Promise.all(
      members.map((id) =>
        startLink({
          id,
          members,
          transport: network.connect(id),
          timing: { takeoverMs: 20 },
          ...(id === 'b' ? { inspect: (event: InspectionEvent) => events.push(event) } : {}),
        }),
      ),
    );
    const [a, b] = nodes as [GenPaxosNode, GenPaxosNode];
    const key = keyOwnedBy('a');
    expect(await a.ask(key, 'red')).toBe('red');
    expect(lost).toBe(1);
    await until(() => b.read(key) === 'red' && b.stats.liveInstances === 0, 'b to learn the key by itself');

    expect(b.stats.spawned).toBe(1);
    expect(storyOf(events, key)).toEqual([
      // The witness: b voted without an instance and awaits the outcome.
      'actor',
      'active nil',
      'active acknowledged',
      // The takeover: the witness stops, the real instance registers under the same id, starts
      // from the record (an accepted value: acknowledged), pushes it and learns it is decided.
      'stopped acknowledged',
      'actor',
      'active acknowledged',
      'active preparing',
      'active decided',
      'stopped decided',
    ]);
  });

  it('stop with their node, as its instances do', async () => {
    const network = createMemoryNetwork();
    // c never hears the decision: its witness is left acknowledged until c stops.
    network.addFilter((e) => (e.to === 'c' && e.message.type === 'decide' ? 'drop' : 'deliver'));
    const events: InspectionEvent[] = [];
    nodes = await Promise.all(
      members.map((id) =>
        startLink({
          id,
          members,
          transport: network.connect(id),
          // Takeovers late enough not to come within this test.
          timing: { takeoverMs: 60_000 },
          adaptiveTiming: false,
          ...(id === 'b' || id === 'c' ? { inspect: (event: InspectionEvent) => events.push(event) } : {}),
        }),
      ),
    );
    const [a, , c] = nodes as [GenPaxosNode, GenPaxosNode, GenPaxosNode];
    const key = keyOwnedBy('a');
    expect(await a.ask(key, 'red')).toBe('red');
    expect(c.read(key)).toBeUndefined();
    const cWitness = () =>
      events.filter(
        (e) =>
          e.type === '@xstate.snapshot' &&
          (e.actorRef as { options?: { input?: { node?: string; key?: string } } }).options?.input?.node ===
            'c',
      );
    expect(cWitness().map((e) => (e as { snapshot: { status: string } }).snapshot.status)).not.toContain(
      'stopped',
    );
    expect(c.stats.spawned).toBe(0);
    await c.stop();
    expect(cWitness().at(-1)).toMatchObject({ snapshot: { status: 'stopped', value: 'acknowledged' } });
  });
});
