// Two nodes in one process over the in-memory network: remote cast, call (reply, timeout and late
// reply, noproc, exit mid-call, nodedown mid-call), remote stop, monitorNode and remote monitors.
// Everything runs on one virtual clock; `drive` alternates promise callbacks and clock steps.
import { afterEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createActorNode } from '../../src/runtime/actorNode.js';
import type { NodeEvent } from '../../src/runtime/distribution/distribution.js';
import { createMemoryRouter } from '../../src/transport/distribution/memoryRouter.js';
import { reply, type CallEvent } from '../../src/runtime/genFsm/reply.js';
import type { DownEvent } from '../../src/runtime/monitors.js';
import type { VirtualClock } from '../../src/base/virtualClock.js';
import { counter } from '../fixtures/counterMachine.js';
import { DOWN_AFTER_MS, drive, HEARTBEAT_MS, twoNodes, type TwoNodes } from './helpers.js';

let open: TwoNodes[] = [];

function cluster(): TwoNodes {
  const c = twoNodes();
  open.push(c);
  return c;
}

afterEach(async () => {
  for (const c of open) await c.close();
  open = [];
});

async function codeOfDriven(clock: VirtualClock, promise: Promise<unknown>): Promise<string> {
  try {
    await drive(clock, promise);
    return 'resolved';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('remote cast and call to a named actor', () => {
  it('casts and calls { name, node } like a local actor', async () => {
    const { a, b, clock } = cluster();
    expect(a.nodes()).toEqual(['b']);
    b.genFsm.start(counter, { name: 'counter' });
    expect(a.genFsm.sendEvent({ name: 'counter', node: 'b' }, { type: 'inc' })).toBe(true);
    const count = a.genFsm.syncSendEvent<number>({ name: 'counter', node: 'b' }, { type: 'get' });
    expect(await drive(clock, count)).toBe(1);
  });

  it('a { name, node } naming this node resolves locally', async () => {
    const { a } = cluster();
    a.genFsm.start(counter, { name: 'counter' });
    await expect(
      a.genFsm.syncSendEvent<number>({ name: 'counter', node: 'a' }, { type: 'get' }),
    ).resolves.toBe(0);
  });

  it('rejects with GENFSM_ERR_NOPROC when nothing is registered under the name there', async () => {
    const { a, clock } = cluster();
    expect(
      await codeOfDriven(clock, a.genFsm.syncSendEvent({ name: 'nobody', node: 'b' }, { type: 'get' })),
    ).toBe('GENFSM_ERR_NOPROC');
  });

  it('times out with the same semantics, and drops the late reply', async () => {
    const { a, b, clock } = cluster();
    const target = b.genFsm.start(counter, { name: 'counter' });
    const held = a.genFsm.syncSendEvent<number>(
      { name: 'counter', node: 'b' },
      { type: 'hold' },
      { timeoutMs: 50 },
    );
    expect(await codeOfDriven(clock, held)).toBe('GENFSM_ERR_TIMEOUT');
    // The callee is still waiting on its own bound; released now, its answer must go nowhere.
    b.genFsm.sendEvent(target, { type: 'release' }); // answers 0 to the call that timed out
    b.genFsm.sendEvent(target, { type: 'inc' });
    const next = a.genFsm.syncSendEvent<number>({ name: 'counter', node: 'b' }, { type: 'get' });
    expect(await drive(clock, next)).toBe(1);
  });

  it('rejects with GENFSM_ERR_EXITED when the remote actor stops mid-call', async () => {
    const { a, b, clock } = cluster();
    b.genFsm.start(counter, { name: 'counter' });
    const held = a.genFsm.syncSendEvent({ name: 'counter', node: 'b' }, { type: 'hold' });
    await drive(clock, new Promise((r) => clock.setTimeout(r, 10)));
    await b.genFsm.stop('counter', 'shutdown');
    const error = await drive(clock, held).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GENFSM_ERR_EXITED', reason: 'shutdown' });
  });

  it('stops a remote actor', async () => {
    const { a, b, clock } = cluster();
    const target = b.genFsm.start(counter, { name: 'counter' });
    await drive(clock, a.genFsm.stop({ name: 'counter', node: 'b' }));
    expect(target.getSnapshot().status).toBe('done');
    expect(b.whereis('counter')).toBeUndefined();
  });

  it('a reply that is not plain data cannot cross: the caller times out', async () => {
    const { a, b, clock, routers } = cluster();
    const rude = setup({ types: { events: {} as CallEvent<{ type: 'get' }, () => void> } }).createMachine({
      on: { get: { actions: reply(() => () => {}) } },
    });
    b.genFsm.start(rude, { name: 'rude' });
    const call = a.genFsm.syncSendEvent({ name: 'rude', node: 'b' }, { type: 'get' }, { timeoutMs: 100 });
    expect(await codeOfDriven(clock, call)).toBe('GENFSM_ERR_TIMEOUT');
    expect(routers.b.stats.droppedUnserializable).toBe(1);
  });
});

describe('nodes going down', () => {
  it('monitorNode reports nodedown within the heartbeat bound after a node dies, and nodeup when it is back', async () => {
    const { a, b, clock, network, routers } = cluster();
    const events: Array<NodeEvent & { atMs: number }> = [];
    a.monitorNode('b', (event) => events.push({ ...event, atMs: clock.now() }));
    expect(events).toEqual([]); // connected: nothing to report yet
    const diedAt = clock.now();
    await routers.b.close(); // the process of b is gone: no more heartbeats
    clock.advance(DOWN_AFTER_MS + HEARTBEAT_MS);
    expect(events).toEqual([{ type: 'nodedown', node: 'b', atMs: expect.any(Number) }]);
    expect((events[0]?.atMs ?? 0) - diedAt).toBeLessThanOrEqual(DOWN_AFTER_MS + HEARTBEAT_MS);
    expect(a.nodes()).toEqual([]);
    void b;

    // b restarts under the same name.
    const restarted = createMemoryRouter(network, 'b', {
      clock,
      heartbeatMs: HEARTBEAT_MS,
      downAfterMs: DOWN_AFTER_MS,
      peers: ['a'],
    });
    createActorNode({ clock, router: restarted });
    clock.advance(HEARTBEAT_MS);
    expect(events.map((e) => e.type)).toEqual(['nodedown', 'nodeup']);
    await restarted.close();
  });

  it('monitorNode of a node that is not connected reports nodedown at once', () => {
    const { a } = cluster();
    const events: NodeEvent[] = [];
    a.monitorNode('z', (event) => events.push(event));
    expect(events).toEqual([{ type: 'nodedown', node: 'z' }]);
  });

  it('a partition takes both sides down; healing brings them back up', () => {
    const { a, b, clock, network } = cluster();
    const seenByA: string[] = [];
    const seenByB: string[] = [];
    a.monitorNode('b', (e) => seenByA.push(e.type));
    b.monitorNode('a', (e) => seenByB.push(e.type));
    network.partition(['a'], ['b']);
    clock.advance(DOWN_AFTER_MS + HEARTBEAT_MS);
    network.heal();
    clock.advance(HEARTBEAT_MS);
    expect(seenByA).toEqual(['nodedown', 'nodeup']);
    expect(seenByB).toEqual(['nodedown', 'nodeup']);
  });

  it('a call in flight fails with GENFSM_ERR_NODEDOWN when the node goes down', async () => {
    const { a, b, clock, network } = cluster();
    b.genFsm.start(counter, { name: 'counter' });
    const held = a.genFsm.syncSendEvent(
      { name: 'counter', node: 'b' },
      { type: 'hold' },
      { timeoutMs: 60_000 },
    );
    network.partition(['a'], ['b']);
    expect(await codeOfDriven(clock, held)).toBe('GENFSM_ERR_NODEDOWN');
    expect(
      await codeOfDriven(clock, a.genFsm.syncSendEvent({ name: 'counter', node: 'b' }, { type: 'get' })),
    ).toBe('GENFSM_ERR_NODEDOWN');
    expect(a.genFsm.sendEvent({ name: 'counter', node: 'b' }, { type: 'inc' })).toBe(false);
  });
});

describe('remote monitors', () => {
  it('deliver down with the exit reason when the remote actor stops', async () => {
    const { a, b, clock } = cluster();
    b.genFsm.start(counter, { name: 'counter' });
    const downs: DownEvent[] = [];
    const ref = a.monitor({ name: 'counter', node: 'b' }, (event) => downs.push(event));
    clock.advance(1);
    await b.genFsm.stop('counter', { error: 'disk on fire' });
    clock.advance(1);
    expect(downs).toEqual([
      {
        type: 'down',
        ref,
        target: { name: 'counter', node: 'b' },
        // The reason given to stop, carried as data: errors travel as { code, message }.
        reason: { error: expect.objectContaining({ message: 'disk on fire' }) },
      },
    ]);
  });

  it('deliver down noconnection when the node goes away', () => {
    const { a, b, clock, network } = cluster();
    b.genFsm.start(counter, { name: 'counter' });
    const downs: DownEvent[] = [];
    a.monitor({ name: 'counter', node: 'b' }, (event) => downs.push(event));
    clock.advance(1);
    network.partition(['a'], ['b']);
    clock.advance(DOWN_AFTER_MS + HEARTBEAT_MS);
    expect(downs.map((d) => d.reason)).toEqual(['noconnection']);
  });

  it('deliver down noproc for a name nobody holds, and nothing after demonitor', async () => {
    const { a, b, clock } = cluster();
    const downs: DownEvent[] = [];
    a.monitor({ name: 'ghost', node: 'b' }, (event) => downs.push(event));
    clock.advance(1);
    expect(downs.map((d) => d.reason)).toEqual(['noproc']);

    b.genFsm.start(counter, { name: 'counter' });
    const ref = a.monitor({ name: 'counter', node: 'b' }, (event) => downs.push(event));
    clock.advance(1);
    expect(a.demonitor(ref)).toBe(true);
    clock.advance(1);
    await b.genFsm.stop('counter');
    clock.advance(1);
    expect(downs).toHaveLength(1);
  });

  it('an actor can be the watcher: it receives down and nodedown as events', () => {
    const { a, b, clock, network } = cluster();
    const watcher = a.genFsm.start(
      setup({
        types: { context: {} as { seen: string[] }, events: {} as DownEvent | NodeEvent },
      }).createMachine({
        context: { seen: [] },
        on: {
          down: {
            actions: assign({
              seen: ({ context, event }) => [...context.seen, `down ${String(event.reason)}`],
            }),
          },
          nodedown: {
            actions: assign({ seen: ({ context, event }) => [...context.seen, `nodedown ${event.node}`] }),
          },
        },
      }),
    );
    b.genFsm.start(counter, { name: 'counter' });
    a.monitor({ name: 'counter', node: 'b' }, watcher);
    a.monitorNode('b', watcher);
    clock.advance(1);
    network.partition(['a'], ['b']);
    clock.advance(DOWN_AFTER_MS + HEARTBEAT_MS);
    expect(watcher.getSnapshot().context.seen).toEqual(['down noconnection', 'nodedown b']);
  });
});

describe('local registry', () => {
  it('register, whereis, unregister; names are released when the actor stops', async () => {
    const { a } = cluster();
    const one = a.genFsm.start(counter);
    const two = a.genFsm.start(counter);
    a.register('one', one);
    expect(a.whereis('one')).toBe(one);
    expect(() => a.register('one', two)).toThrow(
      expect.objectContaining({ code: 'REGISTRY_ERR_NAME_TAKEN' }),
    );
    expect(() => a.register('uno', one)).toThrow(
      expect.objectContaining({ code: 'REGISTRY_ERR_NAME_TAKEN' }),
    );
    a.unregister('one');
    expect(a.whereis('one')).toBeUndefined();
    expect(() => a.unregister('one')).toThrow(
      expect.objectContaining({ code: 'REGISTRY_ERR_NOT_REGISTERED' }),
    );
    a.register('two', two);
    expect(a.registered()).toEqual(['two']);
    await a.genFsm.stop(two);
    expect(a.whereis('two')).toBeUndefined();
    expect(() => a.register('two', two)).toThrow(expect.objectContaining({ code: 'GENFSM_ERR_NOPROC' }));
  });

  it('a local monitor fires down with noproc for a stopped actor and the reason for a live one', async () => {
    const { a } = cluster();
    const downs: DownEvent[] = [];
    const one = a.genFsm.start(counter);
    a.monitor(one, (e) => downs.push(e));
    await a.genFsm.stop(one, 'shutdown');
    a.monitor(one, (e) => downs.push(e));
    a.monitor('nobody', (e) => downs.push(e));
    expect(downs.map((d) => d.reason)).toEqual(['shutdown', 'noproc', 'noproc']);
  });
});
