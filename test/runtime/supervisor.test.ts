// Supervisors with OTP semantics: each strategy and restart type, restart intensity (the
// supervisor stops its children and fails, its parent sees a child error), ordered start and
// reverse shutdown, nesting, and the supervisor module's functions. Time is simulated.
import { describe, expect, it } from 'vitest';
import { createActor, setup, SimulatedClock, spawnChild, type AnyActorLogic } from 'xstate';
import { isAlive, type ActorLike } from '../../src/runtime/actorLike.js';
import { createActorNode } from '../../src/runtime/actorNode.js';
import { genFsmLogic } from '../../src/runtime/genFsm/genFsmLogic.js';
import type { ChildSpec, RestartType, StaticSupervisorSpec } from '../../src/runtime/supervisor/childSpec.js';
import { supervisor } from '../../src/runtime/supervisor/supervisor.js';
import {
  childOf,
  countChildren,
  deleteChild,
  restartChild,
  startChild,
  terminateChild,
  whichChildren,
} from '../../src/runtime/supervisor/supervisorApi.js';
import type { SupervisorReport } from '../../src/runtime/supervisor/supervisorReport.js';
import { codeOf } from './helpers.js';

type WorkerEvent = { type: 'crash' } | { type: 'finish' };

const worker = genFsmLogic(
  setup({
    types: {
      input: {} as { id: string; failOnStart?: boolean },
      context: {} as { id: string },
      events: {} as WorkerEvent,
    },
  }).createMachine({
    context: ({ input }) => {
      if (input.failOnStart) throw new Error(`${input.id} cannot start`);
      return { id: input.id };
    },
    initial: 'running',
    states: {
      running: {
        on: {
          crash: {
            actions: () => {
              throw new Error('crash');
            },
          },
          finish: 'finished',
        },
      },
      finished: { type: 'final' },
    },
  }),
);

/** A child spec whose lifecycle is written to `log`: start, stop (by its supervisor), exit. */
function child(
  log: string[],
  id: string,
  restart: RestartType = 'permanent',
  extra: Partial<ChildSpec> = {},
): ChildSpec {
  return {
    id,
    logic: worker as AnyActorLogic,
    input: { id },
    restart,
    observe: {
      started: (childId, ref) => {
        log.push(`start ${childId}`);
        ref.subscribe({
          complete: () => {
            if (ref.getSnapshot().status === 'stopped') log.push(`stop ${childId}`);
          },
          error: () => {},
        });
      },
      exited: (childId, reason) =>
        log.push(
          `exit ${childId} ${typeof reason === 'string' ? reason : 'shutdown' in reason ? '{shutdown}' : 'error'}`,
        ),
    },
    ...extra,
  };
}

function startSupervisor(spec: StaticSupervisorSpec, clock = new SimulatedClock()) {
  const reports: SupervisorReport[] = [];
  const errors: unknown[] = [];
  const sup = createActor(supervisor(spec), { clock, id: 'sup' });
  sup.on('*', (report) => reports.push(report));
  sup.subscribe({ error: (error) => errors.push(error) });
  sup.start();
  return { sup, clock, reports, errors };
}

function crash(sup: ActorLike, id: string): void {
  (childOf(sup, id) as ActorLike<WorkerEvent>).send({ type: 'crash' });
}

const ABC = (log: string[]) => [child(log, 'a'), child(log, 'b'), child(log, 'c')];
const RELAXED = { maxRestarts: 10, periodMs: 1000 };

describe('strategies', () => {
  it('starts children in order', () => {
    const log: string[] = [];
    startSupervisor({ strategy: 'one_for_one', children: ABC(log) });
    expect(log).toEqual(['start a', 'start b', 'start c']);
  });

  it('one_for_one restarts only the child that exited', () => {
    const log: string[] = [];
    const { sup } = startSupervisor({ strategy: 'one_for_one', intensity: RELAXED, children: ABC(log) });
    const [a, c] = [childOf(sup, 'a'), childOf(sup, 'c')];
    log.length = 0;
    crash(sup, 'b');
    expect(log).toEqual(['exit b error', 'start b']);
    expect(childOf(sup, 'a')).toBe(a);
    expect(childOf(sup, 'c')).toBe(c);
    expect(sup.getSnapshot().context).toMatchObject({ restarts: 1, activeChildren: 3 });
  });

  it('one_for_all stops the others in reverse order, then restarts all in order', () => {
    const log: string[] = [];
    const { sup } = startSupervisor({ strategy: 'one_for_all', intensity: RELAXED, children: ABC(log) });
    log.length = 0;
    crash(sup, 'b');
    expect(log).toEqual(['exit b error', 'stop c', 'stop a', 'start a', 'start b', 'start c']);
  });

  it('rest_for_one restarts the child and those started after it', () => {
    const log: string[] = [];
    const { sup } = startSupervisor({ strategy: 'rest_for_one', intensity: RELAXED, children: ABC(log) });
    const a = childOf(sup, 'a');
    log.length = 0;
    crash(sup, 'b');
    expect(log).toEqual(['exit b error', 'stop c', 'start b', 'start c']);
    expect(childOf(sup, 'a')).toBe(a);
  });

  it('one_for_all forgets a temporary sibling instead of restarting it', () => {
    const log: string[] = [];
    const children = [child(log, 'a'), child(log, 'b'), child(log, 't', 'temporary')];
    const { sup } = startSupervisor({ strategy: 'one_for_all', intensity: RELAXED, children });
    log.length = 0;
    crash(sup, 'a');
    expect(log).toEqual(['exit a error', 'stop t', 'stop b', 'start a', 'start b']);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['a', 'b']);
  });
});

