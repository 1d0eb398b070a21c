// A key's story in the view model, and its captions: every message with its fate, durable
// writes, transitions and decisions in the order seen; why each step happened in plain words
// (P2c's choice of value, a rejection's consequence); bounded; carried through model snapshots.
import { describe, expect, it } from 'vitest';
import { machineGraph } from '../../src/inspect/machineGraph.js';
import { ClusterModel } from '../../src/inspect/view/model/clusterModel.js';
import type { MessageStep } from '../../src/inspect/view/model/keyStory.js';
import { hasTransitionCaption, storyCaptions } from '../../src/inspect/view/model/storyCaption.js';
import type { ViewEvent } from '../../src/inspect/view/model/viewEvents.js';
import { instanceMachine } from '../../src/paxos/instanceMachine.js';
import { decided, durable, moved, recv, send, snapshot } from './modelEvents.js';

const members = ['a', 'b', 'c'];

/** a runs ballot 2.a; c had accepted "blue" in 1.c, so a must propose "blue"; c's old prepare is rejected. */
const contended: ViewEvent[] = [
  moved(1, 'a', 'k', 'nil', 'preparing', { event: 'ask', ballot: '2.a' }),
  durable(2, 'a', 'k', { promised: '2.a' }),
  send(3, 'a', 'b', 'k', 'prepare', '2.a'),
  send(3, 'a', 'c', 'k', 'prepare', '2.a'),
  recv(4, 'a', 'b', 'k', 'prepare', '2.a'),
  recv(4, 'a', 'c', 'k', 'prepare', '2.a'),
  moved(5, 'b', 'k', 'nil', 'acknowledged', { event: 'prepare', guard: 'grantsVote', anyState: true }),
  durable(5, 'b', 'k', { promised: '2.a' }),
  { ...send(6, 'b', 'a', 'k', 'promise', '2.a'), accepted: null },
  durable(6, 'c', 'k', { promised: '2.a', accepted: '1.c', value: '"blue"' }),
  { ...send(6, 'c', 'a', 'k', 'promise', '2.a'), accepted: '1.c', value: '"blue"' },
  recv(7, 'b', 'a', 'k', 'promise', '2.a'),
  recv(7, 'c', 'a', 'k', 'promise', '2.a'),
  moved(8, 'a', 'k', 'preparing', 'proposing', {
    event: 'always',
    cause: 'promise',
    guard: 'hasPromiseQuorum',
    ballot: '2.a',
  }),
  { ...send(8, 'a', 'b', 'k', 'propose', '2.a'), value: '"blue"' },
  { ...send(8, 'a', 'c', 'k', 'propose', '2.a'), value: '"blue"' },
  { type: 'drop', t: 9, node: 'a', to: 'c', key: 'k', msg: 'propose', ballot: '2.a', value: '"blue"' },
  recv(9, 'a', 'b', 'k', 'propose', '2.a'),
  durable(9, 'b', 'k', { promised: '2.a', accepted: '2.a', value: '"blue"' }),
  send(10, 'b', 'a', 'k', 'acknowledge', '2.a'),
  { ...send(10, 'b', 'c', 'k', 'reject', '1.c'), promised: '2.a' },
  recv(11, 'b', 'a', 'k', 'acknowledge', '2.a'),
  moved(11, 'a', 'k', 'proposing', 'decided', {
    event: 'always',
    cause: 'acknowledge',
    guard: 'hasAckQuorum',
    ballot: '2.a',
  }),
  decided(11, 'a', 'k', '"blue"'),
];

function modelWith(events: readonly ViewEvent[], options = {}): ClusterModel {
  const model = new ClusterModel(options);
  for (const node of members) model.apply(snapshot(0, node, members));
  for (const event of events) model.apply(event);
  return model;
}

const messages = (model: ClusterModel, key = 'k') =>
  (model.storyOf(key)?.steps ?? []).filter((s): s is MessageStep => s.kind === 'message');

