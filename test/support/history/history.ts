// Client histories of the write-once register (issue 5, item 3), one JSON object per line, in
// the Jepsen style: every operation is an `invoke` followed by at most one completion from the
// same process: `ok` (it took effect, with its result), `fail` (it definitely did not take
// effect) or `info` (unknown: a timeout; it may take effect at any later time).
import type { PaxosValue } from '../../../src/paxos/messages.js';

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';
/** `ask`: propose `value` and return the decided value. `read`: the decided value, or null. */
export type OpFunction = 'ask' | 'read';

export interface HistoryOp {
  /** The client (a process id, or a node-and-client name): one operation at a time each. */
  readonly process: string | number;
  readonly type: OpType;
  readonly f: OpFunction;
  readonly key: string;
  /**
   * invoke of ask: the value proposed. ok of ask: the value decided. ok of read: the value
   * decided, or null for "not decided here yet". invoke of read, fail, info: null.
   */
  readonly value: PaxosValue;
  /** When the event happened; comparable across every recorder of one history. */
  readonly time: number;
}

export function toJsonLines(ops: readonly HistoryOp[]): string {
  return ops.map((op) => JSON.stringify(op)).join('\n') + (ops.length > 0 ? '\n' : '');
}

/** Parses JSON lines; a malformed line throws with its line number. Blank lines are skipped. */
export function parseJsonLines(text: string): HistoryOp[] {
  const ops: HistoryOp[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new Error(`line ${index + 1}: not JSON: ${String(error)}`);
    }
    const problem = checkOp(parsed);
    if (problem !== null) throw new Error(`line ${index + 1}: ${problem}`);
    ops.push(parsed as HistoryOp);
  });
  return ops;
}

function checkOp(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const op = value as Record<string, unknown>;
  if (typeof op.process !== 'string' && typeof op.process !== 'number')
    return 'process must be a string or number';
  if (!['invoke', 'ok', 'fail', 'info'].includes(op.type as string))
    return `bad type ${JSON.stringify(op.type)}`;
  if (op.f !== 'ask' && op.f !== 'read') return `bad f ${JSON.stringify(op.f)}`;
  if (typeof op.key !== 'string') return 'key must be a string';
  if (!('value' in op)) return 'value is missing (use null)';
  if (typeof op.time !== 'number' || !Number.isFinite(op.time)) return 'time must be a finite number';
  return null;
}
