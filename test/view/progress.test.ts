// Who can still decide, as the page says it: a node decides only if it can talk both ways with
// a majority (itself included); down nodes, links and blocks count, loss and delay do not.
import { describe, expect, it } from 'vitest';
import { ClusterModel } from '../../src/inspect/view/model/clusterModel.js';
import { progressOf } from '../../src/inspect/view/model/progress.js';
import { decided, snapshot, state } from './modelEvents.js';

const members = ['n1', 'n2', 'n3'];
const upCluster = () => {
  const model = new ClusterModel();
  for (const node of members) model.apply(snapshot(0, node, members));
  return model;
};
const faults = (node: string, blocked: string[]) =>
  ({
    type: 'faults',
    t: 1,
    node,
    blockOut: blocked,
    blockIn: blocked,
    dropRate: 0.5,
    delayMs: 1500,
    jitterMs: 750,
  }) as const;

describe('progress: can a majority talk?', () => {
  it('says nothing while every node can decide, loss and delay notwithstanding', () => {
    const model = upCluster();
    for (const node of members) model.apply(faults(node, []));
    expect(progressOf(model.nodes)).toMatchObject({
      majority: 2,
      deciding: members,
      stuck: [],
      message: null,
    });
  });

  it('one node of three down: the others still decide, and the page says so', () => {
    const model = upCluster();
    model.apply({ type: 'node', t: 1, node: 'n3', up: false });
    const progress = progressOf(model.nodes);
    expect(progress).toMatchObject({ deciding: ['n1', 'n2'], down: ['n3'] });
    expect(progress.message).toBe(
      'n3 is down: the others (n1 and n2) still form a majority and keep deciding.',
    );
  });

  it('two down: no progress is possible, in words', () => {
    const model = upCluster();
    model.apply({ type: 'node', t: 1, node: 'n2', up: false });
    model.apply({ type: 'node', t: 1, node: 'n3', up: false });
    const progress = progressOf(model.nodes);
    expect(progress).toMatchObject({ deciding: [], stuck: [{ id: 'n1', reach: 1 }] });
    expect(progress.message).toBe(
      'No progress is possible: a decision needs 2 of the 3 nodes to talk to each other, and no node can reach that many (n2 and n3 are down, n1 is cut off). Keys asked now wait, undecided, until enough nodes are back.',
    );
  });

  it('a node cut off (a block either way, or a link down) cannot decide on its own', () => {
    const model = upCluster();
    model.apply(faults('n1', ['n2', 'n3']));
    expect(progressOf(model.nodes)).toMatchObject({
      deciding: ['n2', 'n3'],
      stuck: [{ id: 'n1', reach: 1 }],
    });
    expect(progressOf(model.nodes).message).toMatch(
      /^n1 cannot decide on its own: a decision needs 2 of the 3 nodes/,
    );
    const links = upCluster();
    links.apply({ type: 'link', t: 1, node: 'n2', peer: 'n1', up: false });
    links.apply({ type: 'link', t: 1, node: 'n3', peer: 'n1', up: false });
    expect(progressOf(links.nodes).stuck).toEqual([{ id: 'n1', reach: 1 }]);
  });
});

describe('missed decisions', () => {
  it('a key first decided while a node was down stays missed there until the node hears of it', () => {
    const model = upCluster();
    model.apply({ type: 'node', t: 1, node: 'n3', up: false });
    model.apply(decided(2, 'n1', 'k', '"v"'));
    model.apply(decided(3, 'n2', 'k', '"v"'));
    model.apply(snapshot(4, 'n3', members, { incarnation: 'n3-2' })); // restarted
    expect(model.missed('k', 'n3')).toBe(true);
    expect(model.missed('k', 'n2')).toBe(false);
    expect(model.missedCount('n3')).toBe(1);
    const copy = ClusterModel.fromData(JSON.parse(JSON.stringify(model.toData())));
    expect(copy.missedCount('n3')).toBe(1);
    model.apply(state(5, 'n3', 'k', 'preparing')); // asked there again: it will learn
    expect(model.missed('k', 'n3')).toBe(false);
  });

  it('so does a key decided while the node was cut off from the decider', () => {
    const model = upCluster();
    model.apply(faults('n1', ['n3']));
    model.apply(faults('n3', ['n1']));
    model.apply(decided(2, 'n1', 'k', '"v"'));
    expect(model.missed('k', 'n3')).toBe(true);
    expect(model.missed('k', 'n2')).toBe(false);
  });
});
