// The summary table of chaos schedules, in the shape of `npm run sim`'s.
import { formatTable } from '../../src/cli/table.js';
import type { ChaosResult } from './chaosRun.js';
import { NEMESIS_KINDS } from './nemesis.js';

export function summarizeChaos(results: readonly ChaosResult[]): string {
  const sum = (pick: (r: ChaosResult) => number) => results.reduce((n, r) => n + pick(r), 0);
  const faults = NEMESIS_KINDS.map((kind) => `${kind} ${sum((r) => r.faults[kind])}`).join(', ');
  const failing = results.filter((r) => r.violations.length > 0).map((r) => r.seed);
  const table = formatTable(
    [
      'schedules',
      'nodes',
      'operations',
      'ok',
      'info',
      'recorded events',
      'keys decided',
      'wall time',
      'violations',
      'failing seeds',
    ],
    [
      [
        String(results.length),
        [...new Set(results.map((r) => r.nodes))].join(','),
        String(sum((r) => r.counts.asks + r.counts.reads)),
        String(sum((r) => r.counts.ok)),
        String(sum((r) => r.counts.info)),
        String(sum((r) => r.recorded)),
        `${sum((r) => r.decidedKeys)}/${sum((r) => r.keys)}`,
        `${(sum((r) => r.wallMs) / 1000).toFixed(0)} s`,
        String(sum((r) => r.violations.length)),
        failing.join(' ') || '-',
      ],
    ],
  );
  return [
    table,
    `faults injected: ${faults} (total ${sum((r) => NEMESIS_KINDS.reduce((n, k) => n + r.faults[k], 0))})`,
    `answers checked against the final value: ${sum((r) => r.answersChecked)}; node error log lines: ${sum((r) => r.nodeErrors)}`,
  ].join('\n');
}

/** One line per schedule, printed as it finishes. */
export function describeRun(result: ChaosResult): string {
  const c = result.counts;
  const faults = NEMESIS_KINDS.filter((k) => result.faults[k] > 0)
    .map((k) => `${k} ${result.faults[k]}`)
    .join(', ');
  return (
    `seed ${result.seed} (${result.nodes} nodes, ${(result.wallMs / 1000).toFixed(0)} s): ` +
    `${c.asks + c.reads} operations (${c.ok} ok, ${c.info} info; ${c.reads} ${result.reads} reads, ` +
    `${result.readsNotDecided} reads not decided), ${result.decidedKeys}/${result.keys} keys agreed, ` +
    `faults: ${faults || 'none'}; ${result.violations.length} violations`
  );
}
