// Issue 4's promise to clients: every client that got an answer got the value its key ended up
// with. Compares each `ok` ask, and each read that found a value, with the value every node
// read for the key after healing.
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { HistoryOp } from '../support/history/history.js';
import { stableStringify } from '../support/stableStringify.js';

export function answersNotFinal(
  ops: readonly HistoryOp[],
  finalValues: ReadonlyMap<string, PaxosValue>,
): { checked: number; violations: string[] } {
  const violations: string[] = [];
  let checked = 0;
  for (const op of ops) {
    if (op.type !== 'ok' || op.value === null) continue;
    const final = finalValues.get(op.key);
    if (final === undefined) {
      // Every key answered during the run must have a final value (converge saw to it).
      violations.push(
        `${op.process} was told ${op.key}=${JSON.stringify(op.value)}, but the key has no final value`,
      );
      continue;
    }
    checked++;
    if (stableStringify(op.value) !== stableStringify(final))
      violations.push(
        `${op.process} was told ${op.key}=${JSON.stringify(op.value)}, but its final value is ${JSON.stringify(final)}`,
      );
  }
  return { checked, violations };
}
