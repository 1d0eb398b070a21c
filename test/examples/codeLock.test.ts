// The code-lock example: its machine against the Erlang original's behaviour, its supervision,
// and the README's "Actor runtime" command run as written, its output compared with the README.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { button, codeLockSupervisor, main, stop, type CodeLockEmitted } from '../../examples/codeLock.js';
import { createActorNode, VirtualClock, type ActorLike } from '../../src/index.js';

const root = join(import.meta.dirname, '..', '..');

function door(code: readonly number[] = [1, 2, 3]) {
  const clock = new VirtualClock();
  const node = createActorNode({ name: 'door', clock, onCrash: () => {} });
  const moves: CodeLockEmitted['type'][] = [];
  const sup = createActor(codeLockSupervisor(code, { node, onDoor: (event) => moves.push(event.type) }), {
    clock,
  }).start();
  const state = () => {
    const lock = node.whereis('code_lock');
    return lock ? String((lock.getSnapshot() as { value?: unknown }).value) : 'not running';
  };
  const press = (...digits: number[]) => digits.forEach((digit) => button(digit, node));
  return { clock, node, moves, sup, state, press };
}

describe('code lock', () => {
  it('opens on the right sequence and relocks after 30 s', () => {
    const { clock, moves, state, press } = door();
    press(1, 2, 3);
    expect(state()).toBe('open');
    clock.advance(30_000);
    expect(state()).toBe('locked');
    expect(moves).toEqual(['unlocked', 'locked']);
  });

  it('a wrong digit starts the sequence again', () => {
    const { state, press } = door();
    press(1, 2, 9, 1, 2);
    expect(state()).toBe('locked');
    press(3);
    expect(state()).toBe('open');
  });

  it('stop() ends it normally: the transient child is not restarted', () => {
    const { node, state } = door();
    stop(node);
    expect(state()).toBe('not running');
  });

  it('a crash is restarted by its supervisor, under the same name, locked again', async () => {
    const { node, state, press } = door();
    press(1, 2, 3);
    const before = node.whereis('code_lock') as ActorLike;
    await node.genFsm.stop('code_lock', { error: 'jammed' });
    expect(node.whereis('code_lock')).not.toBe(before);
    expect(state()).toBe('locked');
  });

  it('main() prints the walk-through', () => {
    const lines: string[] = [];
    main((line) => lines.push(line));
    expect(lines).toEqual(expectedOutput());
  });
});

function readmeSection(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## Actor runtime');
  expect(start).toBeGreaterThan(0);
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next < 0 ? undefined : next);
}

/** The output the README shows for the command. */
function expectedOutput(): string[] {
  const block = /```text\n([\s\S]*?)```/.exec(readmeSection())?.[1] ?? '';
  return block.split('\n').filter((line) => line.length > 0);
}

describe('README: Actor runtime', () => {
  it('runs the command it shows and prints what it shows', () => {
    const command = /```sh\n([^\n]+)\n```/.exec(readmeSection())?.[1] ?? '';
    expect(command).toBe('npx tsx examples/codeLock.ts');
    const [, script] = command.split(' ').slice(1);
    // npx would resolve the same local bin; calling it directly keeps the test offline-safe.
    const out = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [script as string], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out.split('\n').filter((line) => line.length > 0)).toEqual(expectedOutput());
  });
});
