// Appends each recorded operation to a JSON-lines file as it happens, so a history survives
// the test process being killed (real-process chaos tests) and can be checked afterwards with
// `npx tsx test/support/checkHistory.ts FILE.jsonl`.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HistoryOp } from './history.js';

/** An `onRecord` for `HistoryRecorder` that appends to `file` (created with its directory). */
export function appendToFile(file: string): (op: HistoryOp) => void {
  mkdirSync(dirname(file), { recursive: true });
  return (op) => appendFileSync(file, JSON.stringify(op) + '\n');
}
