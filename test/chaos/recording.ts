// How the chaos clients record reads. Asks go through `HistoryRecorder.ask`, which records
// `info` (outcome unknown) for every error but the caller's own bad input. A read changes
// nothing, and the recorder's own `read` calls a failed one `fail`; here a read that timed out or
// lost its connection is `info` like everything else a node process can do to a client.
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { HistoryRecorder, Outcome } from '../support/history/recorder.js';

/** A read's `ok` value is the decided value, or null when that node knows no decision yet. */
export async function recordRead(
  recorder: HistoryRecorder,
  process: string,
  key: string,
  call: () => Promise<PaxosValue | undefined>,
): Promise<Outcome> {
  const op = recorder.invoke(process, 'read', key, null);
  try {
    const value = (await call()) ?? null;
    op.ok(value);
    return { type: 'ok', value };
  } catch (error) {
    op.info();
    return { type: 'info', error };
  }
}
