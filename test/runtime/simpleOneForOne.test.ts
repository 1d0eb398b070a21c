// simple_one_for_one: dynamic children keyed by id, per-child input recomputed at every restart,
// hooks on every incarnation, and a per-child intensity that gives up one child only. The last
// block hosts real Paxos instances the way KeySupervisor does, on the embeddable engine.
import { describe, expect, it } from 'vitest';
import {
  createActor,
  emit,
  setup,
  SimulatedClock,
  type ActorLogic,
  type AnyActorLogic,
  type AnyActorRef,
  type AnyStateMachine,
  type EventObject,
  type Snapshot,
} from 'xstate';
import type { Effect } from '../../src/paxos/effects.js';
import { instanceMachine, type InstanceStateName } from '../../src/paxos/instanceMachine.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { isAlive, type ActorLike } from '../../src/runtime/actorLike.js';
import { exitReasonOf, type ExitReason } from '../../src/runtime/exitReason.js';
import { UNLIMITED_INTENSITY } from '../../src/runtime/supervisor/childSpec.js';
import { SimpleOneForOne } from '../../src/runtime/supervisor/simpleOneForOne.js';
import { supervisor } from '../../src/runtime/supervisor/supervisor.js';
import {
  childOf,
  startChild,
  terminateChild,
  whichChildren,
} from '../../src/runtime/supervisor/supervisorApi.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { codeOf } from './helpers.js';

/** `machine`, except that the event `boom` crashes it (a thrown error, as a bug would). */
function crashable<TMachine extends AnyStateMachine>(machine: TMachine): TMachine {
  const logic: AnyActorLogic = {
    config: machine.config,
    getInitialSnapshot: (scope, input) => machine.getInitialSnapshot(scope, input),
    start: (snapshot) => machine.start(snapshot),
    transition: (snapshot, event: EventObject, scope) => {
      if (event.type === 'boom') throw new Error('boom');
      return machine.transition(snapshot, event, scope);
    },
    getPersistedSnapshot: (snapshot, options) => machine.getPersistedSnapshot(snapshot, options),
  };
  return logic as unknown as TMachine;
}

const echo = crashable(
  setup({
    types: {
      input: {} as { id: string; incarnation: number },
      context: {} as { id: string; incarnation: number },
      events: {} as { type: 'say'; text: string } | { type: 'boom' },
      emitted: {} as { type: 'said'; text: string },
    },
  }).createMachine({
    context: ({ input }) => input,
    on: { say: { actions: emit(({ event }) => ({ type: 'said' as const, text: event.text })) } },
  }),
);

function boom(ref: ActorLike | undefined): void {
  (ref as ActorLike<{ type: 'boom' }>).send({ type: 'boom' });
}

