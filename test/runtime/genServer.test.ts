// genServer on one node: calls (reply, deferred reply, timeout, dead server), casts, info messages,
// idle timeouts, every way to stop (terminate runs once), crashes, bad return values, and the
// caller table that makes `from` plain data. Time is a VirtualClock; nothing waits on the wall.
import { describe, expect, it } from 'vitest';
import { createActor, setup, SimulatedClock, spawnChild, type InspectionEvent } from 'xstate';
import { isAlive } from '../../src/runtime/actorLike.js';
import type { ExitReason } from '../../src/runtime/exitReason.js';
import { heldCallerCount, type Caller } from '../../src/runtime/genServer/callers.js';
import { createGenServer } from '../../src/runtime/genServer/genServer.js';
import { genServerLogic } from '../../src/runtime/genServer/genServerLogic.js';
import { counterServer, type CounterEmitted, type CounterState } from './counterServer.js';
import { codeOf, settle, testNode } from './helpers.js';

function counterNode() {
  const { node, clock, crashes } = testNode('a');
  const gs = createGenServer(node);
  return { node, clock, crashes, gs };
}

/** What a server emits from now on (root actors: listeners go on after start). */
function emissions(actor: { on(type: '*', handler: (event: CounterEmitted) => void): unknown }) {
  const seen: CounterEmitted[] = [];
  actor.on('*', (event) => seen.push(event));
  return seen;
}

describe('genServer.call', () => {
  it('resolves with the reply of handleCall; the state is the snapshot context', async () => {
    const { gs } = counterNode();
    const counter = gs.start(counterServer, { input: { start: 41 } });
    expect(gs.cast(counter, { type: 'inc' })).toBe(true);
    await expect(gs.call(counter, { type: 'get' })).resolves.toBe(42);
    expect(counter.getSnapshot().context).toEqual({ count: 42, held: [], timeouts: 0 });
  });

  it('addresses a registered name; a typed actor is checked against its logic', async () => {
    const { gs, node } = counterNode();
    const counter = gs.start(counterServer, { name: 'counter' });
    expect(node.whereis('counter')).toBe(counter);
    gs.cast('counter', { type: 'inc' });
    await expect(gs.call<number>('counter', { type: 'get' })).resolves.toBe(1);
    const typed: Promise<number> = gs.call(counter, { type: 'get' });
    await expect(typed).resolves.toBe(1);
    // @ts-expect-error -- not a request of the counter
    await expect(codeOf(gs.call(counter, { type: 'nope' }, { timeoutMs: 0 }))).resolves.toBeTypeOf('string');
    // @ts-expect-error -- a cast request is not a call request
    void gs.cast(counter, { type: 'get' });
  });

  it('rejects with GENFSM_ERR_TIMEOUT after timeoutMs (default 5000), and drops the late reply', async () => {
    const { gs, clock } = counterNode();
    const counter = gs.start(counterServer);
    const held = codeOf(gs.call(counter, { type: 'hold' }));
    clock.advance(4999);
    await settle();
    expect(counter.getSnapshot().context.held).toHaveLength(1);
    clock.advance(1);
    expect(await held).toBe('GENFSM_ERR_TIMEOUT');
    // The server answers the call that timed out: nobody gets it, and the next call is unaffected.
    const [stale] = counter.getSnapshot().context.held as [Caller<number>];
    expect(gs.reply(stale, 99)).toBe(false);
    gs.cast(counter, { type: 'release' });
    gs.cast(counter, { type: 'inc' });
    await expect(gs.call(counter, { type: 'get' })).resolves.toBe(1);
  });

  it('rejects with GENFSM_ERR_NOPROC for an unknown name or a stopped server', async () => {
    const { gs } = counterNode();
    expect(await codeOf(gs.call('nobody', { type: 'get' }))).toBe('GENFSM_ERR_NOPROC');
    expect(gs.cast('nobody', { type: 'inc' })).toBe(false);
    const counter = gs.start(counterServer);
    await gs.stop(counter);
    expect(await codeOf(gs.call(counter, { type: 'get' }))).toBe('GENFSM_ERR_NOPROC');
    expect(gs.cast(counter, { type: 'inc' })).toBe(false);
  });

  it('rejects with GENFSM_ERR_EXITED when the server stops before it answers', async () => {
    const { gs } = counterNode();
    const counter = gs.start(counterServer);
    const held = gs.call(counter, { type: 'hold' });
    await gs.stop(counter, 'shutdown');
    await expect(held).rejects.toMatchObject({ code: 'GENFSM_ERR_EXITED', reason: 'shutdown' });
  });

  it('rejects a negative timeout with GENFSM_ERR_BAD_ARGUMENT', () => {
    const { gs } = counterNode();
    const counter = gs.start(counterServer);
    expect(() => gs.call(counter, { type: 'get' }, { timeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'GENFSM_ERR_BAD_ARGUMENT' }),
    );
  });
});

