// The summary table of a batch of simulation runs.
import { formatTable } from '../../src/cli/table.js';
import { FAULT_KINDS, type SimResult } from './simulation.js';
import { MEMBERSHIP_FAULTS } from './membershipFaults.js';

export function summarizeRuns(results: readonly SimResult[]): string {
  const faults = FAULT_KINDS.map((kind) => `${kind} ${results.reduce((n, r) => n + r.faults[kind], 0)}`).join(
    ', ',
  );
  const membership = MEMBERSHIP_FAULTS.map((kind) => {
    const schedules = results.filter((r) => r.membership[kind] > 0).length;
    const changes = results.reduce((n, r) => n + r.membership[kind], 0);
    return `${kind} ${schedules} (${changes} changes)`;
  }).join(', ');
  const outcomes = new Map<string, number>();
  for (const r of results)
    for (const [outcome, n] of Object.entries(r.changeOutcomes))
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + n);
  const outcomeList = [...outcomes].sort(([a], [b]) =>
    a === 'ok' ? -1 : b === 'ok' ? 1 : a.localeCompare(b),
  );
  const finalSizes = new Map<number, number>();
  for (const r of results) {
    const size = r.finalConfig.indexOf(':');
    finalSizes.set(size, (finalSizes.get(size) ?? 0) + 1);
  }
  const operations = results.reduce((n, r) => n + r.operations, 0);
  const safety = results.reduce((n, r) => n + r.safety.length, 0);
  const liveness = results.reduce((n, r) => n + r.liveness.length, 0);
  const failing = results.filter((r) => r.violations.length > 0).map((r) => r.seed);
  const virtualS = results.reduce((n, r) => n + r.virtualMs, 0) / 1000;
  const reasked = results.reduce((n, r) => n + r.reasked.length, 0);
  const recovered = results.map((r) => r.recoveredMs).filter((ms): ms is number => ms !== null);
  const slowest = recovered.length > 0 ? `${(Math.max(...recovered) / 1000).toFixed(1)} s` : '-';
  const table = formatTable(
    ['schedules', 'operations', 'virtual time', 'violations', 'safety', 'liveness', 'failing seeds'],
    [
      [
        String(results.length),
        String(operations),
        `${virtualS.toFixed(0)} s`,
        String(safety + liveness),
        String(safety),
        String(liveness),
        failing.join(' ') || '-',
      ],
    ],
  );
  return [
    table,
    `faults injected (schedules with each kind of noise, or injections): ${faults}`,
    `membership changes (schedules with each kind, and changes): ${membership}; ${results.filter((r) => MEMBERSHIP_FAULTS.some((k) => r.membership[k] > 0)).length} of ${results.length} schedules changed members`,
    `change outcomes: ${outcomeList.map(([outcome, n]) => `${outcome} ${n}`).join(', ') || '-'}; final voters: ${[
      ...finalSizes,
    ]
      .sort(([a], [b]) => a - b)
      .map(([size, n]) => `${size} in ${n}`)
      .join(', ')}`,
    `after healing: ${reasked} keys re-asked (every ask of them in the fault window went unanswered); slowest recovery (healing to the last probe answered) ${slowest} of the ${results[0]?.options.settleMs ?? 0} ms window`,
  ].join('\n');
}