describe('simple_one_for_one supervisor', () => {
  function keyed(childIntensity?: { maxRestarts: number; periodMs: number }, isolated = false) {
    const log: string[] = [];
    const inputs: string[] = [];
    let incarnations = 0;
    const sup = createActor(
      supervisor({
        strategy: 'simple_one_for_one',
        intensity: UNLIMITED_INTENSITY,
        child: {
          logic: echo,
          restart: 'transient',
          // Computed at every start and restart, as a Paxos instance reloads its record.
          input: (id: string, args: { greeting: string }) => {
            inputs.push(`${id}:${args.greeting}`);
            return { id, incarnation: ++incarnations };
          },
          ...(childIntensity ? { childIntensity } : {}),
          ...(isolated ? { isolated } : {}),
          observe: {
            started: (id, _child, restarted) => log.push(`${restarted ? 'restart' : 'start'} ${id}`),
            emitted: (id, event) => log.push(`${id} said ${event.text}`),
            snapshot: (id, snapshot) => log.push(`${id} snapshot ${snapshot.context.incarnation}`),
            exited: (id, _reason, restarting) => log.push(`exit ${id}${restarting ? '' : ' for good'}`),
            gaveUp: (id) => log.push(`gave up ${id}`),
          },
        },
      }),
      { clock: new SimulatedClock() },
    );
    sup.subscribe({ error: () => {} });
    sup.start();
    return { sup, log, inputs };
  }

  it('starts children on demand with per-child arguments', async () => {
    const { sup, inputs } = keyed();
    const a = await startChild(sup, { id: 'a', args: { greeting: 'hi' } });
    await startChild(sup, { id: 'b', args: { greeting: 'yo' } });
    expect(inputs).toEqual(['a:hi', 'b:yo']);
    expect(childOf(sup, 'a')).toBe(a);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['a', 'b']);
    expect(await codeOf(startChild(sup, { id: 'a', args: { greeting: 'again' } }))).toBe(
      'SUPERVISOR_ERR_ALREADY_PRESENT',
    );
  });

  it('restarts a crashed child with input computed again, and observes every incarnation', async () => {
    const { sup, log, inputs } = keyed();
    await startChild(sup, { id: 'a', args: { greeting: 'hi' } });
    boom(childOf(sup, 'a'));
    (childOf(sup, 'a') as ActorLike<{ type: 'say'; text: string }>).send({ type: 'say', text: 'again' });
    expect(inputs).toEqual(['a:hi', 'a:hi']);
    expect(log).toEqual([
      'a snapshot 1',
      'start a',
      'exit a',
      'a snapshot 2',
      'restart a',
      'a said again',
      'a snapshot 2',
    ]);
  });

  it('gives up only the child past its own intensity; the others and the supervisor carry on', async () => {
    const { sup, log } = keyed({ maxRestarts: 2, periodMs: 1000 });
    await startChild(sup, { id: 'a', args: { greeting: 'hi' } });
    const b = await startChild(sup, { id: 'b', args: { greeting: 'yo' } });
    boom(childOf(sup, 'a'));
    boom(childOf(sup, 'a'));
    boom(childOf(sup, 'a'));
    expect(log.filter((line) => line.startsWith('gave up'))).toEqual(['gave up a']);
    expect(childOf(sup, 'a')).toBeUndefined();
    expect(childOf(sup, 'b')).toBe(b);
    expect(isAlive(sup)).toBe(true);
    // The id is free again; it starts with a fresh history.
    await startChild(sup, { id: 'a', args: { greeting: 'back' } });
    expect(isAlive(childOf(sup, 'a') as ActorLike)).toBe(true);
  });

  it('reports restarting: false for the exit that exceeds the per-child intensity', async () => {
    const { sup, log } = keyed({ maxRestarts: 1, periodMs: 1000 });
    await startChild(sup, { id: 'a', args: { greeting: 'hi' } });
    boom(childOf(sup, 'a'));
    boom(childOf(sup, 'a'));
    expect(log.filter((line) => line.startsWith('exit') || line.startsWith('gave'))).toEqual([
      'exit a',
      'exit a for good',
      'gave up a',
    ]);
  });

  it('terminateChild stops a child for good; shutdown stops the rest, last started first', async () => {
    const { sup } = keyed();
    const stopped: string[] = [];
    for (const id of ['a', 'b', 'c']) {
      const ref = await startChild(sup, { id, args: { greeting: id } });
      ref.subscribe({ complete: () => stopped.push(id), error: () => {} });
    }
    await terminateChild(sup, 'b');
    expect(await codeOf(terminateChild(sup, 'b'))).toBe('SUPERVISOR_ERR_NOT_FOUND');
    sup.stop();
    expect(stopped).toEqual(['b', 'c', 'a']);
  });

  it('with the default intensity, crashes of different children add up and the supervisor fails', async () => {
    const errors: unknown[] = [];
    const sup = createActor(supervisor({ strategy: 'simple_one_for_one', child: { logic: echo } }), {
      clock: new SimulatedClock(),
    });
    sup.subscribe({ error: (error) => errors.push(error) });
    sup.start();
    const a = await startChild(sup, { id: 'a', args: { id: 'a', incarnation: 1 } });
    const b = await startChild(sup, { id: 'b', args: { id: 'b', incarnation: 1 } });
    boom(a);
    boom(b);
    expect(errors).toEqual([expect.objectContaining({ code: 'SUPERVISOR_ERR_MAX_RESTARTS' })]);
    expect(whichChildren(sup)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// KeySupervisor on this layer: a node-like custom actor logic that hosts the per-key Paxos
// instances in a SimpleOneForOne engine, exactly as src/node/keySupervisor.ts does by hand:
// spawn per key with the stored record as input, route emitted effects, retire decided
// instances, restart crashed ones from storage and re-ask, give up a key that keeps crashing.

type MiniNodeEvent =
  | { readonly type: 'ask'; readonly key: string; readonly value: PaxosValue }
  | { readonly type: 'boom'; readonly key: string }
  | { readonly type: 'instance.retire'; readonly key: string; readonly sessionId: string };

interface MiniNodeState {
  readonly effects: Effect[];
  readonly failed: Map<string, ExitReason>;
  readonly restarted: string[];
  pool: SimpleOneForOne<typeof instanceMachine, null> | null;
}

type MiniNodeSnapshot = Snapshot<undefined> & { readonly context: { readonly live: number } };

function miniNode(
  members: readonly string[],
  storage: MemoryStorage,
  clock: VirtualClock,
  state: MiniNodeState,
): ActorLogic<MiniNodeSnapshot, MiniNodeEvent> {
  const proposals = new Map<string, PaxosValue>();
  const snapshotOf = (status: 'active' | 'stopped'): MiniNodeSnapshot =>
    ({
      status,
      output: undefined,
      error: undefined,
      context: { live: state.pool?.size ?? 0 },
    }) as MiniNodeSnapshot;
  return {
    getInitialSnapshot(scope) {
      state.pool = new SimpleOneForOne({
        template: {
          logic: crashable(instanceMachine),
          restart: 'transient',
          input: (key) => ({ key, node: 'a', members, record: storage.load(key) ?? null, seed: 7 }),
          childIntensity: { maxRestarts: 2, periodMs: 5000 },
          observe: {
            // KeySupervisor: child.on('*', (effect) => this.runner.run(effect)).
            emitted: (_key, effect) => {
              state.effects.push(effect);
              if (effect.type === 'persist') void storage.write(effect.key, effect.record);
            },
            // KeySupervisor: retire decided instances, through the node's own mailbox.
            snapshot: (key, snapshot, child) => {
              if (snapshot.value === 'decided') {
                scope.self.send({ type: 'instance.retire', key, sessionId: child.sessionId });
              }
            },
            // KeySupervisor.instanceCrashed: a restarted instance is asked again.
            started: (key, child, restarted) => {
              const proposal = proposals.get(key);
              if (restarted) state.restarted.push(key);
              if (restarted && proposal !== undefined) child.send({ type: 'ask', value: proposal });
            },
            // KeySupervisor.giveUp: the key is refused from now on; other keys carry on.
            gaveUp: (key, reason) => {
              state.failed.set(key, reason);
              proposals.delete(key);
            },
          },
        },
        intensity: UNLIMITED_INTENSITY,
        now: () => clock.now(),
      });
      state.pool.attach(scope);
      return snapshotOf('active');
    },
    transition(snapshot, event, scope) {
      const pool = state.pool;
      if (!pool || snapshot.status !== 'active') return snapshot;
      if (pool.childExited(event)) return snapshotOf('active');
      if ((event as EventObject).type === 'xstate.stop') {
        pool.shutdown();
        return snapshotOf('stopped');
      }
      switch (event.type) {
        case 'ask':
          if (state.failed.has(event.key) || storage.load(event.key)?.decided) break;
          proposals.set(event.key, event.value);
          (pool.child(event.key) ?? pool.startChild(event.key, null)).send({
            type: 'ask',
            value: event.value,
          });
          break;
        case 'boom':
          (pool.child(event.key) as ActorLike<{ type: 'boom' }> | undefined)?.send({ type: 'boom' });
          break;
        case 'instance.retire':
          if (pool.child(event.key)?.sessionId === event.sessionId) pool.terminateChild(event.key);
          break;
      }
      void scope;
      return snapshotOf('active');
    },
    getPersistedSnapshot: (snapshot) => snapshot,
  };
}

describe('isolated children (each the root of an actor system of its own)', () => {
  function isolatedPool(clock: SimulatedClock) {
    const log: string[] = [];
    const delayed = setup({}).createMachine({
      initial: 'early',
      states: { early: { after: { 100: 'late' } }, late: {} },
    });
    const sup = createActor(
      supervisor({
        strategy: 'simple_one_for_one',
        intensity: UNLIMITED_INTENSITY,
        child: {
          logic: crashable(delayed),
          restart: 'transient',
          isolated: true,
          childIntensity: { maxRestarts: 1, periodMs: 1000 },
          observe: {
            started: (id, _child, restarted) => log.push(`${restarted ? 'restart' : 'start'} ${id}`),
            exited: (id, _reason, restarting) => log.push(`exit ${id}${restarting ? '' : ' for good'}`),
            gaveUp: (id) => log.push(`gave up ${id}`),
          },
        },
      }),
      { clock },
    );
    sup.subscribe({ error: () => {} });
    sup.start();
    return { sup, log };
  }

  it("run outside the supervisor's actor system, on its clock", async () => {
    const clock = new SimulatedClock();
    const { sup } = isolatedPool(clock);
    const a = await startChild(sup, { id: 'a', args: undefined });
    const ref = a as unknown as AnyActorRef;
    expect(ref.system).not.toBe(sup.system);
    expect(ref._parent).toBeUndefined();
    clock.increment(100);
    expect(ref.getSnapshot().value).toBe('late');
  });

  it('report their crashes to the supervisor like children do: restarted, then given up', async () => {
    const { sup, log } = isolatedPool(new SimulatedClock());
    await startChild(sup, { id: 'a', args: undefined });
    boom(childOf(sup, 'a'));
    boom(childOf(sup, 'a'));
    expect(log).toEqual(['start a', 'exit a', 'restart a', 'exit a for good', 'gave up a']);
    expect(isAlive(sup)).toBe(true);
  });

  it('stopped by terminateChild or shutdown, report no exit', async () => {
    const { sup, log } = isolatedPool(new SimulatedClock());
    const a = await startChild(sup, { id: 'a', args: undefined });
    await startChild(sup, { id: 'b', args: undefined });
    await terminateChild(sup, 'a');
    expect(isAlive(a)).toBe(false);
    sup.stop();
    expect(log).toEqual(['start a', 'start b']);
  });
});

describe('KeySupervisor as a host of SimpleOneForOne', () => {
  function start(members: readonly string[]) {
    const clock = new VirtualClock();
    const storage = new MemoryStorage();
    const state: MiniNodeState = { effects: [], failed: new Map(), restarted: [], pool: null };
    const node = createActor(miniNode(members, storage, clock, state), { clock });
    node.start();
    return {
      node,
      storage,
      state,
      clock,
      pool: () => state.pool as SimpleOneForOne<typeof instanceMachine, null>,
    };
  }

  it('spawns a Paxos instance per key, routes its effects in order, and retires it once decided', async () => {
    const { node, storage, state, pool } = start(['a']);
    node.send({ type: 'ask', key: 'colour', value: 'red' });
    expect(state.effects.map((e) => e.type)).toEqual([
      'persist',
      'broadcast',
      'broadcast',
      'persist',
      'broadcast',
      'decided',
      'persist',
    ]);
    expect(pool().size).toBe(0);
    expect(node.getSnapshot().context.live).toBe(0);
    await Promise.resolve();
    expect(storage.load('colour')?.decided).toEqual({ value: 'red' });
  });

  it('restarts a crashed instance from its stored record and asks it again', () => {
    const { node, state, pool, storage } = start(['a', 'b', 'c']); // alone: stays in preparing
    node.send({ type: 'ask', key: 'k', value: 1 });
    const first = pool().child('k');
    expect(first?.getSnapshot().value satisfies InstanceStateName | undefined).toBe('preparing');
    const promised = storage.load('k')?.promised;
    node.send({ type: 'boom', key: 'k' });
    const second = pool().child('k');
    expect(second).not.toBe(first);
    expect(exitReasonOf(first as ActorLike)).toMatchObject({ error: expect.any(Error) });
    expect(state.restarted).toEqual(['k']);
    // It came back with the durable record and proposes again with a higher ballot.
    expect(second?.getSnapshot().value).toBe('preparing');
    expect(second?.getSnapshot().context.promised?.round).toBeGreaterThan(promised?.round ?? 0);
  });

  it('gives up a key that keeps crashing and keeps serving the others', () => {
    const { node, state, pool } = start(['a', 'b', 'c']);
    node.send({ type: 'ask', key: 'bad', value: 1 });
    node.send({ type: 'ask', key: 'good', value: 2 });
    for (let i = 0; i < 3; i++) node.send({ type: 'boom', key: 'bad' });
    expect([...state.failed.keys()]).toEqual(['bad']);
    expect(pool().ids()).toEqual(['good']);
    node.send({ type: 'ask', key: 'bad', value: 3 }); // refused by the host, no new instance
    node.send({ type: 'ask', key: 'other', value: 4 });
    expect(pool().ids()).toEqual(['good', 'other']);
    expect(isAlive(node)).toBe(true);
  });

  it('stops every instance when the node stops', () => {
    const { node, pool } = start(['a', 'b', 'c']);
    node.send({ type: 'ask', key: 'x', value: 1 });
    node.send({ type: 'ask', key: 'y', value: 2 });
    const children = pool()
      .ids()
      .map((id) => pool().child(id) as ActorLike);
    node.stop();
    expect(children.map((c) => c.getSnapshot().status)).toEqual(['stopped', 'stopped']);
  });
});
