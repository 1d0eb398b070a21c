// Messages in flight: sends matched with the receives reported by other nodes, in either
// arrival order, oldest first per signature; lost on deadline, link or node loss, or a block;
// held for delivery by hand until delivered, dropped or duplicated.
import { describe, expect, it } from 'vitest';
import { ClusterModel } from '../../src/inspect/view/model/clusterModel.js';
import { InFlightTracker } from '../../src/inspect/view/model/inFlight.js';
import { held, recv, release, send, snapshot } from './modelEvents.js';

const members = ['a', 'b', 'c'];
const upCluster = () => {
  const model = new ClusterModel({ lostAfterMs: 1000 });
  for (const node of members) model.apply(snapshot(0, node, members));
  return model;
};

describe('in-flight matching', () => {
  it('a send is in flight until its receive, then delivered', () => {
    const model = upCluster();
    model.apply(send(10, 'a', 'b', 'k', 'prepare'));
    model.apply(send(10, 'a', 'c', 'k', 'prepare'));
    expect(model.inFlightMessages.map((m) => `${m.from}>${m.to} ${m.msg} ${m.ballot}`)).toEqual([
      'a>b prepare 1.a',
      'a>c prepare 1.a',
    ]);
    model.apply(recv(12, 'a', 'b', 'k', 'prepare'));
    expect(model.inFlightMessages.map((m) => m.to)).toEqual(['c']);
    expect(model.messageCounts).toMatchObject({ sent: 2, delivered: 1, lost: 0, inFlight: 1 });
  });

  it('a receive that reaches the aggregator before its send cancels the send when it comes', () => {
    const model = upCluster();
    model.apply(recv(11, 'a', 'b', 'k', 'promise', '2.a'));
    expect(model.inFlightMessages).toEqual([]);
    model.apply(send(10, 'a', 'b', 'k', 'promise', '2.a'));
    expect(model.inFlightMessages).toEqual([]);
    expect(model.messageCounts).toMatchObject({ sent: 1, delivered: 1 });
  });

  it('matches only the same signature, oldest first', () => {
    const tracker = new InFlightTracker();
    const base = { from: 'a', to: 'b', key: 'k', msg: 'prepare' as const };
    const first = tracker.sent({ ...base, t: 1, ballot: '1.a' });
    const second = tracker.sent({ ...base, t: 2, ballot: '1.a' });
    const other = tracker.sent({ ...base, t: 3, ballot: '2.a' });
    expect(tracker.received({ ...base, t: 4, ballot: '2.a' })?.id).toBe(other?.id);
    expect(tracker.received({ ...base, t: 5, ballot: '1.a' })?.id).toBe(first?.id);
    expect(tracker.list().map((m) => m.id)).toEqual([second?.id]);
    expect(tracker.received({ ...base, t: 6, key: 'other', ballot: '1.a' })).toBeNull();
  });

  it('a message never received is lost at its deadline, pushed out by an injected delay', () => {
    const model = upCluster();
    model.apply({
      type: 'faults',
      t: 0,
      node: 'a',
      blockOut: [],
      blockIn: [],
      dropRate: 0,
      delayMs: 500,
      jitterMs: 0,
    });
    model.apply(send(10, 'a', 'b', 'k', 'prepare'));
    model.apply({ type: 'tick', t: 1400 });
    expect(model.messageCounts.inFlight).toBe(1);
    model.apply({ type: 'tick', t: 1600 });
    expect(model.messageCounts).toMatchObject({ inFlight: 0, lost: 1 });
    expect(model.logEntries.at(-1)?.text).toBe('a→b prepare 1.a k lost (timeout)');
  });

  it('messages are lost at once when a link goes down, the destination is down, or a block applies', () => {
    const model = upCluster();
    model.apply(send(10, 'a', 'b', 'k', 'prepare'));
    model.apply({ type: 'link', t: 11, node: 'a', peer: 'b', up: false });
    expect(model.messageCounts).toMatchObject({ inFlight: 0, lost: 1 });
    model.apply(send(12, 'a', 'b', 'k', 'prepare'));
    expect(model.logEntries.at(-1)?.text).toContain('lost (no link)');
    model.apply({ type: 'node', t: 13, node: 'c', up: false });
    model.apply(send(14, 'a', 'c', 'k', 'prepare'));
    expect(model.logEntries.at(-1)?.text).toContain('lost (node down)');
    model.apply({
      type: 'faults',
      t: 15,
      node: 'b',
      blockOut: [],
      blockIn: ['c'],
      dropRate: 0,
      delayMs: 0,
      jitterMs: 0,
    });
    model.apply(send(16, 'c', 'b', 'k', 'promise'));
    expect(model.logEntries.at(-1)?.text).toContain('lost (blocked)');
    expect(model.messageCounts).toMatchObject({ inFlight: 0, lost: 4 });
  });

  it('a drop reported by an observed network loses the message at once', () => {
    const model = upCluster();
    model.apply(send(10, 'a', 'b', 'k', 'propose', '3.a'));
    model.apply({ type: 'drop', t: 11, node: 'a', to: 'b', key: 'k', msg: 'propose', ballot: '3.a' });
    expect(model.messageCounts).toMatchObject({ inFlight: 0, lost: 1 });
    expect(model.logEntries.at(-1)?.text).toBe('a→b propose 3.a k lost (dropped)');
  });

  it('a snapshot keeps what is in flight', () => {
    const model = upCluster();
    model.apply(send(10, 'a', 'b', 'k', 'prepare'));
    const copy = ClusterModel.fromData(JSON.parse(JSON.stringify(model.toData())));
    copy.apply(recv(12, 'a', 'b', 'k', 'prepare'));
    expect(copy.messageCounts).toMatchObject({ inFlight: 0, delivered: 1 });
    expect(model.messageCounts.inFlight).toBe(1);
  });
});

