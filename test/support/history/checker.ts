// The write-once register checker. For every key:
//   agreement: every successful ask and every read that found a decision return the same value;
//   validity:  that value was proposed by an ask of that key that did not fail (`fail` means the
//              ask was definitely not applied; `info` and unfinished asks may have been);
//   real time: no operation returns a value before an ask proposing it was invoked;
//   stale read (reads: 'linearizable' only): no read says "not decided" once an operation that
//              returned the value had completed before the read was invoked.
// With reads 'local' (the default), reads that return null ("not decided here yet") are always
// allowed: a node may not know yet. With 'linearizable' (quorum reads, docs/membership.md §8.3),
// the four rules together are linearizability of the write-once register: the decision can be
// placed after every null read's invocation and the earliest ask of its value, and before every
// completion that returned it, exactly when no pair of them says otherwise.
import type { PaxosValue } from '../../../src/paxos/messages.js';
import { stableStringify } from '../stableStringify.js';
import type { HistoryOp } from './history.js';

export type Rule = 'well-formed' | 'agreement' | 'validity' | 'real-time' | 'stale-read';

export interface CheckOptions {
  /**
   * What a read promises. 'local' (default): the decision as one node knows it, so "not decided"
   * is always allowed. 'linearizable': quorum reads — "not decided" after the value was returned
   * to anyone (that operation completed before the read was invoked) is a stale read.
   */
  readonly reads?: 'local' | 'linearizable';
}

export interface HistoryViolation {
  readonly rule: Rule;
  readonly key: string;
  readonly message: string;
  /** The operations that show it, as recorded. */
  readonly ops: readonly HistoryOp[];
}

export interface HistoryCheck {
  readonly valid: boolean;
  readonly violations: readonly HistoryViolation[];
  /** The value each key was seen decided with (the first one, when agreement fails). */
  readonly decided: ReadonlyMap<string, PaxosValue>;
  readonly counts: {
    readonly keys: number;
    readonly operations: number;
    readonly ok: number;
    readonly fail: number;
    readonly info: number;
    /** Invoked and never completed: treated like `info`. */
    readonly unfinished: number;
    readonly readsNotDecided: number;
  };
}

/** An invocation with its completion, and both positions in time order. */
interface Operation {
  readonly invoke: HistoryOp;
  readonly invokedAt: number;
  completion: HistoryOp | null;
  completedAt: number;
}

function byTime(ops: readonly HistoryOp[]): HistoryOp[] {
  // Stable: events with equal times keep their recorded order.
  return ops
    .map((op, index) => ({ op, index }))
    .sort((a, b) => a.op.time - b.op.time || a.index - b.index)
    .map(({ op }) => op);
}

export function checkHistory(history: readonly HistoryOp[], options: CheckOptions = {}): HistoryCheck {
  const ops = byTime(history);
  const violations: HistoryViolation[] = [];
  const inFlight = new Map<string, Operation>();
  const operations: Operation[] = [];

  ops.forEach((op, position) => {
    const process = String(op.process);
    if (op.type === 'invoke') {
      const earlier = inFlight.get(process);
      if (earlier !== undefined)
        violations.push({
          rule: 'well-formed',
          key: op.key,
          message: `process ${process} invoked a second operation while one was in flight`,
          ops: [earlier.invoke, op],
        });
      const operation: Operation = {
        invoke: op,
        invokedAt: position,
        completion: null,
        completedAt: Infinity,
      };
      inFlight.set(process, operation);
      operations.push(operation);
      return;
    }
    const operation = inFlight.get(process);
    if (operation === undefined || operation.invoke.f !== op.f || operation.invoke.key !== op.key) {
      violations.push({
        rule: 'well-formed',
        key: op.key,
        message: `process ${process} completed a ${op.f} of ${JSON.stringify(op.key)} it had not invoked`,
        ops: operation ? [operation.invoke, op] : [op],
      });
      return;
    }
    operation.completion = op;
    operation.completedAt = position;
    inFlight.delete(process);
  });

  const keys = new Map<string, Operation[]>();
  for (const operation of operations) {
    const list = keys.get(operation.invoke.key) ?? [];
    list.push(operation);
    keys.set(operation.invoke.key, list);
  }
  const decided = new Map<string, PaxosValue>();
  for (const [key, list] of keys) {
    const value = checkKey(key, list, violations);
    if (options.reads === 'linearizable') checkStaleReads(key, list, violations);
    if (value !== undefined) decided.set(key, value);
  }

  const completions = operations.map((o) => o.completion?.type ?? 'unfinished');
  return {
    valid: violations.length === 0,
    violations,
    decided,
    counts: {
      keys: keys.size,
      operations: operations.length,
      ok: completions.filter((t) => t === 'ok').length,
      fail: completions.filter((t) => t === 'fail').length,
      info: completions.filter((t) => t === 'info').length,
      unfinished: completions.filter((t) => t === 'unfinished').length,
      readsNotDecided: operations.filter(
        (o) => o.invoke.f === 'read' && o.completion?.type === 'ok' && o.completion.value === null,
      ).length,
    },
  };
}