describe('deferred replies', () => {
  it('noreply now, then `replies` from a later callback (gen_server:reply/2 as data)', async () => {
    const { gs } = counterNode();
    const counter = gs.start(counterServer, { input: { start: 5 } });
    const first = gs.call(counter, { type: 'hold' });
    const second = gs.call(counter, { type: 'hold' });
    gs.cast(counter, { type: 'inc' });
    await settle();
    expect(counter.getSnapshot().context.held).toHaveLength(2);
    gs.cast(counter, { type: 'release' });
    await expect(Promise.all([first, second])).resolves.toEqual([6, 6]);
    expect(counter.getSnapshot().context.held).toEqual([]);
  });

  it('genServer.reply answers a kept caller from outside the callbacks, once', async () => {
    const { gs } = counterNode();
    const counter = gs.start(counterServer);
    const held = gs.call(counter, { type: 'hold' });
    const [from] = counter.getSnapshot().context.held as [Caller<number>];
    expect(gs.reply(from, 7)).toBe(true);
    await expect(held).resolves.toBe(7);
    expect(gs.reply(from, 8)).toBe(false);
  });

  it('a kept caller is plain data: the state survives structuredClone and JSON', () => {
    const { gs } = counterNode();
    const counter = gs.start(counterServer);
    void gs.call(counter, { type: 'hold' }).catch(() => {});
    const state = counter.getSnapshot().context;
    expect(typeof state.held[0]).toBe('string');
    expect(structuredClone(state)).toEqual(state);
    expect(JSON.parse(JSON.stringify(counter.getSnapshot()))).toMatchObject({
      status: 'active',
      context: state,
    });
  });

  it('the caller table forgets callers that gave up, and those of a server that exited', async () => {
    const { gs, clock } = counterNode();
    const counter = gs.start(counterServer);
    const before = heldCallerCount();
    const gaveUp = Array.from({ length: 1000 }, () =>
      codeOf(gs.call(counter, { type: 'hold' }, { timeoutMs: 10 })),
    );
    clock.advance(10);
    expect(new Set(await Promise.all(gaveUp))).toEqual(new Set(['GENFSM_ERR_TIMEOUT']));
    expect(heldCallerCount()).toBe(before + 1000); // not swept yet: sweeps run as the table grows
    const waiting = Array.from({ length: 100 }, () => gs.call(counter, { type: 'hold' }));
    // Past 1024 entries the table swept the callers that gave up; the state still lists them all.
    expect(heldCallerCount()).toBeLessThanOrEqual(before + 100);
    expect(heldCallerCount()).toBeGreaterThanOrEqual(100);
    expect(counter.getSnapshot().context.held).toHaveLength(1100);
    gs.cast(counter, { type: 'release' });
    expect(new Set(await Promise.all(waiting))).toEqual(new Set([0]));
    const other = gs.start(counterServer);
    const pending = [gs.call(other, { type: 'hold' }), gs.call(other, { type: 'hold' })];
    const held = heldCallerCount();
    await gs.stop(other, 'shutdown');
    expect(heldCallerCount()).toBe(held - 2);
    await Promise.allSettled(pending);
  });
});

