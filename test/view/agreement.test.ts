// The agreement badge: green while every decided key has one value across nodes; red with the
// offending key as soon as two nodes decide differently. The must-fail case is a real
// disagreement, so a badge that can only be green is caught.
import { describe, expect, it } from 'vitest';
import { AgreementTracker } from '../../src/inspect/view/model/agreement.js';
import { ClusterModel } from '../../src/inspect/view/model/clusterModel.js';
import { decided, snapshot, state } from './modelEvents.js';

const members = ['a', 'b', 'c'];

describe('agreement badge', () => {
  it('is green while every node decides the same value', () => {
    const model = new ClusterModel();
    for (const node of members) model.apply(snapshot(0, node, members));
    for (const node of members) {
      model.apply(decided(1, node, 'colour', '"red"'));
      model.apply(decided(2, node, 'size', '3'));
    }
    expect(model.badge).toEqual({ ok: true, decidedKeys: 2, disagreeing: 0, offending: null });
    expect(model.stateOf('colour', 'b')).toBe('decided');
  });

  it('MUST FAIL: a key decided differently on two nodes turns it red with that key', () => {
    const model = new ClusterModel();
    for (const node of members) model.apply(snapshot(0, node, members));
    model.apply(decided(1, 'a', 'fine', '"x"'));
    model.apply(decided(1, 'b', 'fine', '"x"'));
    model.apply(decided(2, 'a', 'split', '"red"'));
    model.apply(decided(3, 'c', 'split', '"blue"'));
    const badge = model.badge;
    expect(badge.ok).toBe(false);
    expect(badge.offending).toEqual({ key: 'split', values: { a: '"red"', c: '"blue"' } });
    expect(model.isDisagreeing('split')).toBe(true);
    expect(model.isDisagreeing('fine')).toBe(false);
    expect(model.logEntries.some((l) => l.text.startsWith('DISAGREEMENT on split'))).toBe(true);
  });

  it('the first disagreeing key stays the offending one', () => {
    const tracker = new AgreementTracker();
    expect(tracker.record('k1', 'a', '1')).toBe(true);
    expect(tracker.record('k1', 'b', '2')).toBe(false);
    expect(tracker.record('k2', 'a', '1')).toBe(true);
    expect(tracker.record('k2', 'b', '9')).toBe(false);
    expect(tracker.badge()).toMatchObject({ ok: false, disagreeing: 2, offending: { key: 'k1' } });
    const copy = AgreementTracker.fromData(JSON.parse(JSON.stringify(tracker.toData())));
    expect(copy.badge()).toEqual(tracker.badge());
  });

  it('a decision is final: a late state report does not undo it; a restart forgets only what is not decided', () => {
    const model = new ClusterModel();
    model.apply(snapshot(0, 'a', members));
    model.apply(state(1, 'a', 'k', 'preparing'));
    model.apply(state(1, 'a', 'open', 'acknowledged'));
    model.apply(decided(2, 'a', 'k', '"v"'));
    model.apply(state(3, 'a', 'k', 'proposing'));
    expect(model.stateOf('k', 'a')).toBe('decided');
    expect(model.node('a')?.counts).toMatchObject({ decided: 1, acknowledged: 1, proposing: 0 });
    expect(model.activeKeys).toEqual(['open']);
    model.apply({ type: 'node', t: 4, node: 'a', up: false });
    expect(model.node('a')?.up).toBe(false);
    model.apply(snapshot(5, 'a', members, { incarnation: 'a-2' }));
    expect(model.stateOf('open', 'a')).toBe('nil');
    expect(model.stateOf('k', 'a')).toBe('decided');
    expect(model.node('a')).toMatchObject({ up: true, counts: { acknowledged: 0, decided: 1 } });
    expect(model.activeKeys).toEqual([]);
  });
});