describe('messages held for delivery by hand', () => {
  it('wait, whatever their age, until released; delivered, they match their receive', () => {
    const model = upCluster();
    model.apply(send(10, 'a', 'b', 'k', 'prepare'));
    model.apply(held(10, 'a', 'b', 'k', 'prepare', 1));
    model.apply(send(11, 'a', 'c', 'k', 'prepare'));
    model.apply(held(11, 'a', 'c', 'k', 'prepare', 2));
    expect(model.heldMessages.map((m) => [m.to, m.heldId])).toEqual([
      ['b', 1],
      ['c', 2],
    ]);
    model.apply(snapshot(60_000, 'b', members)); // a minute later: nothing expired
    expect(model.heldMessages).toHaveLength(2);
    model.apply(release(60_001, 'a', 1, 'deliver'));
    expect(model.heldMessages.map((m) => m.to)).toEqual(['c']);
    model.apply(recv(60_002, 'a', 'b', 'k', 'prepare'));
    expect(model.inFlightMessages.map((m) => m.to)).toEqual(['c']);
    expect(model.messageCounts).toMatchObject({ sent: 2, delivered: 1, lost: 0 });
  });

  it('a held message is never matched by a receive: that receive is of a copy or another message', () => {
    const model = upCluster();
    model.apply(send(10, 'a', 'b', 'k', 'prepare'));
    model.apply(held(10, 'a', 'b', 'k', 'prepare', 1));
    // A duplicate: a copy goes, the message stays held.
    model.apply(release(20, 'a', 1, 'duplicate'));
    expect(model.inFlightMessages.map((m) => [m.to, m.heldId, m.copy])).toEqual([
      ['b', 1, undefined],
      ['b', undefined, true],
    ]);
    model.apply(recv(21, 'a', 'b', 'k', 'prepare'));
    expect(model.heldMessages).toHaveLength(1);
    expect(model.inFlightMessages).toHaveLength(1);
    // Dropped by hand: lost, with its reason in the log.
    model.apply(release(30, 'a', 1, 'drop'));
    expect(model.inFlightMessages).toEqual([]);
    expect(model.messageCounts).toMatchObject({ sent: 2, delivered: 1, lost: 1 });
    expect(model.logEntries.at(-1)?.text).toBe('a→b prepare 1.a k lost (dropped by hand)');
  });

  it('a release whose receive raced ahead of it counts as delivered at once', () => {
    const model = upCluster();
    model.apply(send(10, 'a', 'b', 'k', 'propose'));
    model.apply(held(10, 'a', 'b', 'k', 'propose', 7));
    model.apply(recv(12, 'a', 'b', 'k', 'propose')); // the destination's feed was faster
    model.apply(release(11, 'a', 7, 'deliver'));
    expect(model.inFlightMessages).toEqual([]);
    expect(model.messageCounts).toMatchObject({ sent: 1, delivered: 1 });
  });

  it('held messages survive a snapshot of the model; a crash of their sender loses them', () => {
    const model = upCluster();
    model.apply(send(10, 'a', 'b', 'k', 'prepare'));
    model.apply(held(10, 'a', 'b', 'k', 'prepare', 3));
    const copy = ClusterModel.fromData(JSON.parse(JSON.stringify(model.toData())), { lostAfterMs: 1000 });
    expect(copy.heldMessages.map((m) => m.heldId)).toEqual([3]);
    copy.apply(release(20, 'a', 3, 'deliver'));
    copy.apply(recv(21, 'a', 'b', 'k', 'prepare'));
    expect(copy.messageCounts).toMatchObject({ delivered: 1, lost: 0 });

    model.apply({ type: 'node', t: 20, node: 'a', up: false });
    expect(model.heldMessages).toEqual([]);
    expect(model.messageCounts.lost).toBe(1);
  });
});
