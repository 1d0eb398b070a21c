// genFsm over XState machines: casts, calls and their failure modes, all-state events, info
// messages, state timeouts versus `after`, and crashes that never reach the caller.
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { allState, type InfoEvent } from '../../src/runtime/genFsm/events.js';
import { reply, type CallEvent, type From } from '../../src/runtime/genFsm/reply.js';
import { stateTimeout } from '../../src/runtime/genFsm/stateTimeout.js';
import { codeOf, settle, testNode } from './helpers.js';

type CounterEvent =
  | { type: 'inc' }
  | { type: 'pause' }
  | { type: 'resume' }
  | CallEvent<{ type: 'get' }, number | string>
  | CallEvent<{ type: 'slow_get' }, number>
  | CallEvent<{ type: 'all.get' }, { state: string; count: number }>
  | { type: 'crash' }
  | { type: 'late' }
  | InfoEvent<number>;

const counter = setup({
  types: {
    context: {} as { count: number; waiting: From<number> | null },
    events: {} as CounterEvent,
    input: {} as { start: number } | undefined,
  },
  delays: { slow: 100 },
}).createMachine({
  id: 'counter',
  context: ({ input }) => ({ count: input?.start ?? 0, waiting: null }),
  initial: 'running',
  on: {
    // All-state handler: answers whatever the state (gen_fsm's handle_sync_event).
    [allState('get')]: {
      actions: reply(({ context, self }) => ({
        state: String(self.getSnapshot().value),
        count: context.count,
      })),
    },
    info: { actions: assign({ count: ({ context, event }) => context.count + event.message }) },
    crash: {
      actions: () => {
        throw new Error('boom');
      },
    },
  },
  states: {
    running: {
      on: {
        inc: { actions: assign({ count: ({ context }) => context.count + 1 }) },
        get: { actions: reply(({ context }) => context.count) },
        // Keeps the caller and answers later, like gen_fsm returning {next_state, …} without a reply.
        slow_get: { target: 'answering', actions: assign({ waiting: ({ event }) => event.replyTo }) },
        pause: 'paused',
      },
    },
    answering: {
      after: {
        slow: {
          target: 'running',
          actions: [
            reply(({ context }) => context.count, { to: ({ context }) => context.waiting ?? undefined }),
            assign({ waiting: null }),
          ],
        },
      },
    },
    paused: {
      on: { get: { actions: reply('paused') }, resume: 'running' },
    },
  },
});

