// /metrics parses as Prometheus text (checked by an independent parser) and its counters move
// as keys are decided.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { renderNodeMetrics } from '../../src/inspect/nodeMetrics.js';
import { ownerOf } from '../../src/paxos/owner.js';
import { renderPrometheus } from '../../src/inspect/prometheus.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

interface ParsedFamily {
  name: string;
  type: string;
  metrics: {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
}

function parse(text: string): Map<string, ParsedFamily> {
  const families = parsePrometheusTextFormat(text) as ParsedFamily[];
  return new Map(families.map((f) => [f.name, f]));
}

function value(
  families: Map<string, ParsedFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const metric = families
    .get(name)
    ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  // The parser drops _count of labelled histograms; the +Inf bucket holds the same count.
  return Number(metric?.value ?? metric?.count ?? metric?.buckets?.['+Inf'] ?? Number.NaN);
}

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('node metrics', () => {
  it('parse as Prometheus text, and the counters move as keys are decided', async () => {
    cluster = await startCluster({ size: 3, seed: 21 });
    const before = parse(renderNodeMetrics(cluster.node('a')));
    expect(value(before, 'paxos_asks_started_total')).toBe(0);
    expect(before.get('paxos_ask_duration_seconds')?.type).toBe('HISTOGRAM');

    await cluster.settle(Array.from({ length: 10 }, (_, i) => cluster!.node('a').ask(`k${i}`, i)));
    await cluster.settle([cluster.node('b').ask('k0', 'late'), cluster.node('c').ask('contended', 'c')]);
    cluster.network.partition(['a'], ['b', 'c']);
    await cluster.settle([cluster.node('a').ask('lonely', 1, { timeoutMs: 500 })]);

    const after = parse(renderNodeMetrics(cluster.node('a')));
    expect(value(after, 'paxos_asks_started_total', { node: 'a' })).toBe(11);
    expect(value(after, 'paxos_asks_decided_total')).toBe(10);
    expect(value(after, 'paxos_asks_timed_out_total')).toBe(1);
    expect(value(after, 'paxos_asks_failed_total', { code: 'PAXOS_ERR_TIMEOUT' })).toBe(1);
    expect(value(after, 'paxos_ask_duration_seconds')).toBe(10);
    expect(value(after, 'paxos_decisions_total')).toBeGreaterThanOrEqual(10);
    // a proposes the keys it owns (ballot 0) — its own asks and those forwarded to it, like c's
    // 'contended' — and forwards its other asks to their owners.
    const owned = [...Array.from({ length: 10 }, (_, i) => `k${i}`), 'contended'].filter(
      (k) => ownerOf(k, cluster!.members) === 'a' && cluster!.node('a').read(k) !== undefined,
    );
    expect(owned.length).toBeGreaterThan(0);
    expect(value(after, 'paxos_decision_rounds')).toBe(owned.length);
    expect(value(after, 'paxos_ballots_started_total')).toBeGreaterThanOrEqual(owned.length + 1);
    expect(value(after, 'paxos_retries_total')).toBeGreaterThan(0);
    // At least: per key a proposed, a propose and a decide to each of its 2 peers; per key it
    // forwarded, the forward and its acknowledgement of the owner's propose.
    const forwarded = Array.from({ length: 10 }, (_, i) => `k${i}`).filter(
      (k) => ownerOf(k, cluster!.members) !== 'a',
    );
    expect(value(after, 'paxos_messages_sent_total')).toBeGreaterThanOrEqual(
      4 * owned.length + 2 * forwarded.length,
    );
    expect(value(after, 'paxos_storage_commits_total')).toBeGreaterThan(0);
    expect(value(after, 'paxos_storage_keys_per_commit')).toBe(value(after, 'paxos_storage_commits_total'));
    // 'lonely' is still trying; 'contended' is still live on a if the partition cut its decide.
    const undecidedHere = ['lonely', 'contended'].filter((key) => cluster!.node('a').read(key) === undefined);
    expect(value(after, 'paxos_live_instances')).toBe(undecidedHere.length);
  });
});

describe('Prometheus exposition', () => {
  it('escapes label values and help text, and renders cumulative histogram buckets', () => {
    const text = renderPrometheus(
      [
        {
          name: 'x_total',
          help: 'a \\ b\nc',
          type: 'counter',
          samples: [{ labels: { reason: 'say "hi"\n' }, value: 3 }],
        },
        {
          name: 'h',
          help: 'h',
          type: 'histogram',
          samples: [
            {
              histogram: { upperBounds: [1, 10], counts: [2, 3, 1], count: 6, sum: 40, max: 20 },
              scale: 0.5,
            },
          ],
        },
      ],
      { node: 'a' },
    );
    expect(text).toContain('# HELP x_total a \\\\ b\\nc');
    expect(text).toContain('x_total{node="a",reason="say \\"hi\\"\\n"} 3');
    expect(text).toContain(
      'h_bucket{node="a",le="0.5"} 2\nh_bucket{node="a",le="5"} 5\nh_bucket{node="a",le="+Inf"} 6',
    );
    expect(text).toContain('h_sum{node="a"} 20\nh_count{node="a"} 6');
    const parsed = parse(text);
    expect(parsed.get('x_total')?.metrics[0]?.labels?.reason).toBe('say "hi"\n');
  });
});
