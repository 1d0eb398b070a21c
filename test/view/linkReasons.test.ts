// The view shows why a link is down: the node's feed publishes the reason with each link
// change (and a change of reason alone), its snapshot carries them, and the cluster model keeps
// them per node until the link is up again.
import { describe, expect, it } from 'vitest';
import { ClusterModel } from '../../src/inspect/view/model/clusterModel.js';
import { validateViewEvent } from '../../src/inspect/view/model/validateEvent.js';
import type { ViewEvent } from '../../src/inspect/view/model/viewEvents.js';
import { NodeViewFeed } from '../../src/inspect/view/nodeViewFeed.js';

describe('link reasons in the view', () => {
  it('are published on change, kept in the snapshot and applied to the model', () => {
    const events: ViewEvent[] = [];
    const feed = new NodeViewFeed({
      nodeId: 'a',
      incarnation: 'i1',
      members: ['a', 'b', 'c'],
      publish: (event) => events.push(event),
      now: () => 1,
    });
    feed.setLinks([
      { peer: 'b', up: true },
      { peer: 'c', up: false, reason: 'unreachable' },
    ]);
    feed.setLinks([
      { peer: 'b', up: true },
      { peer: 'c', up: false, reason: 'unreachable' },
    ]); // nothing changed: no event
    feed.setLinks([
      { peer: 'b', up: true },
      { peer: 'c', up: false, reason: 'refused by peer: amnesia' },
    ]);
    expect(events).toEqual([
      { type: 'link', t: 1, node: 'a', peer: 'b', up: true },
      { type: 'link', t: 1, node: 'a', peer: 'c', up: false, reason: 'unreachable' },
      { type: 'link', t: 1, node: 'a', peer: 'c', up: false, reason: 'refused by peer: amnesia' },
    ]);
    const snapshot = feed.snapshot();
    expect(snapshot.linkReasons).toEqual({ c: 'refused by peer: amnesia' });
    for (const event of [...events, snapshot])
      expect(validateViewEvent(JSON.parse(JSON.stringify(event)))).not.toBeNull();

    const model = new ClusterModel();
    model.apply(snapshot);
    expect(model.node('a')?.linkReasons).toEqual({ c: 'refused by peer: amnesia' });
    model.apply({ type: 'link', t: 2, node: 'a', peer: 'c', up: true });
    expect(model.node('a')?.linkReasons).toEqual({});
  });
});
