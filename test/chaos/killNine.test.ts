// Issue 4: three node processes on 127.0.0.1, each with its own data directory; clients keep
// asking (many keys, some contended) while nodes are killed with SIGKILL at random moments —
// one, two or all three at once — and restarted on their data directories. After the last
// restart every node answers for every key, all nodes agree on every decided key, and every
// client that got an answer got that key's final value; the history passes the checker.
import { describe, expect, it } from 'vitest';
import { runChaos } from './chaosRun.js';
import { describeRun } from './summary.js';

describe('real processes: kill -9 while deciding, restart on the data directory', () => {
  it(
    'all nodes agree on every key, and every answer given is the final value',
    { timeout: 150_000 },
    async () => {
      const result = await runChaos({
        seed: 4,
        nodes: 3,
        chaosMs: 15_000,
        kinds: ['crash'],
        // Any number of nodes may be down at once: killing a majority, or all, is the hard case
        // for durability (only the disks remember the promises).
        nemesis: { maxUnavailable: 3, gapMs: [100, 1_000], durationMs: [0, 2_500] },
        workload: { connectionsPerNode: 1, workersPerConnection: 4, thinkMs: [10, 50] },
      });
      console.log(describeRun(result));
      if (result.violations.length > 0) console.log(`${result.verdict}\nkept in ${result.keptIn}`);
      expect(result.violations).toEqual([]);
      expect(result.faults.crash).toBeGreaterThanOrEqual(5);
      expect(result.counts.ok).toBeGreaterThan(50);
      // Answers given during the kills, each compared with the value every node holds at the end.
      expect(result.answersChecked).toBeGreaterThan(50);
      expect(result.decidedKeys).toBe(result.keys);
    },
  );
});
