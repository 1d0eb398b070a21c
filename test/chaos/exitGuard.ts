// Last-resort cleanup for the chaos tests: whatever happens to the test process (a failed
// assertion that skips a step, an uncaught error, Ctrl-C in `npm run chaos`), the node processes
// it started are SIGKILLed — which also ends SIGSTOPped ones — and its temp dirs removed. The
// normal path cleans up itself and unregisters; this only catches what it missed.
import { rmSync } from 'node:fs';

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

/** SIGKILL the given pids and remove a directory, ignoring what is already gone. */
export function killAndRemove(pids: readonly (number | undefined)[], dir: string): void {
  for (const pid of pids) {
    if (pid === undefined) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(dir, { recursive: true, force: true });
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