describe('a key’s story', () => {
  it('lists every step in order, each message with its fate', () => {
    const model = modelWith(contended);
    const steps = model.storyOf('k')?.steps ?? [];
    expect(steps.map((s) => s.kind)).toEqual([
      'state',
      'durable',
      'message',
      'message',
      'state',
      'durable',
      'message',
      'durable',
      'message',
      'state',
      'message',
      'message',
      'durable',
      'message',
      'message',
      'state',
      'decided',
    ]);
    expect(
      messages(model).map((m) => `${m.msg} ${m.from}→${m.to} ${m.ballot}: ${m.fate?.outcome ?? 'in flight'}`),
    ).toEqual([
      'prepare a→b 2.a: arrived',
      'prepare a→c 2.a: arrived',
      'promise b→a 2.a: arrived',
      'promise c→a 2.a: arrived',
      'propose a→b 2.a: arrived',
      'propose a→c 2.a: lost',
      'acknowledge b→a 2.a: arrived',
      'reject b→c 1.c: in flight',
    ]);
    expect(messages(model)[5]?.fate?.reason).toBe('dropped');
  });

  it('says why in plain words: P2c’s value, a rejection, persist before reply', () => {
    const model = modelWith(contended);
    const steps = model.storyOf('k')?.steps ?? [];
    const captions = storyCaptions(steps);
    const caption = (match: (s: (typeof steps)[number]) => boolean) => captions[steps.findIndex(match)];
    expect(caption((s) => s.kind === 'state' && s.node === 'a')).toBe(
      'a is asked for a value: it starts phase 1 with ballot 2.a (nil → preparing)',
    );
    expect(caption((s) => s.kind === 'durable' && s.node === 'a')).toMatch(
      /^a’s promise of its own ballot 2\.a is on disk: its prepare may leave/,
    );
    expect(caption((s) => s.kind === 'durable' && s.node === 'b')).toBe(
      'b’s promise of 2.a is on disk: only now may its reply leave',
    );
    expect(caption((s) => s.kind === 'message' && s.msg === 'promise' && s.from === 'c')).toBe(
      'c promises 2.a and reports it accepted "blue" at 1.c, so a must propose "blue" unless another promise reports a higher ballot (phase 1b)',
    );
    expect(caption((s) => s.kind === 'message' && s.msg === 'propose' && s.to === 'b')).toBe(
      'a asks b to accept "blue" in 2.a (phase 2a): the highest accepted value among its promises is "blue" at 1.c (from c), so it must propose that (P2c)',
    );
    // Said once per ballot.
    expect(caption((s) => s.kind === 'message' && s.msg === 'propose' && s.to === 'c')).toBe(
      'a asks c to accept "blue" in 2.a (phase 2a)',
    );
    expect(caption((s) => s.kind === 'message' && s.msg === 'acknowledge')).toBe(
      'b accepted "blue" in 2.a and tells a (phase 2b)',
    );
    expect(caption((s) => s.kind === 'message' && s.msg === 'reject')).toBe(
      'b refuses 1.c: it has promised 2.a, so c must retry above round 2',
    );
    expect(caption((s) => s.kind === 'state' && s.state === 'proposing')).toBe(
      'a has promises from a majority for 2.a: on to phase 2 (preparing → proposing)',
    );
    expect(caption((s) => s.kind === 'decided')).toBe(
      'a is the first to know: "blue" is chosen, and no other value ever can be',
    );
  });

  it('tells the owner’s round 0 as a fast round the owner does not vote in (docs/fast-path.md)', () => {
    // a owns k: it proposes in 0.a without phase 1 and writes nothing; b and c accept; both are needed.
    const model = modelWith([
      moved(1, 'a', 'k', 'nil', 'proposing', { event: 'ask', guard: 'mayTakeFirstBallot', ballot: '0.a' }),
      { ...send(1, 'a', 'b', 'k', 'propose', '0.a'), value: '"red"' },
      { ...send(1, 'a', 'c', 'k', 'propose', '0.a'), value: '"red"' },
      recv(2, 'a', 'b', 'k', 'propose', '0.a'),
      recv(2, 'a', 'c', 'k', 'propose', '0.a'),
      durable(3, 'b', 'k', { promised: '0.a', accepted: '0.a', value: '"red"' }),
      durable(3, 'c', 'k', { promised: '0.a', accepted: '0.a', value: '"red"' }),
      send(4, 'b', 'a', 'k', 'acknowledge', '0.a'),
      send(4, 'c', 'a', 'k', 'acknowledge', '0.a'),
      recv(5, 'b', 'a', 'k', 'acknowledge', '0.a'),
      recv(5, 'c', 'a', 'k', 'acknowledge', '0.a'),
      moved(5, 'a', 'k', 'proposing', 'decided', {
        event: 'always',
        cause: 'acknowledge',
        guard: 'hasAckQuorum',
        ballot: '0.a',
      }),
      decided(5, 'a', 'k', '"red"'),
    ]);
    const steps = model.storyOf('k')?.steps ?? [];
    const captions = storyCaptions(steps);
    const caption = (match: (s: (typeof steps)[number]) => boolean) => captions[steps.findIndex(match)];
    expect(caption((s) => s.kind === 'state' && s.state === 'proposing')).toBe(
      'a owns the key and nobody voted on it yet: it skips phase 1 and proposes in ballot 0.a, a fast round it does not vote in (every other member must accept) (nil → proposing)',
    );
    expect(caption((s) => s.kind === 'message' && s.msg === 'propose' && s.to === 'b')).toBe(
      'a asks b to accept "red" in 0.a (phase 2a): ballot 0 belongs to the key’s owner, so there was no phase 1; the owner does not vote in it, so the value is chosen only if every other member accepts',
    );
    expect(caption((s) => s.kind === 'state' && s.state === 'decided')).toBe(
      "every other member accepted a's proposal in 0.a, the fast round a does not vote in: the value is chosen (proposing → decided)",
    );
  });

  it('has a line for every transition of the instance machine that enters a state', () => {
    const graph = machineGraph(instanceMachine);
    const entering = graph.transitions.filter((t) => t.target !== null);
    expect(entering.length).toBeGreaterThan(10);
    for (const t of entering)
      expect(
        hasTransitionCaption(t.event, t.guard),
        `${t.source} → ${t.target}: ${t.event} [${t.guard}]`,
      ).toBe(true);
    expect(hasTransitionCaption('explode', undefined)).toBe(false);
  });

  it('keeps the stories of the most recent keys, each up to a bound', () => {
    const model = modelWith(
      ['k1', 'k2', 'k3'].flatMap((key, i) => [
        send(i, 'a', 'b', key, 'prepare'),
        send(i, 'a', 'c', key, 'prepare'),
        recv(i, 'a', 'b', key, 'prepare'),
      ]),
      { maxStories: 2, maxStorySteps: 1 },
    );
    expect(model.storyOf('k1')).toBeUndefined();
    expect(model.storyOf('k3')?.steps).toHaveLength(1);
    expect(model.storyOf('k3')?.truncated).toBe(true);
    // The kept step's fate is still recorded.
    expect(messages(model, 'k3')[0]?.fate?.outcome).toBe('arrived');
  });

  it('survives a snapshot of the model, and goes on recording fates', () => {
    const model = modelWith(contended.slice(0, 4));
    const copy = ClusterModel.fromData(JSON.parse(JSON.stringify(model.toData())));
    copy.apply(recv(4, 'a', 'b', 'k', 'prepare', '2.a'));
    expect(messages(copy).map((m) => m.fate?.outcome)).toEqual(['arrived', undefined]);
    expect(messages(model).map((m) => m.fate?.outcome)).toEqual([undefined, undefined]);
  });
});
