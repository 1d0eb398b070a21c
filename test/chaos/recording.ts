// How the chaos clients record their operations: every ask and read is invoked on the history
// recorder, then completed `ok` with what the node answered, or `info` when the outcome is
// unknown — a timeout, a lost connection, a node that was killed or stopped mid-request. Nothing
// a node process can do to a client makes an ask "definitely not applied", so nothing is `fail`
// except the caller's own mistakes (a bad key or value), as the recorder classifies them.
import type { PaxosValue } from '../../src/paxos/messages.js';

/** The part of the history recorder (test/support/history/recorder.ts) the clients use. */
export interface OpRecorder {
  invoke(
    process: string,
    f: 'ask' | 'read',
    key: string,
    value: PaxosValue,
  ): { ok(value: PaxosValue): void; fail(): void; info(): void };
}

export type Outcome =
  | { readonly type: 'ok'; readonly value: PaxosValue }
  | { readonly type: 'info' | 'fail'; readonly error: unknown };

/** Codes that prove the request never left this process: the caller's own bad input. */
const REFUSED_LOCALLY = ['PAXOS_ERR_BAD_KEY', 'PAXOS_ERR_BAD_VALUE'];

export async function recordAsk(
  recorder: OpRecorder,
  process: string,
  key: string,
  value: PaxosValue,
  call: () => Promise<PaxosValue>,
): Promise<Outcome> {
  const op = recorder.invoke(process, 'ask', key, value);
  try {
    const decided = await call();
    op.ok(decided);
    return { type: 'ok', value: decided };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const type = typeof code === 'string' && REFUSED_LOCALLY.includes(code) ? 'fail' : 'info';
    op[type]();
    return { type, error };
  }
}

/** A read's `ok` value is the decided value, or null when that node knows no decision yet. */
export async function recordRead(
  recorder: OpRecorder,
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
    // Timeouts and lost connections are "unknown", never "fail" (the brief's rule for reads too).
    op.info();
    return { type: 'info', error };
  }
}
