// Last-resort cleanup for the chaos tests: whatever happens to the test process (a failed
// assertion that skips a step, an uncaught error, Ctrl-C in `npm run chaos`), the node processes
// it started are SIGKILLed — which also ends SIGSTOPped ones — and its temp dirs removed. The
// normal path cleans up itself and unregisters; this only catches what it missed.
import { readFileSync, readdirSync, rmSync } from 'node:fs';

type Cleanup = () => void;
const cleanups = new Set<Cleanup>();
let installed = false;

/** Runs `cleanup` (synchronous) when the process exits; call the returned function to cancel. */
export function atExit(cleanup: Cleanup): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runAll);
  }
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}

/** For a command-line runner: SIGINT/SIGTERM exit (130) through the cleanups. */
export function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
}

/**
 * SIGKILLs this process's own children whose command line mentions `dir` (node processes get
 * their secret file and data directory there), then removes `dir`. Finding them through /proc
 * also covers nodes still starting, which no handle reaches yet. Off Linux only `dir` goes.
 */
export function killChildrenAndRemove(dir: string): void {
  for (const pid of childrenMentioning(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

function childrenMentioning(dir: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

function runAll(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Keep cleaning the rest.
    }
  }
  cleanups.clear();
}
