// Replay: stepping, scrubbing back and forth and playing by time give the same model as
// applying the events in one go; recordings parse back to the events written, bad lines skipped.
import { describe, expect, it } from 'vitest';
import { ClusterModel } from '../../src/inspect/view/model/clusterModel.js';
import {
  parseRecording,
  recordingHeaderLine,
  recordingLine,
} from '../../src/inspect/view/model/recording.js';
import { Timeline } from '../../src/inspect/view/model/timeline.js';
import { VIEW_FEED_VERSION, type ViewEvent } from '../../src/inspect/view/model/viewEvents.js';
import { decided, recv, send, snapshot, state } from './modelEvents.js';

/** A small run: three nodes decide `count` keys, message by message. */
function run(count: number): ViewEvent[] {
  const members = ['a', 'b', 'c'];
  const events: ViewEvent[] = members.map((n) => snapshot(0, n, members));
  let t = 1;
  for (let k = 0; k < count; k++) {
    const key = `k${k}`;
    events.push(state(t++, 'a', key, 'preparing'));
    for (const to of ['b', 'c']) events.push(send(t++, 'a', to, key, 'prepare'));
    for (const to of ['b', 'c'])
      events.push(recv(t++, 'a', to, key, 'prepare'), state(t, to, key, 'acknowledged'));
    events.push(state(t++, 'a', key, 'proposing'));
    for (const to of ['b', 'c']) events.push(send(t++, 'a', to, key, 'propose'));
    events.push(recv(t++, 'a', 'b', key, 'propose'));
    for (const n of members) events.push(decided(t++, n, key, `"v${k}"`));
  }
  return events;
}

const view = (model: ClusterModel) => JSON.parse(JSON.stringify(model.toData()));

function direct(events: readonly ViewEvent[], upTo: number): ClusterModel {
  const model = new ClusterModel();
  for (const event of events.slice(0, upTo)) model.apply(event);
  return model;
}

describe('timeline', () => {
  const events = run(40);

  it('seeking anywhere, forward or back, gives the model of applying the events up to there', () => {
    const timeline = new Timeline(events, { checkpointEvery: 50 });
    for (const target of [events.length, 7, 120, 51, 0, 300, 299, 50, events.length - 1]) {
      timeline.seek(target);
      expect(timeline.cursor).toBe(target);
      expect(view(timeline.model), `at ${target}`).toEqual(view(direct(events, target)));
    }
  });

  it('steps one event at a time, both ways, and clamps at the ends', () => {
    const timeline = new Timeline(events, { checkpointEvery: 50 });
    timeline.step();
    timeline.step();
    expect(timeline.cursor).toBe(2);
    expect(timeline.next).toBe(events[2]);
    timeline.step(-1);
    expect(view(timeline.model)).toEqual(view(direct(events, 1)));
    timeline.step(-5);
    expect(timeline.cursor).toBe(0);
    timeline.seek(events.length + 10);
    expect(timeline.cursor).toBe(events.length);
    expect(timeline.model.badge).toMatchObject({ ok: true, decidedKeys: 40 });
  });

  it('plays by event time and never moves back', () => {
    const timeline = new Timeline(events);
    expect(timeline.startTime).toBe(0);
    timeline.playTo(20);
    expect(timeline.cursor).toBe(events.filter((e) => e.t <= 20).length);
    expect(timeline.time).toBeLessThanOrEqual(20);
    const at = timeline.cursor;
    timeline.playTo(5);
    expect(timeline.cursor).toBe(at);
    timeline.playTo(timeline.endTime);
    expect(timeline.cursor).toBe(events.length);
  });
});

describe('recordings', () => {
  it('parse back to the events written; bad lines are skipped and counted', () => {
    const events = run(3);
    const text =
      recordingHeaderLine('test', ['a', 'b', 'c']) +
      events.map(recordingLine).join('') +
      '{"type":"state","t":1}\nnot json\n{"type":"send","t":1,"node":"a","to":"b","key":"k","msg":"shout","ballot":null}\n' +
      '{"type":"decided","t":99,"node":"a","key":"k9","val'; // cut short by a kill
    const parsed = parseRecording(text);
    expect(parsed.header).toEqual({
      type: 'recording',
      version: VIEW_FEED_VERSION,
      source: 'test',
      nodes: ['a', 'b', 'c'],
    });
    expect(parsed.events).toEqual(events);
    expect(parsed.skipped).toBe(4);
  });
});
