// The data-directory lock: one holder at a time, and a holder that was killed never keeps the
// directory, even while it is an unreaped zombie or when its pid now belongs to someone else.
// The zombie cases run a real holder process under a parent that never reaps it (`exec sleep`),
// and check /proc that it really is a zombie before trying the lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/base/errors.js';
import { LOCK_FILE, lockDataDir } from '../../src/storage/dataDirLock.js';
import {
  isHolderAlive,
  parseHolder,
  parseProcStat,
  processStartTime,
  readProcStat,
} from '../../src/storage/processLiveness.js';

const root = mkdtempSync(join(tmpdir(), 'gen-paxos-lock-'));
const freshDir = () => mkdtempSync(join(root, 'dir-'));
const parents: ChildProcess[] = [];

afterAll(() => {
  for (const parent of parents) parent.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const LOCK_MODULE = join(import.meta.dirname, '..', '..', 'dist', 'storage', 'dataDirLock.js');

/**
 * Starts a process that takes the lock of `dir` and holds it, as the child of a shell that then
 * becomes `sleep` and never calls wait(): once killed, the holder stays a zombie.
 */
async function unreapedHolder(dir: string, kernelLock: boolean): Promise<number> {
  const script =
    `const { lockDataDir } = await import(${JSON.stringify(LOCK_MODULE)});` +
    `lockDataDir(${JSON.stringify(dir)}, { kernelLock: ${kernelLock} });` +
    `console.log('locked ' + process.pid); setInterval(() => {}, 1000);`;
  const parent = spawn(
    'sh',
    ['-c', `"$0" --input-type=module -e "$1" & exec sleep 60`, process.execPath, script],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  parents.push(parent);
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: parent.stdout! }).once('line', resolve),
  );
  return Number(/^locked (\d+)$/.exec(line)?.[1]);
}

/** The threads of `pid` still in the process table (a zombie leader's own entry included). */
function liveTasks(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

async function killToZombie(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  // The leader thread shows 'Z' as soon as it exits, while node's other threads may still be
  // tearing down and holding the process's files (and so the lock): wait for them too.
  for (let i = 0; i < 500 && (readProcStat(pid)?.state !== 'Z' || liveTasks(pid) > 1); i++)
    await new Promise((r) => setTimeout(r, 10));
  expect(liveTasks(pid)).toBe(1);
  // The point of the test: the killed holder is still in the process table, as a zombie.
  expect(readProcStat(pid)?.state).toBe('Z');
  expect(() => process.kill(pid, 0)).not.toThrow();
}

describe('lockDataDir', () => {
  it.each([true, false])(
    'allows one holder at a time (kernel lock: %s), and frees the directory on release',
    (kernelLock) => {
      const dir = freshDir();
      const release = lockDataDir(dir, { kernelLock });
      expect(() => lockDataDir(dir, { kernelLock })).toThrow(
        expect.objectContaining({
          code: ERROR_CODES.DATA_DIR_LOCKED,
          message: expect.stringContaining(`in use by process ${process.pid} (this process)`),
        }),
      );
      release();
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
      lockDataDir(dir, { kernelLock })();
    },
  );

  it.each([true, false])(
    'takes over from a holder killed with -9 and left an unreaped zombie (kernel lock: %s)',
    async (kernelLock) => {
      const dir = freshDir();
      const pid = await unreapedHolder(dir, kernelLock);
      expect(() => lockDataDir(dir, { kernelLock })).toThrow(
        expect.objectContaining({ message: expect.stringContaining(`in use by process ${pid}`) }),
      );
      await killToZombie(pid);
      const release = lockDataDir(dir, { kernelLock });
      release();
    },
  );

  it('takes over a pid file whose pid now runs another process (another start time)', () => {
    const dir = freshDir();
    const start = processStartTime(process.pid);
    expect(start).not.toBeNull();
    writeFileSync(join(dir, LOCK_FILE), `${process.pid} ${(start as number) + 1}\n`);
    lockDataDir(dir, { kernelLock: false })();
    writeFileSync(join(dir, LOCK_FILE), `${process.pid} ${start}\n`);
    expect(() => lockDataDir(dir, { kernelLock: false })).toThrow(
      expect.objectContaining({ code: ERROR_CODES.DATA_DIR_LOCKED }),
    );
  });
});

describe('process liveness', () => {
  it('reads the state and start time after a command name with spaces and parentheses', () => {
    const fields = ['S', ...Array.from({ length: 18 }, (_, i) => String(i)), '987654', '0', '0'];
    expect(parseProcStat(`42 (a) (b c)) ${fields.join(' ')}`)).toEqual({ state: 'S', startTime: 987654 });
    expect(parseProcStat('42 no parenthesis')).toBeNull();
    expect(parseProcStat('42 (x) S 1 2')).toBeNull();
  });

  it('reads this process from /proc', () => {
    expect(readProcStat(process.pid)?.state).toMatch(/^[RS]$/);
  });

  it('parses holder lines with and without a start time', () => {
    expect(parseHolder('123\n')).toEqual({ pid: 123, startTime: null });
    expect(parseHolder('123 456\n')).toEqual({ pid: 123, startTime: 456 });
    expect(parseHolder('x')).toBeNull();
    expect(parseHolder('0')).toBeNull();
  });

  it('counts a gone pid, a zombie and another start time as dead', () => {
    const probe = (state: string | null, exists = true) => ({
      exists: () => exists,
      stat: () => (state === null ? null : { state, startTime: 100 }),
    });
    expect(isHolderAlive({ pid: 5, startTime: 100 }, probe('S'))).toBe(true);
    expect(isHolderAlive({ pid: 5, startTime: null }, probe('R'))).toBe(true);
    expect(isHolderAlive({ pid: 5, startTime: 100 }, probe('S', false))).toBe(false);
    expect(isHolderAlive({ pid: 5, startTime: 100 }, probe('Z'))).toBe(false);
    expect(isHolderAlive({ pid: 5, startTime: 101 }, probe('S'))).toBe(false);
    // Without /proc, existence is all there is.
    expect(isHolderAlive({ pid: 5, startTime: 101 }, probe(null))).toBe(true);
  });
});
