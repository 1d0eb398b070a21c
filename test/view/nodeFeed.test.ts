// Node view feeds over real sockets, aggregated as the demo does: the states every instance
// passes through and the transition that led to each (with the acceptor fast path off on one
// node and on, by default, on the others: both show the same), every write once durable, messages matched sent →
// received, decisions agreeing, links. (A slow viewer's
// bounded buffer and resync: socketPump.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterFeed } from '../../src/inspect/view/clusterFeed.js';
import { startNodeViewServer } from '../../src/inspect/view/nodeViewServer.js';
import type {
  DurableEvent,
  SendEvent,
  StateEvent,
  ViewEvent,
} from '../../src/inspect/view/model/viewEvents.js';
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
    // learned; c answered on the fast path, without an instance, and is shown the same.
    expect(statesOf('b', 'colour')).toEqual(['preparing', 'proposing', 'decided']);
    // a re-enters acknowledged when it accepts the proposal: a transition of its own.
    expect(statesOf('a', 'colour')).toEqual(['acknowledged', 'acknowledged', 'decided']);
    expect(statesOf('c', 'colour')).toEqual(['acknowledged', 'acknowledged', 'decided']);
    expect(c.node.stats.spawned).toBe(0);
    // Each state event names the transition of the machine definition that led there.
    const transitions = (node: string) =>
      events
        .filter((e): e is StateEvent => e.type === 'state' && e.node === node && e.key === 'colour')
        .map(({ from, event, cause, guard, anyState, ballot, state }) => ({
          from,
          event,
          cause,
          guard,
          anyState,
          ballot,
          state,
        }));
    expect(transitions('b')).toEqual(
      [
        { from: 'nil', event: 'ask', state: 'preparing', ballot: '1.b' },
        {
          from: 'preparing',
          event: 'always',
          cause: 'promise',
          guard: 'hasPromiseQuorum',
          state: 'proposing',
          ballot: '1.b',
        },
        {
          from: 'proposing',
          event: 'acknowledge',
          guard: 'and(isCurrentBallot, completesAckQuorum)',
          state: 'decided',
          ballot: '1.b',
        },
      ].map((t) => ({ cause: undefined, guard: undefined, anyState: undefined, ...t })),
    );
    expect(
      transitions('a').map(
        (t) => `${t.from} -${t.event} [${t.guard}]${t.anyState ? ' (any state)' : ''}-> ${t.state}`,
      ),
    ).toEqual([
      'nil -prepare [grantsVote] (any state)-> acknowledged',
      'acknowledged -propose [grantsVote] (any state)-> acknowledged',
      'acknowledged -decide [fromMember] (any state)-> decided',
    ]);
    expect(transitions('c')).toEqual(transitions('a'));
    // Every vote is reported once durable, on every node: promise, acceptance, decision.
    const durable = (node: string) =>
      events
        .filter((e): e is DurableEvent => e.type === 'durable' && e.node === node && e.key === 'colour')
        .map((e) => [e.promised, e.accepted, e.value, e.decided]);
    for (const node of ids)
      expect(durable(node), node).toEqual([
        ['1.b', null, null, null],
        ['1.b', '1.b', '"red"', null],
        ['1.b', '1.b', '"red"', '"red"'],
      ]);
    // A promise's durable mark comes before the promise leaves (persist before reply).
    const seq = (match: (e: ViewEvent) => boolean) => events.findIndex(match);
    expect(seq((e) => e.type === 'durable' && e.node === 'a')).toBeLessThan(
      seq((e) => e.type === 'send' && e.node === 'a' && e.msg === 'promise'),
    );
    const sent = events.filter((e): e is SendEvent => e.type === 'send' && e.key === 'colour');
    expect(
      sent
        .filter((e) => e.node === 'b')
        .map((e) => `${e.msg}→${e.to}`)
        .sort(),
    ).toEqual(['decide→a', 'decide→c', 'prepare→a', 'prepare→c', 'propose→a', 'propose→c']);
    expect(sent.find((e) => e.node === 'a')).toMatchObject({
      msg: 'promise',
      to: 'b',
      ballot: '1.b',
      accepted: null,
    });
    expect(sent.find((e) => e.node === 'b' && e.msg === 'propose')).toMatchObject({ value: '"red"' });
    expect(sent.find((e) => e.node === 'b' && e.msg === 'decide')).toMatchObject({ value: '"red"' });
    const counts = feed.model.messageCounts;
    expect(counts.delivered).toBe(counts.sent);
    expect(feed.model.badge).toMatchObject({ ok: true, decidedKeys: 1 });
    expect(feed.model.valueOf('colour', 'c')).toBe('"red"');
    expect(a.node.read('colour')).toBe('red');
    expect(c.node.read('colour')).toBe('red');
  });
});

describe('a node’s feed across restarts', () => {
  it('has an incarnation of its own at every start, even when the node’s is durable', async () => {
    // A durable node keeps its incarnation (its data directory's); the view must still see that
    // a restarted process forgot what was not on disk.
    const first = await startNodeViewServer({ nodeId: 'a', incarnation: 'disk-a', members: ['a', 'b'] });
    const second = await startNodeViewServer({ nodeId: 'a', incarnation: 'disk-a', members: ['a', 'b'] });
    const [one, two] = [first.feed.snapshot().incarnation, second.feed.snapshot().incarnation];
    await Promise.all([first.close(), second.close()]);
    expect(one).toMatch(/^disk-a\//);
    expect(two).toMatch(/^disk-a\//);
    expect(one).not.toBe(two);
  });
});