describe('genFsm.syncSendEvent', () => {
  it('resolves with the reply of the state handler', async () => {
    const { node } = testNode();
    const actor = node.genFsm.start(counter, { input: { start: 41 } });
    node.genFsm.sendEvent(actor, { type: 'inc' });
    await expect(node.genFsm.syncSendEvent(actor, { type: 'get' })).resolves.toBe(42);
  });

  it('addresses a registered name', async () => {
    const { node } = testNode();
    node.genFsm.start(counter, { name: 'counter' });
    expect(node.genFsm.sendEvent('counter', { type: 'inc' })).toBe(true);
    await expect(node.genFsm.syncSendEvent<number>('counter', { type: 'get' })).resolves.toBe(1);
  });

  it('rejects with GENFSM_ERR_TIMEOUT when no reply comes in time, and drops the late reply', async () => {
    const { node, clock } = testNode();
    const actor = node.genFsm.start(counter, { input: { start: 7 } });
    const late = node.genFsm.syncSendEvent(actor, { type: 'slow_get' }, { timeoutMs: 50 });
    const lateCode = codeOf(late);
    clock.advance(50);
    expect(await lateCode).toBe('GENFSM_ERR_TIMEOUT');
    // The machine answers the first call now; that answer must not become the next call's reply.
    clock.advance(50);
    expect(actor.getSnapshot().value).toBe('running');
    node.genFsm.sendEvent(actor, { type: 'inc' });
    await expect(node.genFsm.syncSendEvent(actor, { type: 'get' })).resolves.toBe(8);
  });

  it('a deferred reply arrives when the machine sends it', async () => {
    const { node, clock } = testNode();
    const actor = node.genFsm.start(counter, { input: { start: 3 } });
    const answer = node.genFsm.syncSendEvent(actor, { type: 'slow_get' }, { timeoutMs: 1000 });
    clock.advance(100);
    await expect(answer).resolves.toBe(3);
  });

  it('rejects with GENFSM_ERR_NOPROC for an unknown name or a stopped actor', async () => {
    const { node } = testNode();
    expect(await codeOf(node.genFsm.syncSendEvent('nobody', { type: 'get' }))).toBe('GENFSM_ERR_NOPROC');
    const actor = node.genFsm.start(counter);
    await node.genFsm.stop(actor);
    expect(await codeOf(node.genFsm.syncSendEvent(actor, { type: 'get' }))).toBe('GENFSM_ERR_NOPROC');
    expect(node.genFsm.sendEvent(actor, { type: 'inc' })).toBe(false);
    expect(node.genFsm.sendEvent('nobody', { type: 'inc' })).toBe(false);
  });

  it('rejects with GENFSM_ERR_EXITED when the target stops mid-call', async () => {
    const { node } = testNode();
    const actor = node.genFsm.start(counter);
    const pending = node.genFsm.syncSendEvent(actor, { type: 'slow_get' }, { timeoutMs: 1000 });
    await node.genFsm.stop(actor, 'shutdown');
    await expect(pending).rejects.toMatchObject({ code: 'GENFSM_ERR_EXITED', reason: 'shutdown' });
  });

  it('rejects with GENFSM_ERR_EXITED when the target crashes mid-call; the crash goes to onCrash', async () => {
    const { node, crashes } = testNode();
    const actor = node.genFsm.start(counter, { name: 'counter' });
    const pending = node.genFsm.syncSendEvent(actor, { type: 'slow_get' }, { timeoutMs: 1000 });
    // The cast itself does not throw: the error stays inside the actor.
    expect(() => node.genFsm.sendEvent(actor, { type: 'crash' })).not.toThrow();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GENFSM_ERR_EXITED' });
    expect((error as { reason: { error: Error } }).reason.error.message).toBe('boom');
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toMatchObject({ name: 'counter' });
    expect(node.whereis('counter')).toBeUndefined();
  });

  it('rejects a negative timeout with GENFSM_ERR_BAD_ARGUMENT', () => {
    const { node } = testNode();
    const actor = node.genFsm.start(counter);
    expect(() => node.genFsm.syncSendEvent(actor, { type: 'get' }, { timeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'GENFSM_ERR_BAD_ARGUMENT' }),
    );
  });
});

describe('genFsm.sendAllStateEvent', () => {
  it('reaches the root handler even where the state handles the plain type', async () => {
    const { node } = testNode();
    const actor = node.genFsm.start(counter, { input: { start: 2 } });
    node.genFsm.sendEvent(actor, { type: 'pause' });
    await expect(node.genFsm.syncSendEvent(actor, { type: 'get' })).resolves.toBe('paused');
    await expect(node.genFsm.syncSendAllStateEvent(actor, { type: 'get' })).resolves.toEqual({
      state: 'paused',
      count: 2,
    });
  });

  it('casts to the root handler', () => {
    const { node } = testNode();
    const seen: string[] = [];
    const machine = setup({ types: { events: {} as { type: 'all.note' } | { type: 'note' } } }).createMachine(
      {
        on: { 'all.note': { actions: () => seen.push('all-state') } },
        initial: 's',
        states: { s: { on: { note: { actions: () => seen.push('state') } } } },
      },
    );
    const actor = node.genFsm.start(machine);
    node.genFsm.sendEvent(actor, { type: 'note' });
    node.genFsm.sendAllStateEvent(actor, { type: 'note' });
    expect(seen).toEqual(['state', 'all-state']);
  });
});

describe('genFsm.sendInfo', () => {
  it('delivers a plain message as an info event (handle_info)', async () => {
    const { node } = testNode();
    const actor = node.genFsm.start(counter);
    expect(node.genFsm.sendInfo(actor, 5)).toBe(true);
    await expect(node.genFsm.syncSendEvent(actor, { type: 'get' })).resolves.toBe(5);
  });
});

