// The embedding example runs: three user machines, each with a gen-paxos node spawned inside
// it, elect exactly one leader and agree on who it is.
import { describe, expect, it } from 'vitest';
import { electLeader } from '../../examples/embedding.js';

describe('examples/embedding.ts', () => {
  it('elects exactly one leader, and every candidate agrees on it', async () => {
    const outcomes = await electLeader();
    expect(outcomes).toHaveLength(3);
    const leaders = outcomes.filter((o) => o.state === 'leading');
    expect(leaders).toHaveLength(1);
    expect(outcomes.every((o) => o.leader === leaders[0]?.id)).toBe(true);
    expect(outcomes.filter((o) => o.state === 'following').map((o) => o.id)).not.toContain(leaders[0]?.id);
  });
});
