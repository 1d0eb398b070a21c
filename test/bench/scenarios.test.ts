// The load scenarios against made-up askers: which keys and values they ask, through which member,
// and how answers and failures are counted. No cluster; no figure of time is asserted.
import { describe, expect, it } from 'vitest';
import { benchValue } from '../../bench/compare/plan.js';
import { concurrent, sequential, type Asker } from '../../bench/scenarios.js';

function recordingAskers(count: number, failKey?: string) {
  const asked: { member: number; key: string; value: unknown }[] = [];
  const askers: Asker[] = Array.from({ length: count }, (_, member) => ({
    ask: async (key, value) => {
      asked.push({ member, key, value });
      await Promise.resolve();
      if (key === failKey) throw new Error('refused');
      return value;
    },
  }));
  return { asked, askers };
}

describe('sequential', () => {
  it('asks fresh keys one after the other, with the value given for each', async () => {
    const { asked, askers } = recordingAskers(1, 'p-3');
    const result = await sequential(askers[0] as Asker, 'p', 5, { value: benchValue });
    expect(asked.map((a) => a.key)).toEqual(['p-0', 'p-1', 'p-2', 'p-3', 'p-4']);
    expect(asked.map((a) => a.value)).toEqual([0, 1, 2, 3, 4].map(benchValue));
    expect(result.asks).toBe(4);
    expect(result.errors).toBe(1);
    expect(result.latency.count).toBe(4);
  });

  it('asks the key number itself by default, as npm run bench always has', async () => {
    const { asked, askers } = recordingAskers(1);
    await sequential(askers[0] as Asker, 'p', 2);
    expect(asked.map((a) => a.value)).toEqual([0, 1]);
  });
});

describe('concurrent', () => {
  it('asks every key once, worker w always through member w mod n', async () => {
    const { asked, askers } = recordingAskers(3);
    const result = await concurrent(askers, 'c', 5, 50, { value: benchValue });
    expect(result.asks).toBe(50);
    expect(new Set(asked.map((a) => a.key)).size).toBe(50);
    // 5 workers over 3 members: workers 0 and 3 use member 0, 1 and 4 member 1, 2 member 2.
    const perMember = [0, 1, 2].map((m) => asked.filter((a) => a.member === m).length);
    expect(perMember).toEqual([20, 20, 10]);
    for (const a of asked) expect(a.value).toBe(benchValue(Number(a.key.slice(2))));
  });
});
