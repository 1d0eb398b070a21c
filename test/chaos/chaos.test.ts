// Issue 5, item 4: five durable node processes on 127.0.0.1, clients asking and reading through
// the client protocol on every node, and a nemesis that kills (-9) and restarts nodes,
// SIGSTOPs them, partitions them and cuts, slows and thins their links — for about 25 s. Then
// everything heals, pending asks finish, every node answers for every key, and the history must
// pass the write-once register checker, its reads (quorum reads) checked for linearizability.
// `npm run chaos` runs the same thing for longer.
import { describe, expect, it } from 'vitest';
import { checkHistory } from '../support/history/checker.js';
import type { HistoryOp } from '../support/history/history.js';
import { runChaos } from './chaosRun.js';
import { answersNotFinal } from './finalAnswers.js';
import { NEMESIS_KINDS } from './nemesis.js';
import { describeRun, summarizeChaos } from './summary.js';

const SEED = 20_250_501;

describe('real-process chaos: 5 nodes, every kind of fault', () => {
  it('keeps every client answer consistent, and converges once healed', { timeout: 180_000 }, async () => {
    const result = await runChaos({
      seed: SEED,
      nodes: 5,
      chaosMs: 25_000,
      // Lighter clients than `npm run chaos`: this shares two cores with the rest of the suite.
      workload: { connectionsPerNode: 1, workersPerConnection: 4, thinkMs: [20, 80] },
    });
    console.log(`${describeRun(result)}\n${summarizeChaos([result])}`);
    if (result.violations.length > 0) console.log(`${result.verdict}\nkept in ${result.keptIn}`);
    expect(result.violations).toEqual([]);
    // Every kind of fault was injected while clients were getting answers.
    for (const kind of NEMESIS_KINDS) expect(result.faults[kind], kind).toBeGreaterThan(0);
    expect(result.counts.ok).toBeGreaterThan(100);
    expect(result.decidedKeys).toBe(result.keys);
    expect(result.keptIn).toBeNull();

    // Controls: the same checks on this real history with one answer forged must fail…
    const forged = forgeOneAnswer(result.history);
    expect(checkHistory(forged).violations.map((v) => v.rule)).toContain('agreement');
    // …and so must the quorum reads' check with one local read that had not learned the decision.
    const withStaleRead = addStaleRead(result.history);
    expect(checkHistory(withStaleRead, { reads: 'linearizable' }).violations.map((v) => v.rule)).toEqual([
      'stale-read',
    ]);
    expect(checkHistory(withStaleRead, { reads: 'local' }).valid).toBe(true);
    const finals = new Map(
      result.history.filter((op) => op.type === 'ok' && op.f === 'ask').map((op) => [op.key, op.value]),
    );
    expect(answersNotFinal(forged, finals).violations).toHaveLength(1);
  });
});

/** The history with a read saying "not decided" right after the first successful ask, on its key. */
function addStaleRead(history: readonly HistoryOp[]): HistoryOp[] {
  const at = history.findIndex((op) => op.type === 'ok' && op.f === 'ask');
  const ask = history[at] as HistoryOp;
  const read = { process: 'stale-local-reader', f: 'read', key: ask.key, value: null } as const;
  return [
    ...history.slice(0, at + 1),
    { ...read, type: 'invoke', time: ask.time },
    { ...read, type: 'ok', time: ask.time },
    ...history.slice(at + 1),
  ];
}

/** The history with the first successful ask of a key asked twice or more answered otherwise. */
function forgeOneAnswer(history: readonly HistoryOp[]): HistoryOp[] {
  const okAsks = history.filter((op) => op.type === 'ok' && op.f === 'ask');
  const target = okAsks.find((op) => okAsks.filter((other) => other.key === op.key).length > 1);
  if (!target) throw new Error('no key was answered twice');
  return history.map((op) => (op === target ? { ...op, value: 'forged' } : op));
}
