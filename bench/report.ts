// The benchmark's table: each figure beside its floor, measured in the same run.
import { formatTable } from '../src/cli/table.js';
import type { LatencySummary } from '../src/inspect/percentiles.js';
import type { ContendedResult, MeasuredLoad } from './scenarios.js';

export interface Floors {
  readonly roundTrip: LatencySummary;
  readonly commit: LatencySummary;
}

/** A load phase with what it cost the cluster per decision. */
export interface CountedLoad extends MeasuredLoad {
  /** Envelopes the nodes sent each other (every node's `wire.envelopesSent`), per answered ask. */
  readonly messagesPerDecision: number;
  /** Storage commits (each an fsync) of every node (`storage.commits`), per answered ask. */
  readonly commitsPerDecision: number;
  /** Ballots started beyond a key's first (every node's `node.retries`), per answered ask. */
  readonly retriesPerDecision: number;
}

export interface BenchReport {
  readonly nodes: number;
  readonly quick: boolean;
  readonly floors: Floors;
  readonly sequential: CountedLoad;
  readonly concurrent: readonly (CountedLoad & { readonly inFlight: number })[];
  readonly contended: ContendedResult;
  readonly decided: {
    readonly remote: { readonly reAsk: LatencySummary; readonly read: LatencySummary };
    readonly inProcess: { readonly reAsk: LatencySummary; readonly read: LatencySummary };
  };
  readonly memory: readonly {
    readonly decidedKeys: number;
    readonly perNode: readonly {
      readonly node: string;
      readonly rssMb: number;
      /** Of the RSS, the file-backed part (LMDB's map of the database); absent off Linux. */
      readonly fileMb?: number;
      readonly liveInstances: number;
    }[];
  }[];
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 1 ? 3 : 2) : '-');
const micros = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '-');
const ratio = (value: number, floor: number) =>
  floor > 0 && Number.isFinite(value) ? `${(value / floor).toFixed(2)}×` : '-';

/**
 * The floor of a fresh ask through a client: the client's round trip, then two phases, each a round
 * trip to the acceptors with a durable write before they reply.
 */
export function askFloor(floors: Floors): number {
  return 3 * floors.roundTrip.p50 + 2 * floors.commit.p50;
}

/**
 * The floor of a fresh ask on the owner path, as a routing client sends it: the client's round trip
 * to the key's owner, and the owner's round 0, one round trip to the other members with their
 * durable writes in parallel (docs/fast-path.md). The p50/floor column keeps `askFloor`, so that
 * figures stay comparable with earlier runs.
 */
export function ownerPathFloor(floors: Floors): number {
  return 2 * floors.roundTrip.p50 + floors.commit.p50;
}

/** The floors, as measured in this run, and the fresh ask's floors made of them. */
export function renderFloors(floors: Floors): string {
  return formatTable(
    ['floor (measured now)', 'p50 ms', 'p90 ms', 'p99 ms'],
    [
      [
        'WebSocket + msgpack round trip, two processes',
        ms(floors.roundTrip.p50),
        ms(floors.roundTrip.p90),
        ms(floors.roundTrip.p99),
      ],
      [
        'storage commit (fsync), one writer',
        ms(floors.commit.p50),
        ms(floors.commit.p90),
        ms(floors.commit.p99),
      ],
      ['fresh ask = 3 round trips + 2 commits', ms(askFloor(floors)), '', ''],
      ['owner path = 2 round trips + 1 commit (routed ask)', ms(ownerPathFloor(floors)), '', ''],
    ],
  );
}

