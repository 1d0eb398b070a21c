// Records client operations as they happen, for simulation and real-process tests alike:
// `recorder.ask(process, key, value, () => node.ask(key, value))` records the invocation, runs
// the call, and records its completion, classifying errors into `fail` (definitely not
// applied) and `info` (unknown).
import { ERROR_CODES } from '../../../src/base/errors.js';
import type { PaxosValue } from '../../../src/paxos/messages.js';
import { toJsonLines, type HistoryOp, type OpFunction, type OpType } from './history.js';

export interface RecorderOptions {
  /** The time of each event: a virtual clock's `now` in simulations, `Date.now` across processes. */
  readonly now: () => number;
  /** Receives every operation as it is recorded (for example, appends it to a file). */
  readonly onRecord?: (op: HistoryOp) => void;
}

/**
 * Errors that prove an ask was never applied: the call was refused before anything was sent.
 * Everything else (a timeout, a stop or a storage failure mid-call, an unknown error) is
 * `info`: the proposal may have left the node and may still be chosen.
 */
export const DEFINITELY_NOT_APPLIED: readonly string[] = [
  ERROR_CODES.BAD_KEY,
  ERROR_CODES.BAD_VALUE,
  ERROR_CODES.BAD_MEMBERS,
  ERROR_CODES.BAD_OPTION,
];

export function classifyError(error: unknown): 'fail' | 'info' {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DEFINITELY_NOT_APPLIED.includes(code) ? 'fail' : 'info';
}

export type Outcome =
  | { readonly type: 'ok'; readonly value: PaxosValue }
  | { readonly type: 'fail' | 'info'; readonly error: unknown };

/** One invoked operation, waiting for its completion. */
export interface PendingOp {
  ok(value: PaxosValue): void;
  fail(): void;
  info(): void;
}

export class HistoryRecorder {
  private readonly recorded: HistoryOp[] = [];
  private readonly pending = new Set<string>();

  constructor(private readonly options: RecorderOptions) {}

  get ops(): readonly HistoryOp[] {
    return this.recorded;
  }

  /** Records the invocation; complete it exactly once through the returned handle. */
  invoke(process: string | number, f: OpFunction, key: string, value: PaxosValue): PendingOp {
    const id = String(process);
    if (this.pending.has(id)) throw new Error(`process ${id} already has an operation in flight`);
    this.pending.add(id);
    this.record({
      process,
      type: 'invoke',
      f,
      key,
      value: f === 'ask' ? value : null,
      time: this.options.now(),
    });
    let done = false;
    const complete = (type: Exclude<OpType, 'invoke'>, result: PaxosValue): void => {
      if (done) throw new Error(`process ${id}: operation completed twice`);
      done = true;
      this.pending.delete(id);
      this.record({ process, type, f, key, value: result, time: this.options.now() });
    };
    return {
      ok: (result) => complete('ok', result),
      fail: () => complete('fail', null),
      info: () => complete('info', null),
    };
  }

  /** Runs an ask and records it. Never throws: the outcome says what happened. */
  async ask(
    process: string | number,
    key: string,
    value: PaxosValue,
    call: () => Promise<PaxosValue>,
  ): Promise<Outcome> {
    const op = this.invoke(process, 'ask', key, value);
    try {
      const decided = await call();
      op.ok(decided);
      return { type: 'ok', value: decided };
    } catch (error) {
      const type = classifyError(error);
      op[type]();
      return { type, error };
    }
  }

  /** Runs a read (`undefined` or null: not decided here) and records it. Never throws. */
  async read(
    process: string | number,
    key: string,
    call: () => PaxosValue | undefined | Promise<PaxosValue | undefined>,
  ): Promise<Outcome> {
    const op = this.invoke(process, 'read', key, null);
    try {
      const value = (await call()) ?? null;
      op.ok(value);
      return { type: 'ok', value };
    } catch (error) {
      // A read changes nothing, so whether it "applied" does not matter: fail it.
      op.fail();
      return { type: 'fail', error };
    }
  }

  toJsonLines(): string {
    return toJsonLines(this.recorded);
  }

  private record(op: HistoryOp): void {
    this.recorded.push(op);
    this.options.onRecord?.(op);
  }
}
