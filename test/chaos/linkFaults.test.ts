// The nemesis's link faults composed into per-node specs: partitions on both sides, a node
// nobody hears enforced by the receivers, one-way cuts by the sender, the worst loss and delay.
import { describe, expect, it } from 'vitest';
import { NO_LINK_FAULTS } from '../../src/transport/wire/frames.js';
import { nodesTouched, specsFor } from './linkFaults.js';

const ids = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('link faults as setFaults specs', () => {
  it('no faults: every node gets the empty spec', () => {
    expect(specsFor(ids, [])).toEqual(Object.fromEntries(ids.map((id) => [id, NO_LINK_FAULTS])));
  });

  it('a partition blocks both directions on both sides, and nothing inside a side', () => {
    const specs = specsFor(ids, [{ kind: 'partition', left: ['n1', 'n2'], right: ['n3', 'n4', 'n5'] }]);
    expect(specs.n1).toMatchObject({ blockOut: ['n3', 'n4', 'n5'], blockIn: ['n3', 'n4', 'n5'] });
    expect(specs.n4).toMatchObject({ blockOut: ['n1', 'n2'], blockIn: ['n1', 'n2'] });
  });

  it('asymmetric: every other node drops what the target sends; the target hears everyone', () => {
    const specs = specsFor(ids, [{ kind: 'asymmetric', target: 'n3' }]);
    expect(specs.n3).toEqual(NO_LINK_FAULTS);
    for (const id of ['n1', 'n2', 'n4', 'n5'])
      expect(specs[id]).toMatchObject({ blockOut: [], blockIn: ['n3'] });
    expect(nodesTouched(ids, { kind: 'asymmetric', target: 'n3' })).toEqual(['n1', 'n2', 'n4', 'n5']);
  });

  it('faults compose: union of blocks, the worst loss and delay', () => {
    const specs = specsFor(ids, [
      { kind: 'one-way', from: 'n1', to: 'n2' },
      { kind: 'partition', left: ['n1'], right: ['n2', 'n3', 'n4', 'n5'] },
      { kind: 'drop', target: 'n1', rate: 0.2 },
      { kind: 'drop', target: 'n1', rate: 0.4 },
      { kind: 'delay', target: 'n1', delayMs: 50, jitterMs: 10 },
      { kind: 'delay', target: 'n1', delayMs: 20, jitterMs: 90 },
    ]);
    expect(specs.n1).toEqual({
      blockOut: ['n2', 'n3', 'n4', 'n5'],
      blockIn: ['n2', 'n3', 'n4', 'n5'],
      dropRate: 0.4,
      delayMs: 50,
      jitterMs: 90,
      hold: false,
    });
    expect(specs.n2).toMatchObject({ blockOut: ['n1'], blockIn: ['n1'], dropRate: 0 });
  });
});
