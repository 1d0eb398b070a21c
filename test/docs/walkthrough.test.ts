// The guided walk through one decision (docs/walkthrough.md) is a golden trace: the scenario
// runs, its trace must equal test/golden/one-decision.txt, and the doc must quote it exactly.
// To accept an intended change: UPDATE_GOLDEN=1 npx vitest run test/docs/walkthrough.test.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TestCluster } from '../support/cluster.js';
import { ClusterTracer } from '../support/trace.js';

const GOLDEN = new URL('../golden/one-decision.txt', import.meta.url);
const OWNER_GOLDEN = new URL('../golden/owner-path.txt', import.meta.url);
const DOC = new URL('../../docs/walkthrough.md', import.meta.url);

async function oneDecision(): Promise<string> {
  // The tracer needs the cluster and the cluster's inspect option needs the tracer; inspection
  // events only flow once the cluster starts, after both exist.
  const cluster: TestCluster = new TestCluster({
    size: 3,
    seed: 1,
    commitDelayMs: 1,
    // Every acceptor gets an instance, so the walk shows each node's state changes; the classic
    // protocol, both phases (the owner path has its own walk below).
    acceptorFastPath: false,
    ownerFastPath: false,
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

/** The owner path: 'size' is owned by a (ballot 0), 'colour' by b (a forwards its ask to b). */
async function ownerPath(): Promise<string> {
  const cluster: TestCluster = new TestCluster({
    size: 3,
    seed: 1,
    commitDelayMs: 1,
    acceptorFastPath: false,
    inspect: (id, e) => tracer.inspect(id, e),
  });
  const tracer = new ClusterTracer(cluster);
  await cluster.start();
  tracer.note('a', 'ask("size", "large")   — a owns "size"');
  tracer.note('a', `ask resolves with ${JSON.stringify(await cluster.ask('a', 'size', 'large'))}`);
  // Every node has the decision on disk (reads see it earlier: membership.md §8.2, rule 1).
  await cluster.runUntil(() =>
    cluster.members.every((id) => cluster.storages.get(id)?.loadDurable('size')?.decided),
  );
  tracer.note('a', 'ask("colour", "red")   — b owns "colour"');
  tracer.note('a', `ask resolves with ${JSON.stringify(await cluster.ask('a', 'colour', 'red'))}`);
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

  it('the owner path matches its golden trace, quoted in docs/walkthrough.md too', async () => {
    const trace = await ownerPath();
    if (process.env.UPDATE_GOLDEN || !existsSync(OWNER_GOLDEN)) writeFileSync(OWNER_GOLDEN, trace);
    expect(trace).toBe(readFileSync(OWNER_GOLDEN, 'utf8'));
    expect(readFileSync(DOC, 'utf8')).toContain('```text\n' + trace + '```');
  });
});
