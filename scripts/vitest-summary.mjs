// Prints "N passed, N failed" from vitest's JSON report: the line CI reads.
// Usage: node scripts/vitest-summary.mjs [reports/vitest.json]
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log('0 passed, 1 failed');
  console.error(`vitest-summary: cannot read ${file}: ${error.message}`);
  process.exit(1);
}
const failedTests = report.numFailedTests ?? 0;
// A test file that fails to load has no tests to count: count it, so it cannot hide.
const brokenFiles = (report.testResults ?? []).filter(
  (result) => result.status === 'failed' && (result.assertionResults ?? []).length === 0,
).length;
console.log(`${report.numPassedTests ?? 0} passed, ${failedTests + brokenFiles} failed`);