describe('cast and info messages', () => {
  it('sendInfo delivers { type: info, message } to handleInfo', async () => {
    const { gs } = counterNode();
    const counter = gs.start(counterServer, { name: 'counter' });
    expect(gs.sendInfo('counter', 10)).toBe(true);
    await expect(gs.call(counter, { type: 'get' })).resolves.toBe(10);
    expect(gs.sendInfo('nobody', 1)).toBe(false);
  });

  it("any other event is info too: a monitor's down event, with the server as watcher", async () => {
    const { gs, node } = counterNode();
    const downs: string[] = [];
    const watcher = gs.start(
      genServerLogic({
        init: () => ({ state: 0 }),
        handleCall: (_request: 'downs', _from, state: number) => ({ reply: state, state }),
        handleInfo: (info: { type: 'down'; reason: ExitReason }, state: number) => {
          downs.push(String(info.reason));
          return { noreply: true, state: state + 1 };
        },
      }),
    );
    const counter = gs.start(counterServer);
    node.monitor(counter, watcher);
    await gs.stop(counter, 'shutdown');
    await expect(gs.call(watcher, 'downs')).resolves.toBe(1);
    expect(downs).toEqual(['shutdown']);
  });

  it('without handleCast or handleInfo, casts and info are ignored and the state kept', async () => {
    const { gs } = counterNode();
    const minimal = gs.start(
      genServerLogic({
        init: (start: number) => ({ state: start }),
        handleCall: (_request: 'get', _from, state: number) => ({ reply: state, state }),
      }),
      { input: 3 },
    );
    // @ts-expect-error -- its logic takes no casts; sent anyway, it is ignored
    expect(gs.cast(minimal, 'anything')).toBe(true);
    expect(gs.sendInfo(minimal, 'anything')).toBe(true);
    await expect(gs.call(minimal, 'get')).resolves.toBe(3);
  });
});

