// genServer under the runtime's supervisors, with OTP restart semantics: a crash restarts the
// server from init under the same name, a transient server stopped normally stays stopped, and a
// supervisor's shutdown runs terminate with `shutdown`. Time is a VirtualClock.
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { ActorLike } from '../../src/runtime/actorLike.js';
import type { ExitReason } from '../../src/runtime/exitReason.js';
import { createGenServer } from '../../src/runtime/genServer/genServer.js';
import type { RestartType } from '../../src/runtime/supervisor/childSpec.js';
import { supervisor } from '../../src/runtime/supervisor/supervisor.js';
import { childOf } from '../../src/runtime/supervisor/supervisorApi.js';
import { counterServer, type CounterEmitted } from './counterServer.js';
import { codeOf, testNode } from './helpers.js';

function supervised(restart: RestartType) {
  const { node, clock } = testNode('a');
  const gs = createGenServer(node);
  const log: string[] = [];
  const describeReason = (reason: ExitReason) =>
    typeof reason === 'string'
      ? reason
      : 'error' in reason
        ? `error ${String((reason.error as Error).message ?? reason.error)}`
        : 'shutdown';
  const sup = createActor(
    supervisor({
      strategy: 'one_for_one',
      node,
      intensity: { maxRestarts: 3, periodMs: 5000 },
      children: [
        {
          id: 'counter',
          name: 'counter',
          logic: counterServer,
          input: { start: 10 },
          restart,
          observe: {
            emitted: (_id, event: CounterEmitted) =>
              log.push(
                event.type === 'terminated' ? `terminated ${describeReason(event.reason)}` : event.type,
              ),
            exited: (_id, reason, restarting) =>
              log.push(`exited ${describeReason(reason)}${restarting ? ', restarting' : ''}`),
          },
        },
      ],
    }),
    { clock },
  ).start();
  return { node, gs, sup, log };
}

describe('genServer under a supervisor', () => {
  it('a crash restarts it from init, under the same name; the crashing call fails with GENFSM_ERR_EXITED', async () => {
    const { node, gs, sup, log } = supervised('permanent');
    const first = node.whereis('counter') as ActorLike;
    gs.cast('counter', { type: 'inc' });
    await expect(gs.call<number>('counter', { type: 'get' })).resolves.toBe(11);
    expect(await codeOf(gs.call('counter', { type: 'crash' }))).toBe('GENFSM_ERR_EXITED');
    const second = node.whereis('counter');
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(childOf(sup, 'counter')).toBe(second);
    await expect(gs.call<number>('counter', { type: 'get' })).resolves.toBe(10);
    expect(log).toEqual(['started', 'terminated error boom', 'exited error boom, restarting', 'started']);
    expect(sup.getSnapshot().context.restarts).toBe(1);
  });

  it('a transient server stopped normally is not restarted; stopped abnormally, it is', async () => {
    const { node, gs, log } = supervised('transient');
    await gs.stop('counter', { error: 'jammed' });
    expect(node.whereis('counter')).toBeDefined();
    log.length = 0;
    await expect(gs.call('counter', { type: 'stop', reason: 'normal' })).resolves.toBe(10);
    expect(node.whereis('counter')).toBeUndefined();
    expect(log).toEqual(['terminated normal', 'exited normal']);
  });

  it.each([
    ['throws', { failInit: true }],
    ['returns { stop: normal }', { stop: 'normal' as const }],
  ])(
    "a server whose init %s fails its supervisor's start (SUPERVISOR_ERR_FAILED_TO_START_CHILD)",
    (_how, input) => {
      const { node, clock } = testNode('a');
      const errors: unknown[] = [];
      const sup = createActor(
        supervisor({
          strategy: 'one_for_one',
          node,
          children: [{ id: 'counter', name: 'counter', logic: counterServer, input }],
        }),
        { clock },
      );
      sup.subscribe({ error: (error) => errors.push(error) });
      sup.start();
      expect(errors).toMatchObject([{ code: 'SUPERVISOR_ERR_FAILED_TO_START_CHILD' }]);
      expect(node.whereis('counter')).toBeUndefined();
    },
  );

  it("the supervisor's shutdown runs terminate with shutdown", () => {
    const { node, sup, log } = supervised('permanent');
    log.length = 0;
    sup.stop();
    expect(log).toEqual(['terminated shutdown']);
    expect(node.whereis('counter')).toBeUndefined();
  });
});
