// The side-by-side table of `npm run bench -- --compare etcd`: every figure of every phase for
// etcd's two runs and gen-paxos's one, with gen-paxos over the mean of etcd's runs, and etcd's
// second run over its first (the drift of the machine during the run).
import { formatTable } from '../../src/cli/table.js';
import { askFloor, renderFloors, type Floors } from '../report.js';
import type { MeasuredLoad } from '../scenarios.js';
import { VALUE_BYTES, ratioToMean, type ComparedPhase, type RunResult } from './plan.js';
import type { GenPaxosClientMode } from './systems.js';

export interface CompareReport {
  readonly etcdVersion: string;
  readonly quick: boolean;
  /** How gen-paxos's askers reached its members (systems.ts). */
  readonly genPaxosClient: GenPaxosClientMode;
  readonly floors: Floors;
  /** In the order they ran. */
  readonly runs: readonly RunResult[];
  readonly phases: readonly ComparedPhase[];
}

interface Figure {
  readonly name: string;
  readonly of: (load: MeasuredLoad) => number;
  readonly format: (value: number) => string;
}

const fixed = (digits: number) => (value: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 1 ? 3 : 2) : '-');

/** The figures of each phase, in the table's order. */
export const FIGURES: readonly Figure[] = [
  { name: 'per s', of: (l) => l.throughput, format: fixed(0) },
  { name: 'p50 ms', of: (l) => l.latency.p50, format: ms },
  { name: 'p90 ms', of: (l) => l.latency.p90, format: ms },
  { name: 'p99 ms', of: (l) => l.latency.p99, format: ms },
  { name: 'CPU µs/decision', of: (l) => l.cpuPerDecision, format: fixed(0) },
  {
    name: '  of which servers',
    of: (l) => (l.asks > 0 ? l.cpu.serversMicros / l.asks : Number.NaN),
    format: fixed(0),
  },
  {
    name: '  of which client',
    of: (l) => (l.asks > 0 ? l.cpu.clientMicros / l.asks : Number.NaN),
    format: fixed(0),
  },
];

/** The table's rows: one per phase and figure. */
export function comparisonRows(phases: readonly ComparedPhase[]): string[][] {
  const rows: string[][] = [];
  for (const { phase, etcd, genPaxos } of phases) {
    FIGURES.forEach((figure, i) => {
      const etcdValues = etcd.map(figure.of);
      const first = etcdValues[0] as number;
      const last = etcdValues[etcdValues.length - 1] as number;
      rows.push([
        i === 0 ? `${phase.label} (${phase.asks} asks)` : '',
        figure.name,
        figure.format(first),
        figure.format(figure.of(genPaxos)),
        etcdValues.length > 1 ? figure.format(last) : '-',
        fixed(2)(ratioToMean(figure.of(genPaxos), etcdValues)),
        etcdValues.length > 1 ? fixed(2)(ratioToMean(last, [first])) : '-',
      ]);
    });
  }
  return rows;
}

export function renderComparison(report: CompareReport): string {
  const floor = askFloor(report.floors);
  const sequential = report.phases.find((p) => p.phase.inFlight === 1);
  const errors = report.runs
    .map((r) => `${r.run.system} run ${r.run.pass} ${r.phases.reduce((sum, p) => sum + p.errors, 0)}`)
    .join(', ');
  const lines = [
    `gen-paxos vs etcd ${report.etcdVersion}, each 3 members on 127.0.0.1, durable (etcd: its default fsync; ` +
      `gen-paxos: LMDB), fresh keys, ${VALUE_BYTES}-byte values${report.quick ? ' (quick run)' : ''}`,
    'runs in this order, each on a fresh cluster: etcd (1st), gen-paxos, etcd (2nd)',
    `clients: one per member; etcd's asks go to their member (followers forward to the leader); ` +
      (report.genPaxosClient === 'routed'
        ? "gen-paxos's clients know every member and send each ask to its key's owner"
        : "gen-paxos's asks go to their member (non-owners forward to the key's owner)"),
    '',
    renderFloors(report.floors),
    '',
    formatTable(
      ['phase', 'figure', 'etcd 1st', 'gen-paxos', 'etcd 2nd', 'gen-paxos/etcd', 'etcd 2nd/1st'],
      comparisonRows(report.phases),
    ),
    '',
    "gen-paxos/etcd: gen-paxos's figure over the mean of etcd's two runs (above 1 is better for per s, " +
      'below 1 for ms and CPU).',
    'CPU µs/decision: user+system CPU time of the 3 server processes and of the client process, summed, ' +
      'per answered ask.',
    ...(sequential
      ? [
          `gen-paxos sequential p50 = ${fixed(2)(sequential.genPaxos.latency.p50 / floor)} × its floor ` +
            `(${ms(floor)} ms).`,
        ]
      : []),
    `errors: ${errors}`,
    '',
  ];
  return lines.join('\n');
}
