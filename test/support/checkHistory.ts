// Checks a recorded history of the write-once register and prints the verdict.
//   npx tsx test/support/checkHistory.ts [--linearizable] FILE.jsonl [FILE.jsonl ...]
// --linearizable: the reads were quorum reads, so "not decided" after a decision was returned is a
// stale read (checker.ts); without it reads are local and may say so.
// Several files are merged (one per client process, say) and ordered by time.
// Exit status: 0 valid, 1 violations found, 2 unreadable input.
import { readFileSync } from 'node:fs';
import { checkHistory, formatHistoryCheck } from './history/checker.js';
import { parseJsonLines, type HistoryOp } from './history/history.js';

const args = process.argv.slice(2);
const linearizable = args.includes('--linearizable');
const files = args.filter((arg) => arg !== '--linearizable');
if (files.length === 0) {
  console.error('usage: npx tsx test/support/checkHistory.ts [--linearizable] FILE.jsonl [FILE.jsonl ...]');
  process.exit(2);
}
const ops: HistoryOp[] = [];
for (const file of files) {
  try {
    ops.push(...parseJsonLines(readFileSync(file, 'utf8')));
  } catch (error) {
    console.error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
const check = checkHistory(ops, { reads: linearizable ? 'linearizable' : 'local' });
console.log(formatHistoryCheck(check));
process.exitCode = check.valid ? 0 : 1;
