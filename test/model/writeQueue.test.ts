// The model check with the effect runner's write queue modelled step by step: writes become
// durable later, one at a time, and clients read the nodes' stores in between. This is the
// configuration in which the checker rediscovers the runtime bug fixed in f35df3d (answers
// from writes not yet durable), kept here as its control case.
import { describe, expect, it } from 'vitest';
import { checkModel } from './check.js';
import { queuedWrites, readsSeePendingWrites, type Bounds } from './configs.js';

// One crash is what it takes to lose a write in flight; the restarted node's client does not
// ask again, and each proposer asks one value, which keeps the queued state space within the
// test's budget (run.ts goes further).
const bounds: Bounds = { maxRound: 1, maxCrashes: 1, reaskAfterRestart: false, values: 1 };

describe('model check with writes in flight', () => {
  it('is safe when clients only ever see durable records', () => {
    const check = checkModel(queuedWrites(bounds));
    console.log(`${check.summary}; ${check.nodeStates} distinct node states`);
    expect(check.machineErrors).toEqual([]);
    expect(check.result.verdict).toBe('safe');
    expect(check.result.states).toBeGreaterThanOrEqual(200_000);
  }, 240_000); // about 40 s on an idle 2-core machine; several times that under load

  it('(e) catches reads that see writes not yet durable: a client told A, the group chose B', () => {
    const check = checkModel(readsSeePendingWrites(bounds));
    console.log([check.summary, ...check.trace].join('\n'));
    expect(check.result.verdict).toBe('unsafe');
    expect(check.result.violation).toMatch(/^agreement violated/);
    const crash = check.trace.findIndex((line) => line.includes('crashes'));
    const read = check.trace.findIndex((line) => line.includes('client reads the store (latest'));
    expect(read).toBeGreaterThanOrEqual(0);
    expect(crash).toBeGreaterThan(read);
  });
});
