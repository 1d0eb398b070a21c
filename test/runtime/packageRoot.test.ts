// The runtime as the package exports it: the top-level functions act on the process's node.
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import {
  createActorNode,
  demonitor,
  genFsm,
  localNode,
  monitor,
  monitorNode,
  register,
  reply,
  unregister,
  whereis,
  type CallEvent,
  type DownEvent,
  type NodeEvent,
} from '../../src/index.js';
import { codeOf } from './helpers.js';

const echo = setup({
  types: { events: {} as CallEvent<{ type: 'echo'; text: string }, string> },
}).createMachine({
  on: { echo: { actions: reply(({ event }) => event.text) } },
});

describe('package root', () => {
  it('genFsm, register, whereis, unregister and monitor act on localNode', async () => {
    const actor = genFsm.start(echo);
    register('root-echo', actor);
    expect(whereis('root-echo')).toBe(actor);
    expect(localNode.whereis('root-echo')).toBe(actor);
    await expect(genFsm.syncSendEvent('root-echo', { type: 'echo', text: 'hi' })).resolves.toBe('hi');
    const downs: DownEvent[] = [];
    const ref = monitor('root-echo', (down) => downs.push(down));
    unregister('root-echo');
    expect(whereis('root-echo')).toBeUndefined();
    await genFsm.stop(actor);
    expect(downs.map((d) => d.reason)).toEqual(['normal']);
    expect(demonitor(ref)).toBe(false);
  });

  it('a node without a router reaches no other node', async () => {
    const node = createActorNode({ name: 'alone' });
    const events: NodeEvent[] = [];
    monitorNode('elsewhere', (event) => events.push(event));
    node.monitorNode('elsewhere', (event) => events.push(event));
    expect(events).toEqual([
      { type: 'nodedown', node: 'elsewhere' },
      { type: 'nodedown', node: 'elsewhere' },
    ]);
    expect(node.genFsm.sendEvent({ name: 'x', node: 'elsewhere' }, { type: 'ping' })).toBe(false);
    expect(await codeOf(node.genFsm.syncSendEvent({ name: 'x', node: 'elsewhere' }, { type: 'ping' }))).toBe(
      'GENFSM_ERR_NODEDOWN',
    );
  });
});