describe('idle timeouts', () => {
  it('{ reply, state, timeoutMs }: handleInfo gets timeout when nothing arrives in time', async () => {
    const { gs, clock } = counterNode();
    const counter = gs.start(counterServer);
    const seen = emissions(counter);
    await gs.call(counter, { type: 'idle', timeoutMs: 100 });
    clock.advance(99);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual([{ type: 'timedOut', count: 0 }]);
    expect(counter.getSnapshot().context.timeouts).toBe(1);
    clock.advance(1000); // it does not repeat: the timeout handler set none
    expect(counter.getSnapshot().context.timeouts).toBe(1);
  });

  it('any message cancels it; a result that sets one again re-arms it', () => {
    const { gs, clock } = counterNode();
    const counter = gs.start(counterServer);
    gs.cast(counter, { type: 'idle', timeoutMs: 100 });
    clock.advance(50);
    gs.sendInfo(counter, 1); // handled without a timeout: cancels it
    clock.advance(1000);
    expect(counter.getSnapshot().context.timeouts).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    gs.cast(counter, { type: 'idle', timeoutMs: 100 });
    clock.advance(50);
    gs.cast(counter, { type: 'idle', timeoutMs: 100 }); // re-armed from here
    clock.advance(99);
    expect(counter.getSnapshot().context.timeouts).toBe(0);
    clock.advance(1);
    expect(counter.getSnapshot().context.timeouts).toBe(1);
  });

  it('a message no callback takes (no handleCast) still cancels it, as in OTP', () => {
    const { gs, clock } = counterNode();
    const timed = gs.start(
      genServerLogic({
        init: () => ({ state: 0, timeoutMs: 100 }),
        handleCall: (_request: 'get', _from, state: number) => ({ reply: state, state }),
        handleInfo: (_info, state: number) => ({ noreply: true, state: state + 1 }),
      }),
    );
    clock.advance(50);
    // @ts-expect-error -- its logic takes no casts; sent anyway, it is ignored
    gs.cast(timed, 'ignored');
    clock.advance(1000);
    expect(timed.getSnapshot().context).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it("init's timeoutMs runs from the start; Infinity means none", () => {
    const { gs, clock } = counterNode();
    const timed = gs.start(counterServer, { input: { timeoutMs: 30 } });
    const never = gs.start(counterServer, { input: { timeoutMs: Number.POSITIVE_INFINITY } });
    clock.advance(30);
    expect(timed.getSnapshot().context.timeouts).toBe(1);
    expect(never.getSnapshot().context.timeouts).toBe(0);
  });

  it('a timer event that is not the armed one (forged, or overtaken) is dropped', () => {
    const { gs, clock } = counterNode();
    const counter = gs.start(counterServer);
    (counter as unknown as { send(event: { type: string }): void }).send({ type: '$gen_timeout' });
    expect(counter.getSnapshot().context.timeouts).toBe(0);
    gs.cast(counter, { type: 'idle', timeoutMs: 10 });
    (counter as unknown as { send(event: { type: string }): void }).send({ type: '$gen_timeout' });
    clock.advance(10);
    expect(counter.getSnapshot().context.timeouts).toBe(1);
  });

  it('a bad timeoutMs is a bad return value: the server fails with GENSERVER_ERR_BAD_RETURN', () => {
    const { gs, crashes } = counterNode();
    const counter = gs.start(counterServer);
    gs.cast(counter, { type: 'idle', timeoutMs: -1 });
    expect(isAlive(counter)).toBe(false);
    expect(crashes[0]?.error).toMatchObject({ code: 'GENSERVER_ERR_BAD_RETURN' });
  });
});

describe('stopping', () => {
  it('{ stop, reply }: the caller gets the reply, terminate the reason, the name is released', async () => {
    const { gs, node, crashes } = counterNode();
    const counter = gs.start(counterServer, { name: 'counter', input: { start: 3 } });
    const seen = emissions(counter);
    await expect(gs.call('counter', { type: 'stop', reason: 'normal' })).resolves.toBe(3);
    expect(seen).toEqual([{ type: 'terminated', reason: 'normal', count: 3 }]);
    expect(counter.getSnapshot().status).toBe('done');
    expect(node.whereis('counter')).toBeUndefined();
    expect(crashes).toEqual([]);
  });

  it('an abnormal stop result ends it as failed (GENFSM_ERR_ABNORMAL_STOP to onCrash)', () => {
    const { gs, crashes } = counterNode();
    const counter = gs.start(counterServer);
    const seen = emissions(counter);
    gs.cast(counter, { type: 'stop', reason: { error: 'jammed' } });
    expect(counter.getSnapshot().status).toBe('error');
    expect(seen).toEqual([{ type: 'terminated', reason: { error: 'jammed' }, count: 0 }]);
    expect(crashes[0]?.error).toMatchObject({
      code: 'GENFSM_ERR_ABNORMAL_STOP',
      reason: { error: 'jammed' },
    });
  });

  it('genServer.stop runs terminate and resolves once stopped', async () => {
    const { gs, crashes } = counterNode();
    const counter = gs.start(counterServer, { name: 'counter' });
    const seen = emissions(counter);
    await gs.stop('counter');
    expect(seen).toEqual([{ type: 'terminated', reason: 'normal', count: 0 }]);
    expect(await codeOf(gs.stop('counter'))).toBe('GENFSM_ERR_NOPROC');
    const failing = gs.start(counterServer);
    await gs.stop(failing, { error: 'bad' });
    expect(failing.getSnapshot().status).toBe('error');
    expect(crashes).toHaveLength(1);
  });

  it("XState's own stop (actor.stop(), a parent, a supervisor) runs terminate with shutdown", () => {
    const actor = createActor(counterServer);
    const seen = emissions(actor);
    actor.start();
    actor.stop();
    expect(seen).toEqual([
      { type: 'started', count: 0 },
      { type: 'terminated', reason: 'shutdown', count: 0 },
    ]);
    expect(actor.getSnapshot().status).toBe('stopped');
  });

  it('terminate may answer the callers the state holds; one that throws fails the actor with its error', async () => {
    const { gs, crashes } = counterNode();
    const polite = gs.start(
      genServerLogic({
        init: () => ({ state: [] as Caller<string>[] }),
        handleCall: (_request: 'wait', from: Caller<string>, held: Caller<string>[]) => ({
          noreply: true as const,
          state: [...held, from],
        }),
        terminate: (reason, held: Caller<string>[]) => ({
          replies: held.map((to) => ({ to, value: `closing (${String(reason)})` })),
        }),
      }),
    );
    const waiting = gs.call(polite, 'wait');
    await gs.stop(polite, 'shutdown');
    await expect(waiting).resolves.toBe('closing (shutdown)');

    const clumsy = gs.start(
      genServerLogic({
        init: () => ({ state: 0 }),
        handleCall: (_request: 'get', _from, state: number) => ({ reply: state, state }),
        terminate: () => {
          throw new Error('cleanup failed');
        },
      }),
    );
    await gs.stop(clumsy, 'normal');
    expect(clumsy.getSnapshot().status).toBe('error');
    expect(crashes.map((c) => (c.error as Error).message)).toEqual(['cleanup failed']);
  });

  it('init returning { stop } or throwing: the server does not start, is not registered', () => {
    const { gs, node, crashes } = counterNode();
    const normal = gs.start(counterServer, { name: 'counter', input: { stop: 'normal' } });
    expect(isAlive(normal)).toBe(false);
    expect(node.whereis('counter')).toBeUndefined();
    expect(crashes).toEqual([]);
    const failing = gs.start(counterServer, { name: 'counter', input: { failInit: true } });
    expect(failing.getSnapshot().status).toBe('error');
    expect(crashes.map((c) => (c.error as Error).message)).toEqual(['cannot start']);
    const abnormal = gs.start(counterServer, { input: { stop: { error: 'no disk' } } });
    expect(abnormal.getSnapshot().status).toBe('error');
    expect(crashes[1]?.error).toMatchObject({ code: 'GENFSM_ERR_ABNORMAL_STOP' });
  });

  it('a callback that throws: terminate gets { error }, the caller GENFSM_ERR_EXITED, onCrash the error', async () => {
    const { gs, crashes } = counterNode();
    const counter = gs.start(counterServer, { name: 'counter' });
    const seen = emissions(counter);
    const held = gs.call(counter, { type: 'hold' });
    const error = await gs.call(counter, { type: 'crash' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GENFSM_ERR_EXITED' });
    expect((error as { reason: { error: Error } }).reason.error.message).toBe('boom');
    await expect(held).rejects.toMatchObject({ code: 'GENFSM_ERR_EXITED' });
    expect(seen).toHaveLength(1);
    expect((seen[0] as { reason: { error: Error } }).reason.error.message).toBe('boom');
    expect(crashes).toMatchObject([{ name: 'counter' }]);
  });

  it('a result that is none of reply/noreply/stop fails the server with GENSERVER_ERR_BAD_RETURN', async () => {
    const { gs, crashes } = counterNode();
    const counter = gs.start(counterServer);
    expect(await codeOf(gs.call(counter, { type: 'bad' }))).toBe('GENFSM_ERR_EXITED');
    expect(crashes[0]?.error).toMatchObject({ code: 'GENSERVER_ERR_BAD_RETURN' });
  });
});

describe('as XState actor logic', () => {
  it('spawned in a machine, on its system clock (SimulatedClock), and inspected', () => {
    const clock = new SimulatedClock();
    const snapshots: unknown[] = [];
    const parent = setup({ actors: { counterServer } }).createMachine({
      entry: spawnChild('counterServer', { id: 'server', input: { start: 2, timeoutMs: 1000 } }),
    });
    const actor = createActor(parent, {
      clock,
      inspect: (event: InspectionEvent) => {
        if (event.type === '@xstate.snapshot' && (event.actorRef as { id?: string }).id === 'server') {
          snapshots.push((event.snapshot as unknown as { context: CounterState }).context);
        }
      },
    }).start();
    const server = (actor.getSnapshot().children as Record<string, { getSnapshot(): { status: string } }>)
      .server;
    clock.increment(999);
    expect(snapshots.at(-1)).toEqual({ count: 2, held: [], timeouts: 0 });
    clock.increment(1);
    expect(snapshots.at(-1)).toEqual({ count: 2, held: [], timeouts: 1 });
    expect(server?.getSnapshot().status).toBe('active');
  });
});
