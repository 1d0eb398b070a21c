// What every mode of `npm run bench` is given by bench/run.ts: the run's size, where the compiled
// CLI and the temp directory are, and how to clean up and stop early.
import type { Cleanup } from './cleanup.js';

export interface BenchRunOptions {
  readonly quick: boolean;
  /** A full run's count, scaled for `--quick`. */
  readonly scale: (fullCount: number) => number;
  /** The compiled CLI (`dist/cli/main.js`) the gen-paxos nodes run. */
  readonly mainPath: string;
  /** A temporary directory on disk for secrets and data directories; the caller removes it. */
  readonly dir: string;
  /** Where each started cluster's stop is registered, for Ctrl-C and failures. */
  readonly cleanup: Cleanup;
  /** Aborted on Ctrl-C: nothing more is started. */
  readonly signal: AbortSignal;
  readonly progress: (line: string) => void;
}
