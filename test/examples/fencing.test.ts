// examples/fencing.ts runs: the old leader, paused past its lease with a write in flight, is
// refused by the fenced store once a new leader has written with a higher epoch.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFencingExample } from '../../examples/fencing.js';

describe('examples/fencing.ts', () => {
  it("refuses the paused old leader's late write, keeps the new leader's", async () => {
    const outcome = await runFencingExample();
    expect(outcome.oldLeader).not.toBe(outcome.newLeader);
    expect(outcome.newEpoch).toBeGreaterThan(outcome.oldEpoch);
    expect(outcome.lateWrite).toEqual({
      ok: false,
      code: 'LEADER_ERR_STALE_EPOCH',
      highestEpoch: outcome.newEpoch,
    });
    expect(outcome.store).toEqual({ x: '3' });
    expect(outcome.storeLog).toEqual([
      `accepted x=1 (epoch ${outcome.oldEpoch})`,
      `accepted x=3 (epoch ${outcome.newEpoch})`,
      `refused  x=2 (epoch ${outcome.oldEpoch} < ${outcome.newEpoch})`,
    ]);
    // Resumed, the old leader reads its clock and knows its lease is over.
    expect(outcome.oldLeaderStillLeads).toBe(false);
    expect(outcome.narrative.join('\n')).toMatch(/steps down from epoch 1 \(expired\)/);
  });

  it('is quoted as it runs in docs/leader.md', async () => {
    const outcome = await runFencingExample();
    const doc = readFileSync(new URL('../../docs/leader.md', import.meta.url), 'utf8');
    expect(doc).toContain('```text\n' + outcome.narrative.join('\n') + '\n```');
  });
});
