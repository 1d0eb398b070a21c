// LmdbStorage across real processes: a write that resolved survives kill -9 of its process, and
// a disk that refuses writes (RLIMIT_FSIZE standing in for a full disk) surfaces as rejected
// writes, sticky, without crashing the process; end to end, the node stops voting.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/base/errors.js';
import { LmdbStorage } from '../../src/storage/lmdbStorage.js';
import { tempDirs } from './tempDir.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const CHILD = join(import.meta.dirname, '..', 'fixtures', 'lmdbChild.ts');
const NODE_WITH_TSX = `"${process.execPath}" --import tsx "${CHILD}"`;

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string[];
  readonly stderr: string;
}

/** Runs the child under bash (for ulimit); `onLine` may kill it. */
function runChild(
  args: readonly string[],
  options: {
    readonly fileSizeLimitKiB?: number;
    readonly onLine?: (line: string, kill: () => void) => void;
  } = {},
): Promise<Finished> {
  const limit = options.fileSizeLimitKiB === undefined ? '' : `ulimit -f ${options.fileSizeLimitKiB} && `;
  const quoted = args.map((arg) => `"${arg}"`).join(' ');
  const child = spawn('bash', ['-c', `${limit}exec ${NODE_WITH_TSX} ${quoted}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    stdout.push(line);
    options.onLine?.(line, () => child.kill('SIGKILL'));
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close' comes after the streams end and the process is reaped, so its lock is stale.
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('LmdbStorage across processes', () => {
  it('keeps every write that resolved before the process was killed with SIGKILL', async () => {
    const path = dirs.next();
    const batchSize = 200;
    const run = await runChild(['write', path, 'a', '1000', String(batchSize)], {
      onLine: (line, kill) => {
        if (line === 'durable 3') kill();
      },
    });
    expect(run.signal, run.stderr).toBe('SIGKILL');
    const durableBatches = run.stdout.filter((line) => line.startsWith('durable ')).length;
    expect(durableBatches).toBeGreaterThanOrEqual(4);

    // The killed process left its lock behind; a dead owner's lock is taken over.
    const storage = new LmdbStorage({ path, nodeId: 'a' });
    await storage.open();
    expect(storage.createdDataDir).toBe(false);
    for (let batch = 0; batch < durableBatches; batch++) {
      for (let i = 0; i < batchSize; i++) {
        expect(storage.load(`b${batch}-k${i}`)?.accepted?.value).toBe(`v${batch}-${i}`);
      }
    }
    await storage.close();
  });

  it('rejects writes once the disk refuses them, for good, without crashing the process', async () => {
    const path = dirs.next();
    const run = await runChild(['fill', path, 'a'], { fileSizeLimitKiB: 1024 });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.at(-1) as string) as {
      written: number;
      code: string;
      message: string;
      later: string;
      failedCommits: number;
      unhandled: string[];
    };
    expect(report.code).toBe(ERROR_CODES.STORAGE_FAILED);
    expect(report.message).toMatch(/write to data directory .* failed: /);
    expect(report.later).toBe(ERROR_CODES.STORAGE_FAILED);
    expect(report.failedCommits).toBeGreaterThanOrEqual(1);
    expect(report.unhandled).toEqual([]);
    expect(report.written).toBeGreaterThan(0);

    // What was written before the failure is still there, and the directory opens again.
    const storage = new LmdbStorage({ path, nodeId: 'a' });
    await storage.open();
    expect(storage.load('f0-0-0')?.accepted?.value).toBe('x'.repeat(4000));
    await storage.close();
  });

  it('stops a node voting when its disk fails: asks fail, no reply leaves it, the others go on', async () => {
    const path = dirs.next();
    const run = await runChild(['node', path], { fileSizeLimitKiB: 1024 });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.at(-1) as string) as {
      storageFailed: boolean;
      storageFailedEvent: string | null;
      askOnC: string;
      askOnA: string;
      repliesFromCAfterFailure: string[];
      unhandled: string[];
    };
    expect(report.storageFailed).toBe(true);
    expect(report.storageFailedEvent).toMatch(/failed/);
    expect(report.askOnC).toBe(ERROR_CODES.STORAGE_FAILED);
    expect(report.askOnA).toBe('decided:w');
    expect(report.repliesFromCAfterFailure).toEqual([]);
    expect(report.unhandled).toEqual([]);
  });
});
