// lmdb-js commit plumbing for LmdbStorage: when a write is durable, which writes shared a
// commit (lmdb-js hands every write of one transaction the same promise object), and the real
// reason of a failed commit.
import type { CommitInfo, CommitStatsRecorder } from './commitStats.js';

/** How long to wait for lmdb-js's detailed commit error (`commitError`) before going without it. */
const COMMIT_ERROR_DETAIL_WAIT_MS = 250;

/**
 * The promise of a write's fsync: lmdb-js's `.flushed` (with `separateFlushed`), which is the
 * commit promise itself when overlapping sync is off, as configured in lmdbLayout.ts.
 */
export function durable(pending: Promise<unknown>): Promise<unknown> {
  return (pending as Promise<unknown> & { flushed?: Promise<unknown> }).flushed ?? pending;
}

function commitErrorOf(error: unknown): Promise<unknown> | undefined {
  const detail = (error as { commitError?: Promise<unknown> } | null)?.commitError;
  return detail !== undefined && typeof detail.then === 'function' ? detail : undefined;
}

/**
 * lmdb-js rejects each write of a failed commit with a generic "Commit failed" and puts the
 * operating system's error on `error.commitError`, a promise nothing inside lmdb-js handles
 * (kriszyp/lmdb-js#368): unhandled, it would crash the process. Every failed write goes through
 * here, which handles it and returns the real reason (or the generic error if none comes).
 */
export async function failureReason(error: unknown): Promise<unknown> {
  const detail = commitErrorOf(error);
  if (detail === undefined) return error;
  const reason = detail.then(
    () => null,
    (cause: unknown) => cause,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), COMMIT_ERROR_DETAIL_WAIT_MS);
    timer.unref();
  });
  const cause = await Promise.race([reason, waited]);
  clearTimeout(timer);
  return cause ?? error;
}

/** Writes sharing one LMDB transaction. */
interface CommitGroup {
  readonly firstIssuedMs: number;
  readonly keys: Set<string>;
  writes: number;
}

/** Groups writes by transaction and records each commit's size and latency. */
export class CommitGroups {
  private readonly groups = new Map<Promise<unknown>, CommitGroup>();

  constructor(
    private readonly recorder: CommitStatsRecorder,
    private readonly onCommit?: (commit: CommitInfo) => void,
  ) {}

  /** Counts a write of `key` into the transaction whose promise is `pending`. */
  join(pending: Promise<unknown>, key: string): void {
    let group = this.groups.get(pending);
    if (group === undefined) {
      const created: CommitGroup = { firstIssuedMs: performance.now(), keys: new Set(), writes: 0 };
      group = created;
      this.groups.set(pending, created);
      durable(pending).then(
        () => {
          this.groups.delete(pending);
          const commit: CommitInfo = {
            keys: created.keys.size,
            writes: created.writes,
            latencyMs: performance.now() - created.firstIssuedMs,
          };
          this.recorder.committed(commit);
          this.onCommit?.(commit);
        },
        (error: unknown) => {
          this.groups.delete(pending);
          this.recorder.failed();
          void failureReason(error);
        },
      );
    }
    group.keys.add(key);
    group.writes++;
  }
}
