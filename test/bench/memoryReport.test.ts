// The bench's memory table: RSS beside its file-backed part (LMDB's map), '-' where a node could
// not tell (off Linux).
import { describe, expect, it } from 'vitest';
import { renderMemory } from '../../bench/report.js';

describe('the memory table', () => {
  it('prints the file-backed part of each RSS, and a dash where it is unknown', () => {
    const text = renderMemory([
      {
        decidedKeys: 1_000_000,
        perNode: [
          { node: 'n1', rssMb: 334.6, fileMb: 216.2, liveInstances: 0 },
          { node: 'n2', rssMb: 331.2, liveInstances: 2 },
        ],
      },
    ]);
    const [header, , first, second] = text.split('\n');
    expect(header?.split(/\s{2,}/)).toEqual([
      'decided keys',
      'node',
      'RSS MB',
      'of it file-backed MB',
      'live instances',
    ]);
    expect(first?.trim().split(/\s+/)).toEqual(['1000000', 'n1', '335', '216', '0']);
    expect(second?.trim().split(/\s+/)).toEqual(['1000000', 'n2', '331', '-', '2']);
  });
});
