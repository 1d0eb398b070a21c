// The teaching view of an election (docs/leader.md): a recorded deterministic run of three
// nodes — start-up probes, the first election, renewals, the leader's crash and the takeover —
// shown slot by slot with the states each node's Paxos instance went through. The run's view
// must equal test/golden/election.txt and the doc must quote it verbatim.
// To accept an intended change: UPDATE_GOLDEN=1 npx vitest run test/docs/election.test.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { describeRecord, readLeaseRecord, slotOfKey } from '../../src/leader/leaseRecord.js';
import { formatBallot } from '../../src/paxos/ballot.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { startLeader, type GenLeader } from '../../src/leader/startLeader.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { TestCluster } from '../support/cluster.js';
import { runFor, runUntil } from '../support/settle.js';

const GOLDEN = new URL('../golden/election.txt', import.meta.url);
const DOC = new URL('../../docs/leader.md', import.meta.url);
const GROUP = 'election';

async function recordElection(): Promise<string> {
  const states = new Map<string, string[]>(); // "slot/node" → states
  const inspect = (node: string, event: InspectionEvent) => {
    if (event.type !== '@xstate.snapshot') return;
    const snapshot = event.snapshot as { value?: unknown; context?: { key?: unknown } };
    if (typeof snapshot.value !== 'string' || typeof snapshot.context?.key !== 'string') return;
    const slot = slotOfKey(GROUP, snapshot.context.key);
    if (slot === null) return;
    const seen = states.get(`${slot}/${node}`) ?? [];
    if (seen.at(-1) !== snapshot.value) seen.push(snapshot.value);
    states.set(`${slot}/${node}`, seen);
  };
  // Live instances only: this view tells them apart from the votes taken without one (below),
  // which inspection would otherwise show as their instance would be.
  const cluster = new TestCluster({
    size: 3,
    seed: 1,
    commitDelayMs: 1,
    inspect,
    inspectInstanceLess: false,
  });
  // What a node's acceptor wrote for a slot it ran no instance for (the acceptor fast path).
  const votes = new Map<string, string[]>();
  for (const [id, storage] of cluster.storages) {
    const last = new Map<string, KeyRecord>();
    storage.observe((event) => {
      if (event.type !== 'write') return;
      const slot = slotOfKey(GROUP, event.key);
      if (slot === null) return;
      const r = event.record;
      const before = last.get(event.key)?.accepted?.ballot ?? null;
      const step = r.decided
        ? 'decided'
        : r.accepted && formatBallot(before) !== formatBallot(r.accepted.ballot)
          ? `accepted ${formatBallot(r.accepted.ballot)}`
          : `promised ${formatBallot(r.promised)}`;
      last.set(event.key, r);
      const seen = votes.get(`${slot}/${id}`) ?? [];
      if (seen.at(-1) !== step) seen.push(step);
      votes.set(`${slot}/${id}`, seen);
    });
  }
  const crashedAt = new Map<string, number>();
  await cluster.start();
  const timeline: string[] = [];
  const at = () => String(cluster.clock.now()).padStart(5);
  const leaders = new Map<string, GenLeader>();
  for (const [i, id] of cluster.members.entries()) {
    leaders.set(
      id,
      startLeader(GROUP, {
        paxos: cluster.node(id),
        candidates: cluster.members,
        leaseMs: 1000,
        driftBound: 0.01,
        clock: cluster.clock,
        random: seededRandom(i + 1),
        elected: (e) =>
          timeline.push(
            `${at()} ms  ${e.node}  elected: epoch ${e.epoch}, slot ${e.slot}, leads until ${e.untilMs} ms`,
          ),
        renewed: (e) =>
          timeline.push(
            `${at()} ms  ${e.node}  renewed: epoch ${e.epoch}, slot ${e.slot}, leads until ${e.untilMs} ms`,
          ),
        surrendered: (e) =>
          timeline.push(`${at()} ms  ${e.node}  surrendered to ${e.leader} (epoch ${e.epoch})`),
        steppedDown: (e) =>
          timeline.push(`${at()} ms  ${e.node}  stepped down from epoch ${e.epoch} (${e.reason})`),
      }),
    );
  }
  const leading = () => [...leaders.values()].filter((l) => l.isLeader());
  await runUntil(cluster.clock, () => leading().length === 1);
  await runFor(cluster.clock, 600); // one renewal
  const first = leading()[0] as GenLeader;
  timeline.push(`${at()} ms  ${first.id}  CRASHES`);
  crashedAt.set(first.id, cluster.clock.now());
  first.halt();
  cluster.crash(first.id);
  await runUntil(cluster.clock, () => leading().length === 1, { maxVirtualMs: 5_000 });
  await runFor(cluster.clock, 600); // the new leader's first renewal
  const decided = new Map<number, string>();
  for (const id of cluster.members) {
    const node = cluster.running.find((n) => n.id === id);
    for (let slot = 1; node && slot < 100; slot++) {
      const value = node.read(`lease/${GROUP}/${slot}`);
      if (value === undefined) break;
      decided.set(slot, describeRecord(readLeaseRecord(GROUP, slot, value)));
    }
  }
  for (const l of leaders.values()) l.halt();
  await cluster.stop();

  const lines = [
    'Leader events (times on the one virtual clock; "until" is on the leader\'s clock):',
    ...timeline,
    '',
  ];
  lines.push(
    "Each slot of the lease log, what it was decided to, and the states of each node's instance for it:",
  );
  for (const [slot, record] of [...decided].sort((a, b) => a[0] - b[0])) {
    lines.push(`slot ${slot}: ${record}`);
    for (const id of cluster.members) {
      const seen = states.get(`${slot}/${id}`);
      const voted = votes.get(`${slot}/${id}`);
      const line = seen
        ? seen.join(' → ')
        : voted
          ? `no instance; acceptor fast path: ${voted.join(' → ')}`
          : crashedAt.has(id)
            ? `down (crashed at ${crashedAt.get(id)} ms)`
            : 'no instance';
      lines.push(`  ${id}  ${line}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('teaching view: an election, slot by slot', () => {
  it('matches the golden trace', async () => {
    const view = await recordElection();
    if (process.env.UPDATE_GOLDEN || !existsSync(GOLDEN)) writeFileSync(GOLDEN, view);
    expect(view).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('is quoted verbatim in docs/leader.md', () => {
    const golden = readFileSync(GOLDEN, 'utf8');
    expect(readFileSync(DOC, 'utf8')).toContain('```text\n' + golden + '```');
  });
});