describe('genFsm.stop', () => {
  it('resolves once stopped and releases the name', async () => {
    const { node } = testNode();
    const actor = node.genFsm.start(counter, { name: 'counter' });
    await node.genFsm.stop('counter');
    expect(actor.getSnapshot().status).toBe('done');
    expect(node.whereis('counter')).toBeUndefined();
    expect(await codeOf(node.genFsm.stop('counter'))).toBe('GENFSM_ERR_NOPROC');
  });

  it('an abnormal reason ends the actor as failed, reported to onCrash', async () => {
    const { node, crashes } = testNode();
    const actor = node.genFsm.start(counter);
    await node.genFsm.stop(actor, { error: 'bad' });
    expect(actor.getSnapshot().status).toBe('error');
    expect(crashes[0]?.error).toMatchObject({ code: 'GENFSM_ERR_ABNORMAL_STOP' });
  });

  it('refuses to start a second actor under a taken name', () => {
    const { node } = testNode();
    node.genFsm.start(counter, { name: 'counter' });
    expect(() => node.genFsm.start(counter, { name: 'counter' })).toThrow(
      expect.objectContaining({ code: 'REGISTRY_ERR_NAME_TAKEN' }),
    );
  });
});

describe('state timeouts', () => {
  type Ev = { type: 'ping' } | { type: 'ignored' } | { type: 'rearm' } | { type: 'timeout' };
  const withStateTimeout = setup({
    types: { context: {} as { pings: number }, events: {} as Ev },
  }).createMachine({
    context: { pings: 0 },
    initial: 'waiting',
    states: {
      waiting: {
        entry: stateTimeout(100),
        on: {
          ping: { actions: assign({ pings: ({ context }) => context.pings + 1 }) },
          rearm: { actions: stateTimeout(100) },
          timeout: 'timedOut',
        },
      },
      timedOut: {},
    },
  });
  const withAfter = setup({ types: { context: {} as { pings: number }, events: {} as Ev } }).createMachine({
    context: { pings: 0 },
    initial: 'waiting',
    states: {
      waiting: {
        after: { 100: 'timedOut' },
        on: { ping: { actions: assign({ pings: ({ context }) => context.pings + 1 }) } },
      },
      timedOut: {},
    },
  });

  it('fires when nothing is handled in time', () => {
    const { node, clock } = testNode();
    const actor = node.genFsm.start(withStateTimeout);
    clock.advance(99);
    expect(actor.getSnapshot().value).toBe('waiting');
    clock.advance(1);
    expect(actor.getSnapshot().value).toBe('timedOut');
  });

  it('is cancelled by any handled event, where `after` keeps running', () => {
    const { node, clock } = testNode();
    const fsm = node.genFsm.start(withStateTimeout);
    const xs = node.genFsm.start(withAfter);
    clock.advance(50);
    node.genFsm.sendEvent(fsm, { type: 'ping' });
    node.genFsm.sendEvent(xs, { type: 'ping' });
    clock.advance(1000);
    expect(xs.getSnapshot().value).toBe('timedOut');
    expect(fsm.getSnapshot().value).toBe('waiting');
    expect(clock.pendingTimers).toBe(0);
  });

  it('is re-armed by a handler that sets it again', () => {
    const { node, clock } = testNode();
    const fsm = node.genFsm.start(withStateTimeout);
    clock.advance(50);
    node.genFsm.sendEvent(fsm, { type: 'rearm' });
    clock.advance(99);
    expect(fsm.getSnapshot().value).toBe('waiting');
    clock.advance(1);
    expect(fsm.getSnapshot().value).toBe('timedOut');
  });

  it('keeps running through events the machine does not handle', () => {
    const { node, clock } = testNode();
    const fsm = node.genFsm.start(withStateTimeout);
    clock.advance(50);
    node.genFsm.sendEvent(fsm, { type: 'ignored' });
    clock.advance(50);
    expect(fsm.getSnapshot().value).toBe('timedOut');
  });
});

describe('startLink', () => {
  it('reports exits to the parent and stops with it', async () => {
    const { node } = testNode();
    const parentEvents: string[] = [];
    const parentMachine = setup({}).createMachine({
      on: { '*': { actions: ({ event }) => parentEvents.push(event.type) } },
    });
    const parent = node.genFsm.start(parentMachine);
    const child = node.genFsm.startLink(counter, parent, { id: 'kid' });
    await node.genFsm.stop(child, 'normal');
    expect(parentEvents).toContain('xstate.done.actor.kid');

    const second = node.genFsm.startLink(counter, parent, { id: 'kid2', name: 'kid2' });
    await node.genFsm.stop(parent);
    await settle();
    expect(second.getSnapshot().status).not.toBe('active');
    expect(node.whereis('kid2')).toBeUndefined();
  });
});
