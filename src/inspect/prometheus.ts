// The Prometheus text exposition format (version 0.0.4), rendered from plain metric families.
// Each layer keeps its own counters and fixed-bucket histograms as plain data; this file only
// formats them, so nothing keeps a second copy of any metric.
import type { HistogramSnapshot } from '../base/histogram.js';

export type Labels = Readonly<Record<string, string>>;

export type MetricFamily =
  | {
      readonly name: string;
      readonly help: string;
      readonly type: 'counter' | 'gauge';
      readonly samples: readonly { readonly labels?: Labels; readonly value: number }[];
    }
  | {
      readonly name: string;
      readonly help: string;
      readonly type: 'histogram';
      /** `scale` converts the snapshot's unit to the metric's (0.001: milliseconds to seconds). */
      readonly samples: readonly {
        readonly labels?: Labels;
        readonly histogram: HistogramSnapshot;
        readonly scale?: number;
      }[];
    };

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}`;
}

/** The exposition text of `families`, each sample carrying `common` labels too. */
export function renderPrometheus(families: readonly MetricFamily[], common: Labels = {}): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type !== 'histogram') {
      for (const sample of family.samples) {
        lines.push(
          `${family.name}${formatLabels({ ...common, ...sample.labels })} ${formatNumber(sample.value)}`,
        );
      }
      continue;
    }
    for (const { labels, histogram, scale = 1 } of family.samples) {
      const base = { ...common, ...labels };
      let cumulative = 0;
      histogram.upperBounds.forEach((bound, i) => {
        cumulative += histogram.counts[i] ?? 0;
        lines.push(
          `${family.name}_bucket${formatLabels({ ...base, le: formatNumber(bound * scale) })} ${cumulative}`,
        );
      });
      lines.push(`${family.name}_bucket${formatLabels({ ...base, le: '+Inf' })} ${histogram.count}`);
      lines.push(`${family.name}_sum${formatLabels(base)} ${formatNumber(histogram.sum * scale)}`);
      lines.push(`${family.name}_count${formatLabels(base)} ${histogram.count}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