describe('restart types', () => {
  function finish(sup: ActorLike, id: string): void {
    (childOf(sup, id) as ActorLike<WorkerEvent>).send({ type: 'finish' });
  }

  it('permanent: restarted after a normal exit and after a crash', () => {
    const log: string[] = [];
    const { sup } = startSupervisor({
      strategy: 'one_for_one',
      intensity: RELAXED,
      children: [child(log, 'p')],
    });
    finish(sup, 'p');
    crash(sup, 'p');
    expect(log).toEqual(['start p', 'exit p normal', 'start p', 'exit p error', 'start p']);
  });

  it('transient: restarted after a crash only; kept as a spec after a normal exit', () => {
    const log: string[] = [];
    const { sup } = startSupervisor({
      strategy: 'one_for_one',
      intensity: RELAXED,
      children: [child(log, 't', 'transient')],
    });
    crash(sup, 't');
    finish(sup, 't');
    expect(log).toEqual(['start t', 'exit t error', 'start t', 'exit t normal']);
    expect(whichChildren(sup)).toEqual([{ id: 't', ref: undefined, type: 'worker', restart: 'transient' }]);
  });

  it('transient: a stop with reason shutdown is normal, an { error } reason is not', async () => {
    const log: string[] = [];
    const node = createActorNode({ name: 'n' });
    const { sup } = startSupervisor({
      strategy: 'one_for_one',
      intensity: RELAXED,
      children: [child(log, 't', 'transient')],
    });
    await node.genFsm.stop(childOf(sup, 't') as ActorLike, { error: 'bad' });
    expect(log.slice(-2)).toEqual(['exit t error', 'start t']);
    await node.genFsm.stop(childOf(sup, 't') as ActorLike, { shutdown: 'done here' });
    expect(log.at(-1)).toBe('exit t {shutdown}');
    expect(childOf(sup, 't')).toBeUndefined();
  });

  it('temporary: never restarted, and forgotten', () => {
    const log: string[] = [];
    const { sup } = startSupervisor({
      strategy: 'one_for_one',
      children: [child(log, 'x'), child(log, 'tmp', 'temporary')],
    });
    crash(sup, 'tmp');
    expect(log).toEqual(['start x', 'start tmp', 'exit tmp error']);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['x']);
  });
});

describe('restart intensity', () => {
  it('allows maxRestarts within the period', () => {
    const log: string[] = [];
    const { sup, errors } = startSupervisor({
      strategy: 'one_for_one',
      intensity: { maxRestarts: 2, periodMs: 1000 },
      children: [child(log, 'a')],
    });
    crash(sup, 'a');
    crash(sup, 'a');
    expect(errors).toEqual([]);
    expect(isAlive(sup)).toBe(true);
  });

  it('forgets restarts older than the period', () => {
    const log: string[] = [];
    const { sup, clock, errors } = startSupervisor({
      strategy: 'one_for_one',
      intensity: { maxRestarts: 1, periodMs: 1000 },
      children: [child(log, 'a')],
    });
    crash(sup, 'a');
    clock.increment(1000);
    crash(sup, 'a');
    clock.increment(1000);
    crash(sup, 'a');
    expect(errors).toEqual([]);
    expect(sup.getSnapshot().context.restarts).toBe(3);
  });

  it('beyond it the supervisor stops its children in reverse order and fails', () => {
    const log: string[] = [];
    const { sup, errors, reports } = startSupervisor({
      strategy: 'one_for_one',
      intensity: { maxRestarts: 1, periodMs: 1000 },
      children: ABC(log),
    });
    crash(sup, 'b');
    log.length = 0;
    crash(sup, 'b');
    expect(log).toEqual(['exit b error', 'stop c', 'stop a']);
    expect(sup.getSnapshot().status).toBe('error');
    expect(errors).toEqual([expect.objectContaining({ code: 'SUPERVISOR_ERR_MAX_RESTARTS' })]);
    expect(reports.at(-1)).toMatchObject({ type: 'supervisor.maxRestarts', id: 'b' });
  });

  it("the parent sees the supervisor's failure as a child error", () => {
    const log: string[] = [];
    const seen: string[] = [];
    const spec: StaticSupervisorSpec = {
      strategy: 'one_for_one',
      intensity: { maxRestarts: 0, periodMs: 1000 },
      children: [child(log, 'a')],
    };
    const parent = createActor(
      setup({ actors: { sup: supervisor(spec) } }).createMachine({
        entry: spawnChild('sup', { id: 'sup' }),
        on: {
          'xstate.error.actor.sup': {
            actions: ({ event }) => seen.push((event.error as { code: string }).code),
          },
        },
      }),
      { clock: new SimulatedClock() },
    ).start();
    const sup = parent.getSnapshot().children['sup'] as ActorLike;
    crash(sup, 'a');
    expect(seen).toEqual(['SUPERVISOR_ERR_MAX_RESTARTS']);
    expect(parent.getSnapshot().status).toBe('active');
  });
});

