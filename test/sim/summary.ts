// The summary table of a batch of simulation runs.
import { formatTable } from '../../src/cli/table.js';
import { FAULT_KINDS, type SimResult } from './simulation.js';

export function summarizeRuns(results: readonly SimResult[]): string {
  const faults = FAULT_KINDS.map((kind) => `${kind} ${results.reduce((n, r) => n + r.faults[kind], 0)}`).join(
    ', ',
  );
  const operations = results.reduce((n, r) => n + r.operations, 0);
  const violations = results.reduce((n, r) => n + r.violations.length, 0);
  const failing = results.filter((r) => r.violations.length > 0).map((r) => r.seed);
  const virtualS = results.reduce((n, r) => n + r.virtualMs, 0) / 1000;
  const table = formatTable(
    ['schedules', 'operations', 'virtual time', 'violations', 'failing seeds'],
    [
      [
        String(results.length),
        String(operations),
        `${virtualS.toFixed(0)} s`,
        String(violations),
        failing.join(' ') || '-',
      ],
    ],
  );
  return `${table}\nfaults injected (schedules with each kind of noise, or injections): ${faults}`;
}
