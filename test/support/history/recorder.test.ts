// The recorder: what it writes for each outcome, and a real in-process cluster's history
// recorded through it and accepted by the checker.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, GenPaxosError } from '../../../src/base/errors.js';
import { startLink } from '../../../src/node/genPaxos.js';
import { MemoryNetwork } from '../../../src/transport/memoryNetwork.js';
import { checkHistory, formatHistoryCheck } from './checker.js';
import { parseJsonLines } from './history.js';
import { appendToFile } from './fileSink.js';
import { classifyError, HistoryRecorder } from './recorder.js';

function fakeTime(): () => number {
  let now = 0;
  return () => ++now;
}

describe('history recorder', () => {
  it('records invoke then ok, with the decided value', async () => {
    const recorder = new HistoryRecorder({ now: fakeTime() });
    await recorder.ask('c1', 'k', 'A', async () => 'B');
    await recorder.read('c2', 'k', () => undefined);
    expect(recorder.ops).toEqual([
      { process: 'c1', type: 'invoke', f: 'ask', key: 'k', value: 'A', time: 1 },
      { process: 'c1', type: 'ok', f: 'ask', key: 'k', value: 'B', time: 2 },
      { process: 'c2', type: 'invoke', f: 'read', key: 'k', value: null, time: 3 },
      { process: 'c2', type: 'ok', f: 'read', key: 'k', value: null, time: 4 },
    ]);
  });

  it('a timeout is info (unknown), a refused argument is fail (definitely not applied)', async () => {
    expect(classifyError(new GenPaxosError(ERROR_CODES.TIMEOUT, 'late'))).toBe('info');
    expect(classifyError(new GenPaxosError(ERROR_CODES.STOPPED, 'stopped'))).toBe('info');
    expect(classifyError(new Error('anything else'))).toBe('info');
    expect(classifyError(new GenPaxosError(ERROR_CODES.BAD_VALUE, 'bad'))).toBe('fail');
    const recorder = new HistoryRecorder({ now: fakeTime() });
    const outcome = await recorder.ask('c1', 'k', 'A', () =>
      Promise.reject(new GenPaxosError(ERROR_CODES.TIMEOUT, 'late')),
    );
    expect(outcome.type).toBe('info');
    expect(recorder.ops.map((op) => op.type)).toEqual(['invoke', 'info']);
  });

  it('appends each operation to a JSON-lines file as it is recorded', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'history-')), 'run', 'history.jsonl');
    const recorder = new HistoryRecorder({ now: fakeTime(), onRecord: appendToFile(file) });
    await recorder.ask('c1', 'k', 'A', async () => 'A');
    expect(parseJsonLines(readFileSync(file, 'utf8'))).toEqual(recorder.ops);
  });

  it('refuses a second operation in flight on one process', () => {
    const recorder = new HistoryRecorder({ now: fakeTime() });
    recorder.invoke('c1', 'ask', 'k', 'A');
    expect(() => recorder.invoke('c1', 'read', 'k', null)).toThrow(/in flight/);
  });

  it('a 3-node cluster under concurrent asks leaves a valid history, round-tripped through JSON lines', async () => {
    const network = new MemoryNetwork();
    const members = ['a', 'b', 'c'];
    const nodes = await Promise.all(
      members.map((id) => startLink({ id, members, transport: network.connect(id) })),
    );
    const started = performance.now();
    const recorder = new HistoryRecorder({ now: () => performance.now() - started });
    const keys = ['k0', 'k1', 'k2', 'k3'];
    await Promise.all(
      nodes.flatMap((node) =>
        keys.map(async (key, k) => {
          const client = `${node.id}/${k}`;
          await recorder.ask(client, key, `${node.id}:${key}`, () => node.ask(key, `${node.id}:${key}`));
          await recorder.read(client, key, () => node.read(key));
        }),
      ),
    );
    await Promise.all(nodes.map((node) => node.stop()));

    const check = checkHistory(parseJsonLines(recorder.toJsonLines()));
    expect(check.valid, formatHistoryCheck(check)).toBe(true);
    expect(check.counts.operations).toBe(members.length * keys.length * 2);
    expect(check.decided.size).toBe(keys.length);
  });
});

describe('checkHistory CLI', () => {
  const cli = join(import.meta.dirname, '..', 'checkHistory.ts');
  const run = (file: string): { status: number; stdout: string } => {
    try {
      return {
        status: 0,
        stdout: execFileSync(process.execPath, ['--import', 'tsx', cli, file], { encoding: 'utf8' }),
      };
    } catch (error) {
      const e = error as { status: number; stdout: string };
      return { status: e.status, stdout: e.stdout };
    }
  };

  it('prints VALID and exits 0, or INVALID with the violation and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'history-'));
    const line = (time: number, type: string, value: string | null): string =>
      JSON.stringify({ process: 'p1', type, f: 'ask', key: 'k', value, time });
    writeFileSync(join(dir, 'good.jsonl'), [line(1, 'invoke', 'A'), line(2, 'ok', 'A')].join('\n'));
    writeFileSync(join(dir, 'bad.jsonl'), [line(1, 'invoke', 'A'), line(2, 'ok', 'C')].join('\n'));
    const good = run(join(dir, 'good.jsonl'));
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^VALID/);
    const bad = run(join(dir, 'bad.jsonl'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^INVALID[\s\S]*validity/);
  });
});