/** Checks one key; returns the value it was seen decided with, if any. */
function checkKey(
  key: string,
  operations: readonly Operation[],
  violations: HistoryViolation[],
): PaxosValue | undefined {
  // What the clients were told: successful asks, and reads that found a decision.
  const results = operations.filter(
    (o) => o.completion?.type === 'ok' && (o.invoke.f === 'ask' || o.completion.value !== null),
  );
  // Asks that may have been applied: all but those that definitely failed.
  const proposals = operations.filter((o) => o.invoke.f === 'ask' && o.completion?.type !== 'fail');

  const firstByValue = new Map<string, Operation>();
  for (const result of results) {
    const value = stableStringify((result.completion as HistoryOp).value);
    if (!firstByValue.has(value)) firstByValue.set(value, result);
  }
  if (firstByValue.size > 1) {
    violations.push({
      rule: 'agreement',
      key,
      message: `clients were told different values for ${JSON.stringify(key)}: ${[...firstByValue.keys()].join(', ')}`,
      ops: [...firstByValue.values()].flatMap(pair),
    });
  }

  for (const [value, first] of firstByValue) {
    const asks = proposals.filter((p) => stableStringify(p.invoke.value) === value);
    if (asks.length === 0) {
      const failed = operations.filter(
        (o) =>
          o.invoke.f === 'ask' && o.completion?.type === 'fail' && stableStringify(o.invoke.value) === value,
      );
      violations.push({
        rule: 'validity',
        key,
        message:
          failed.length > 0
            ? `${value} was returned for ${JSON.stringify(key)}, but every ask proposing it failed (definitely not applied)`
            : `${value} was returned for ${JSON.stringify(key)}, but no ask proposed it`,
        ops: [...pair(first), ...failed.flatMap(pair)],
      });
      continue;
    }
    const earliestAsk = Math.min(...asks.map((a) => a.invokedAt));
    for (const result of results) {
      if (stableStringify((result.completion as HistoryOp).value) !== value) continue;
      if (result.completedAt < earliestAsk) {
        violations.push({
          rule: 'real-time',
          key,
          message: `a ${result.invoke.f} of ${JSON.stringify(key)} returned ${value} before any ask proposing it was invoked`,
          ops: [...pair(result), (asks.find((a) => a.invokedAt === earliestAsk) as Operation).invoke],
        });
      }
    }
  }
  const first = results[0];
  return first === undefined ? undefined : (first.completion as HistoryOp).value;
}

/**
 * Reads that said "not decided" after an operation returning the key's value had completed: the
 * decision was taken before that completion, so before the read began.
 */
function checkStaleReads(
  key: string,
  operations: readonly Operation[],
  violations: HistoryViolation[],
): void {
  const results = operations.filter(
    (o) => o.completion?.type === 'ok' && (o.invoke.f === 'ask' || o.completion.value !== null),
  );
  if (results.length === 0) return;
  const first = results.reduce((a, b) => (b.completedAt < a.completedAt ? b : a));
  for (const read of operations) {
    if (read.invoke.f !== 'read' || read.completion?.type !== 'ok' || read.completion.value !== null)
      continue;
    if (first.completedAt < read.invokedAt)
      violations.push({
        rule: 'stale-read',
        key,
        message: `a read of ${JSON.stringify(key)} said "not decided" after ${stableStringify((first.completion as HistoryOp).value)} had been returned`,
        ops: [...pair(first), ...pair(read)],
      });
  }
}

function pair(operation: Operation): HistoryOp[] {
  return operation.completion === null ? [operation.invoke] : [operation.invoke, operation.completion];
}

/** A human-readable verdict: one line, then each violation with its operations. */
export function formatHistoryCheck(check: HistoryCheck): string {
  const c = check.counts;
  const lines = [
    `${check.valid ? 'VALID' : 'INVALID'}: ${c.operations} operations on ${c.keys} keys ` +
      `(${c.ok} ok, ${c.fail} fail, ${c.info} info, ${c.unfinished} unfinished; ${c.readsNotDecided} reads not decided), ` +
      `${check.violations.length} violations`,
  ];
  for (const violation of check.violations) {
    lines.push(`  ${violation.rule}: ${violation.message}`);
    for (const op of violation.ops) lines.push(`    ${JSON.stringify(op)}`);
  }
  return lines.join('\n');
}
