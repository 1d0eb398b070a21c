// Properties of the whole instance machine under any sequence of events (messages from
// members and strangers, stale and duplicated ones, asks and timer firings), driven through
// XState's pure transition(). Checked after every event: the promise never falls, a decision
// never changes, and every message that reveals a promise or a vote leaves only after that
// promise or vote was persisted (DESIGN.md §2; Paxos Made Simple §2.2 assumes stable storage).
import fc from 'fast-check';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { describe, expect, it } from 'vitest';
import { compareBallots, type Ballot } from '../../src/paxos/ballot.js';
import type { Effect } from '../../src/paxos/effects.js';
import { instanceMachine, type InstanceEvent } from '../../src/paxos/instanceMachine.js';
import { EMPTY_RECORD, type KeyRecord } from '../../src/paxos/record.js';
import { assertProperty } from '../support/property.js';
import { accepted, valueOfBallot, value } from './arbitraries.js';
import type { AcceptedProposal } from '../../src/paxos/messages.js';

type Snapshot = SnapshotFrom<typeof instanceMachine>;
const SELF = 'n1';
const MEMBERS = ['n1', 'n2', 'n3'];

// Ballots of this node are common, so its own phase-1b/2b replies often match its ballot.
const ballot: fc.Arbitrary<Ballot> = fc.record({
  round: fc.integer({ min: 1, max: 4 }),
  node: fc.constantFrom('n1', 'n1', 'n2', 'n3'),
});
const from = fc.constantFrom('n2', 'n3', 'n2', 'n3', 'n1', 'stranger');

/** Symbolic inputs resolved against the current snapshot, so replies often match our ballot. */
type Input =
  | InstanceEvent
  | { readonly type: 'timeout' }
  | { readonly type: 'promiseCurrent'; readonly from: string; readonly accepted: AcceptedProposal | null }
  | { readonly type: 'acknowledgeCurrent'; readonly from: string };

const event: fc.Arbitrary<Input> = fc.oneof(
  { arbitrary: fc.record({ type: fc.constant('prepare' as const), ballot, from }), weight: 3 },
  {
    arbitrary: ballot
      .map((b) => ({ type: 'propose' as const, ballot: b, value: valueOfBallot(b) }))
      .chain((p) => from.map((f) => ({ ...p, from: f }))),
    weight: 3,
  },
  { arbitrary: fc.record({ type: fc.constant('promise' as const), ballot, accepted, from }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('acknowledge' as const), ballot, from }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('promiseCurrent' as const), from, accepted }), weight: 4 },
  { arbitrary: fc.record({ type: fc.constant('acknowledgeCurrent' as const), from }), weight: 4 },
  {
    arbitrary: fc.record({ type: fc.constant('reject' as const), ballot, promised: ballot, from }),
    weight: 1,
  },
  { arbitrary: fc.record({ type: fc.constant('decide' as const), value, from }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('ask' as const), value }), weight: 3 },
  { arbitrary: fc.constant({ type: 'timeout' as const }), weight: 3 },
);

/** The machine event an input stands for in `snapshot`, or null when it has none there. */
function resolve(input: Input, snapshot: Snapshot): InstanceEvent | null {
  const current = snapshot.context.ballot;
  switch (input.type) {
    case 'timeout':
      return timeoutEvent(snapshot);
    case 'promiseCurrent':
      return current === null
        ? null
        : { type: 'promise', ballot: current, accepted: input.accepted, from: input.from };
    case 'acknowledgeCurrent':
      return current === null ? null : { type: 'acknowledge', ballot: current, from: input.from };
    default:
      return input;
  }
}

/** The delayed-transition event of the state's timer, if it has one. */
function timeoutEvent(snapshot: Snapshot): InstanceEvent | null {
  const state = instanceMachine.root.states[String(snapshot.value)];
  const after = state?.after[0];
  return after === undefined ? null : ({ type: after.eventType } as unknown as InstanceEvent);
}

function effectsOf(actions: readonly { type: string; params?: unknown }[]): Effect[] {
  return actions.filter((a) => a.type === 'xstate.emit').map((a) => (a.params as { event: Effect }).event);
}

/**
 * Throws unless every effect that reveals acceptor state comes after that state is persisted.
 * `learnedFromPeer`: the step handled a `decide`, whose value is chosen elsewhere already.
 */
function checkPersistBeforeReveal(
  durable: KeyRecord,
  effects: readonly Effect[],
  learnedFromPeer = false,
): KeyRecord {
  let record = durable;
  for (const effect of effects) {
    if (effect.type === 'persist') {
      record = effect.record;
      continue;
    }
    if (effect.type === 'decided') {
      // Learned from our own quorum: our own vote for the value is one of the quorum's, so it
      // must be durable before any client hears of the decision.
      if (!learnedFromPeer)
        expect(
          [record.accepted?.value, record.decided?.value],
          'decided before our vote is durable',
        ).toContainEqual(effect.value);
      continue;
    }
    // A re-ask's answer and a refusal reveal nothing a peer could count as a vote.
    if (effect.type === 'answer' || effect.type === 'refused') continue;
    const message = effect.message;
    if (message.type === 'promise' || message.type === 'prepare')
      // Phase 1b, and our own ballot: the promise is durable first, so a restart never breaks it
      // or reuses the ballot.
      expect(
        compareBallots(record.promised, message.ballot),
        `${message.type} before its promise is durable`,
      ).toBeGreaterThanOrEqual(0);
    if (message.type === 'acknowledge')
      // Phase 2b: the acceptance is durable before it is acknowledged.
      expect(record.accepted?.ballot ?? null, 'acknowledge before its acceptance is durable').toEqual(
        message.ballot,
      );
    if (message.type === 'decide' && effect.type === 'broadcast')
      expect(record.accepted?.value, 'decide broadcast before our own vote is durable').toEqual(
        message.value,
      );
  }
  return record;
}

describe('instance machine under any event sequence (fast-check)', () => {
  it('promise never falls, decision never changes, persist before every reveal', () => {
    assertProperty(
      'instance machine invariants',
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        let [snapshot, actions] = initialTransition(instanceMachine, {
          key: 'k',
          node: SELF,
          members: MEMBERS,
          seed: 7,
        });
        let durable = checkPersistBeforeReveal(EMPTY_RECORD, effectsOf(actions));
        for (const input of events) {
          const machineEvent = resolve(input, snapshot);
          if (machineEvent === null) continue;
          const before = snapshot;
          [snapshot, actions] = transition(instanceMachine, snapshot, machineEvent);
          expect(snapshot.status).toBe('active');
          expect(compareBallots(snapshot.context.promised, before.context.promised)).toBeGreaterThanOrEqual(
            0,
          );
          if (before.context.decided !== null) {
            expect(snapshot.value).toBe('decided');
            expect(snapshot.context.decided).toEqual(before.context.decided);
          }
          durable = checkPersistBeforeReveal(durable, effectsOf(actions), machineEvent.type === 'decide');
          for (const effect of effectsOf(actions)) {
            if (effect.type === 'send') expect(MEMBERS.filter((m) => m !== SELF)).toContain(effect.to);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
