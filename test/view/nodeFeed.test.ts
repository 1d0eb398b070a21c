// Node view feeds over real sockets, aggregated as the demo does: the states every instance
// passes through (with the acceptor fast path off on one node and on, by default, on the
// others), messages matched sent → received, decisions agreeing, links. (A slow viewer's
// bounded buffer and resync: socketPump.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterFeed } from '../../src/inspect/view/clusterFeed.js';
import type { SendEvent, ViewEvent } from '../../src/inspect/view/model/viewEvents.js';
import type { NetworkNode } from '../../src/server/networkNode.js';
import { startLoopbackCluster } from '../fixtures/loopbackCluster.js';
import { waitFor } from '../wire/helpers.js';

const ids = ['a', 'b', 'c'];
const nodes: NetworkNode[] = [];
let feed: ClusterFeed;
const events: ViewEvent[] = [];

beforeAll(async () => {
  nodes.push(
    ...(await startLoopbackCluster(ids, (id) => ({
      view: { port: 0 },
      ...(id === 'a' ? { acceptorFastPath: false } : {}),
      // The classic protocol, so the proposer passes through every phase.
      ownerFastPath: false,
    }))),
  );
  feed = new ClusterFeed({ feeds: Object.fromEntries(nodes.map((n, i) => [ids[i], n.viewUrl as string])) });
  feed.onEvent((event) => events.push(event));
  feed.start();
  await waitFor(() => ids.every((id) => feed.isConnected(id)), 'feeds connected');
  await waitFor(
    () => ids.every((id) => Object.values(feed.model.node(id)?.links ?? {}).filter(Boolean).length === 2),
    'links up in the view',
  );
});

afterAll(async () => {
  await feed.close();
  await Promise.all(nodes.map((n) => n.stop()));
});

const statesOf = (node: string, key: string) =>
  events
    .filter((e) => e.type === 'state' && e.node === node && e.key === key)
    .map((e) => (e as { state: string }).state);

describe('node view feeds, aggregated', () => {
  it('show every state, message and decision of an ask, and agree', async () => {
    const [a, b, c] = nodes as [NetworkNode, NetworkNode, NetworkNode];
    expect(await b.node.ask('colour', 'red')).toBe('red');
    await waitFor(
      () => ids.every((id) => feed.model.stateOf('colour', id) === 'decided'),
      'decided everywhere',
    );
    await waitFor(() => feed.model.messageCounts.inFlight === 0, 'nothing in flight');

    // The proposer b passed through every phase; a (an instance per key) acknowledged then
    // learned; c answered on the fast path, its state sampled after each message.
    expect(statesOf('b', 'colour')).toEqual(['preparing', 'proposing', 'decided']);
    expect(statesOf('a', 'colour')).toEqual(['acknowledged', 'decided']);
    expect(statesOf('c', 'colour')).toEqual(['acknowledged', 'decided']);
    const sent = events.filter((e): e is SendEvent => e.type === 'send' && e.key === 'colour');
    expect(
      sent
        .filter((e) => e.node === 'b')
        .map((e) => `${e.msg}→${e.to}`)
        .sort(),
    ).toEqual(['decide→a', 'decide→c', 'prepare→a', 'prepare→c', 'propose→a', 'propose→c']);
    expect(sent.find((e) => e.node === 'a')).toMatchObject({ msg: 'promise', to: 'b', ballot: '1.b' });
    const counts = feed.model.messageCounts;
    expect(counts.delivered).toBe(counts.sent);
    expect(feed.model.badge).toMatchObject({ ok: true, decidedKeys: 1 });
    expect(feed.model.valueOf('colour', 'c')).toBe('"red"');
    expect(a.node.read('colour')).toBe('red');
    expect(c.node.read('colour')).toBe('red');
  });
});
