// The guided walk through one decision (docs/walkthrough.md) is a golden trace: the scenario
// runs, its trace must equal test/golden/one-decision.txt, and the doc must quote it exactly.
// To accept an intended change: UPDATE_GOLDEN=1 npx vitest run test/docs/walkthrough.test.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TestCluster } from '../support/cluster.js';
import { ClusterTracer } from '../support/trace.js';

const GOLDEN = new URL('../golden/one-decision.txt', import.meta.url);
const DOC = new URL('../../docs/walkthrough.md', import.meta.url);

async function oneDecision(): Promise<string> {
  // The tracer needs the cluster and the cluster's inspect option needs the tracer; inspection
  // events only flow once the cluster starts, after both exist.
  const cluster: TestCluster = new TestCluster({
    size: 3,
    seed: 1,
    commitDelayMs: 1,
    inspect: (id, e) => tracer.inspect(id, e),
  });
  const tracer = new ClusterTracer(cluster);
  await cluster.start();
  tracer.note('a', 'ask("colour", "red")');
  const decided = await cluster.ask('a', 'colour', 'red');
  tracer.note('a', `ask resolves with ${JSON.stringify(decided)}`);
  await cluster.runUntil(() => cluster.clock.pendingTimers === 0);
  await cluster.stop();
  return `${tracer.lines.join('\n')}\n`;
}

describe('guided walk: one decision, 3 nodes, one ask', () => {
  it('matches the golden trace', async () => {
    const trace = await oneDecision();
    if (process.env.UPDATE_GOLDEN || !existsSync(GOLDEN)) writeFileSync(GOLDEN, trace);
    expect(trace).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('is quoted verbatim in docs/walkthrough.md', () => {
    const golden = readFileSync(GOLDEN, 'utf8');
    expect(readFileSync(DOC, 'utf8')).toContain('```text\n' + golden + '```');
  });
});
