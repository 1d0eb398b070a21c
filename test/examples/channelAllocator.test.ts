// The channel-allocator example (ch3): its callbacks as the pure functions they are, the server
// called by name on its node and as `{ name, node }` from another, and the command of
// docs/gen-server.md run as written, its output compared with the one the page shows.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { ch3, ch3Supervisor, channels, free, main, type Channels } from '../../examples/channelAllocator.js';
import { createGenServer, type Caller } from '../../src/index.js';
import { drive, twoNodes, type TwoNodes } from '../runtime/helpers.js';

const root = join(import.meta.dirname, '..', '..');

describe('ch3 callbacks are pure functions of plain data', () => {
  const from = '#Caller<test>' as Caller<number>;

  it('alloc replies with the first free channel and moves it to allocated', () => {
    expect(ch3.callbacks.handleCall('alloc', from, channels(3))).toEqual({
      reply: 1,
      state: { allocated: [1], free: [2, 3], waiting: [] },
    });
  });

  it('alloc with no channel free keeps the caller; free hands the channel to it', () => {
    const full: Channels = { allocated: [1], free: [], waiting: [] };
    const held = ch3.callbacks.handleCall('alloc', from, full);
    expect(held).toEqual({ noreply: true, state: { ...full, waiting: [from] } });
    expect(ch3.callbacks.handleCast?.({ free: 1 }, (held as { state: Channels }).state)).toEqual({
      noreply: true,
      state: full,
      replies: [{ to: from, value: 1 }],
    });
  });

  it('freeing a channel that is not allocated changes nothing; stop stops normally', () => {
    const state = channels(2);
    expect(ch3.callbacks.handleCast?.({ free: 7 }, state)).toEqual({ noreply: true, state });
    expect(ch3.callbacks.handleCast?.('stop', state)).toEqual({ stop: 'normal', state });
  });
});

describe('ch3 across nodes', () => {
  let nodes: TwoNodes | undefined;
  afterEach(async () => nodes?.close());

  it('b allocates from ch3 on a as { name: ch3, node: a }, and waits when none is free', async () => {
    nodes = twoNodes();
    const { a, b, clock } = nodes;
    createActor(ch3Supervisor({ node: a, count: 1 }), { clock }).start();
    const fromB = createGenServer(b);
    const ch3OnA = { name: 'ch3', node: 'a' };
    expect(await drive(clock, fromB.call<number>(ch3OnA, 'alloc'))).toBe(1);
    const waiting = fromB.call<number>(ch3OnA, 'alloc', { timeoutMs: 60_000 });
    await drive(clock, new Promise((resolve) => clock.setTimeout(resolve, 50)));
    const state = (a.whereis('ch3')?.getSnapshot() as unknown as { context: Channels }).context;
    expect(state.waiting).toHaveLength(1);
    free(1, a);
    expect(await drive(clock, waiting)).toBe(1);
  });
});

function docSection(): string {
  return readFileSync(join(root, 'docs', 'gen-server.md'), 'utf8');
}

/** The output docs/gen-server.md shows for the example. */
function expectedOutput(): string[] {
  const block = /```text\n([\s\S]*?)```/.exec(docSection())?.[1] ?? '';
  return block.split('\n').filter((line) => line.length > 0);
}

describe('docs/gen-server.md: the example', () => {
  it('main() prints what the page shows', async () => {
    const lines: string[] = [];
    await main((line) => lines.push(line));
    expect(lines).toEqual(expectedOutput());
    expect(lines.length).toBeGreaterThan(5);
  });

  it('runs the command the page shows and prints the same', () => {
    const command = /```sh\n([^\n]+)\n```/.exec(docSection())?.[1] ?? '';
    expect(command).toBe('npx tsx examples/channelAllocator.ts');
    const [, script] = command.split(' ').slice(1);
    // npx would resolve the same local bin; calling it directly keeps the test offline-safe.
    const out = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [script as string], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out.split('\n').filter((line) => line.length > 0)).toEqual(expectedOutput());
  });
});