describe('shutdown', () => {
  it('stops children in reverse start order', () => {
    const log: string[] = [];
    const { sup } = startSupervisor({ strategy: 'one_for_one', children: ABC(log) });
    log.length = 0;
    sup.stop();
    expect(log).toEqual(['stop c', 'stop b', 'stop a']);
  });

  it('a child that fails to start stops the ones before it, and the supervisor does not start', () => {
    const log: string[] = [];
    const { sup, errors } = startSupervisor({
      strategy: 'one_for_one',
      children: [
        child(log, 'a'),
        child(log, 'b'),
        child(log, 'bad', 'permanent', { input: { id: 'bad', failOnStart: true } }),
        child(log, 'c'),
      ],
    });
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
    expect(sup.getSnapshot().status).toBe('error');
    expect(errors).toEqual([expect.objectContaining({ code: 'SUPERVISOR_ERR_FAILED_TO_START_CHILD' })]);
  });
});

describe('nested supervisors', () => {
  it('an inner supervisor past its intensity is restarted by the outer one with fresh children', () => {
    const log: string[] = [];
    const inner = supervisor({
      strategy: 'one_for_one',
      intensity: { maxRestarts: 1, periodMs: 1000 },
      children: [child(log, 'w')],
    });
    const { sup, reports } = startSupervisor({
      strategy: 'one_for_one',
      intensity: { maxRestarts: 1, periodMs: 1000 },
      children: [child(log, 'x'), { id: 'inner', logic: inner, type: 'supervisor' }],
    });
    const innerRef = () => childOf(sup, 'inner') as ActorLike;
    crash(innerRef(), 'w');
    crash(innerRef(), 'w');
    expect(reports.map((r) => r.type + ' ' + ('id' in r ? r.id : ''))).toEqual([
      'child.started x',
      'child.started inner',
      'child.exited inner',
      'child.started inner',
    ]);
    expect(log).toEqual(['start x', 'start w', 'exit w error', 'start w', 'exit w error', 'start w']);
    expect(countChildren(sup)).toEqual({ specs: 2, active: 2, supervisors: 1, workers: 1 });

    // Again, quickly: now the outer supervisor is past its own intensity too, and fails.
    crash(innerRef(), 'w');
    crash(innerRef(), 'w');
    expect(sup.getSnapshot().status).toBe('error');
    expect(log.slice(-2)).toEqual(['exit w error', 'stop x']);
  });
});

describe('supervisor functions', () => {
  it('start, terminate, restart and delete children', async () => {
    const log: string[] = [];
    const { sup } = startSupervisor({ strategy: 'one_for_one', children: [child(log, 'a')] });
    const b = await startChild(sup, child(log, 'b'));
    expect(isAlive(b)).toBe(true);
    expect(await codeOf(startChild(sup, child(log, 'b')))).toBe('SUPERVISOR_ERR_ALREADY_PRESENT');
    await terminateChild(sup, 'b');
    expect(isAlive(b)).toBe(false);
    expect(countChildren(sup)).toMatchObject({ specs: 2, active: 1 });
    expect(await codeOf(deleteChild(sup, 'a'))).toBe('SUPERVISOR_ERR_RUNNING');
    const again = await restartChild(sup, 'b');
    expect(childOf(sup, 'b')).toBe(again);
    await terminateChild(sup, 'b');
    await deleteChild(sup, 'b');
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['a']);
    expect(await codeOf(terminateChild(sup, 'nope'))).toBe('SUPERVISOR_ERR_NOT_FOUND');
    expect(log).toEqual(['start a', 'start b', 'stop b', 'start b', 'stop b']);
  });

  it('a named child keeps its name across restarts', () => {
    const log: string[] = [];
    const node = createActorNode({ name: 'named' });
    const { sup } = startSupervisor({
      strategy: 'one_for_one',
      node,
      children: [child(log, 'a', 'permanent', { name: 'alpha' })],
    });
    const first = node.whereis('alpha');
    expect(first).toBe(childOf(sup, 'a'));
    crash(sup, 'a');
    expect(node.whereis('alpha')).toBe(childOf(sup, 'a'));
    expect(node.whereis('alpha')).not.toBe(first);
    sup.stop();
    expect(node.whereis('alpha')).toBeUndefined();
  });

  it('rejects a bad spec: the supervisor fails to start', () => {
    const log: string[] = [];
    const { sup, errors } = startSupervisor({
      strategy: 'one_for_one',
      children: [child(log, 'a'), child(log, 'a')],
    });
    expect(sup.getSnapshot().status).toBe('error');
    expect(errors).toEqual([expect.objectContaining({ code: 'SUPERVISOR_ERR_BAD_SPEC' })]);
  });
});