export function renderReport(report: BenchReport): string {
  const rtt = report.floors.roundTrip.p50;
  const floor = askFloor(report.floors);
  const rows: string[][] = [];
  const row = (
    name: string,
    asks: number,
    perSecond: number,
    l: LatencySummary,
    floor: number,
    cpuPerDecision = Number.NaN,
  ) =>
    rows.push([
      name,
      String(asks),
      perSecond.toFixed(0),
      ms(l.p50),
      ms(l.p90),
      ms(l.p99),
      ratio(l.p50, floor),
      micros(cpuPerDecision),
    ]);
  row(
    'sequential fresh ask, 1 client',
    report.sequential.asks,
    report.sequential.throughput,
    report.sequential.latency,
    floor,
    report.sequential.cpuPerDecision,
  );
  for (const c of report.concurrent)
    row(`fresh asks, ${c.inFlight} in flight`, c.asks, c.throughput, c.latency, floor, c.cpuPerDecision);
  const hot = report.contended;
  row(`contended: ${report.nodes} nodes ask each key`, hot.keys, hot.keysPerSecond, hot.latency, floor);
  const { remote, inProcess } = report.decided;
  row('re-ask a decided key (client)', remote.reAsk.count, 1000 / remote.reAsk.p50, remote.reAsk, rtt);
  row('read a decided key (client)', remote.read.count, 1000 / remote.read.p50, remote.read, rtt);
  row(
    're-ask a decided key (in-process)',
    inProcess.reAsk.count,
    1000 / inProcess.reAsk.p50,
    inProcess.reAsk,
    Number.NaN,
  );
  row(
    'read a decided key (in-process)',
    inProcess.read.count,
    1000 / inProcess.read.p50,
    inProcess.read,
    Number.NaN,
  );

  const lines = [
    `gen-paxos benchmark: ${report.nodes} node processes on 127.0.0.1, LMDB (fsync'd group commits), WebSocket links${report.quick ? ' (quick run)' : ''}`,
    '',
    renderFloors(report.floors),
    '',
    formatTable(
      ['scenario', 'asks', 'per s', 'p50 ms', 'p90 ms', 'p99 ms', 'p50/floor', 'CPU µs/decision'],
      rows,
    ),
    '',
    'CPU µs/decision: user+system CPU time of every node process and of the client process, summed, per answered ask.',
    '',
    renderCosts(report),
    '',
    `contended keys: ${hot.retriesPerDecision.toFixed(2)} retries per decision, ${hot.disagreements} disagreements`,
    '',
    renderMemory(report.memory),
    '',
  ];
  return lines.join('\n');
}

/** What each fresh-ask phase cost per decision: CPU (split), messages between nodes, retries. */
export function renderCosts(report: BenchReport): string {
  const phases: [string, CountedLoad][] = [
    ['sequential, 1 client', report.sequential],
    ...report.concurrent.map((c): [string, CountedLoad] => [`${c.inFlight} in flight`, c]),
  ];
  return formatTable(
    [
      'cost per decision',
      'CPU µs',
      'servers µs',
      'client µs',
      'per member µs',
      'messages',
      'commits',
      'retries',
    ],
    phases.map(([name, load]) => {
      const asks = Math.max(1, load.asks);
      return [
        name,
        micros(load.cpuPerDecision),
        micros(load.cpu.serversMicros / asks),
        micros(load.cpu.clientMicros / asks),
        micros(load.cpu.serversMicros / asks / report.nodes),
        load.messagesPerDecision.toFixed(2),
        load.commitsPerDecision.toFixed(2),
        load.retriesPerDecision.toFixed(3),
      ];
    }),
  );
}

/**
 * Each node's memory after so many decided keys: its RSS, and the file-backed part of it (LMDB's
 * map of the database, page cache the kernel can drop; storage.md), so that a larger heap and a
 * larger database can be told apart.
 */
export function renderMemory(memory: BenchReport['memory']): string {
  return formatTable(
    ['decided keys', 'node', 'RSS MB', 'of it file-backed MB', 'live instances'],
    memory.flatMap((m) =>
      m.perNode.map((p) => [
        String(m.decidedKeys),
        p.node,
        p.rssMb.toFixed(0),
        p.fileMb === undefined ? '-' : p.fileMb.toFixed(0),
        String(p.liveInstances),
      ]),
    ),
  );
}
