// A membership change on nodes with data directories (LMDB): the adopted chain, the fence and the
// complete epoch survive a restart of the whole group, which then runs the new configuration
// whatever member list it is started with; the keys decided before the change keep their values.
// Real timers on a memory network (real disks make virtual time pointless here).
import { afterAll, describe, expect, it } from 'vitest';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { tempDirs } from '../storage/tempDir.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const FAST = { phaseTimeoutMs: 20, takeoverMs: 20, backoffMaxMs: 100 };

async function start(
  ids: readonly string[],
  dataDirs: Record<string, string>,
  join: readonly string[] = [],
): Promise<Map<string, GenPaxosNode>> {
  const network = createMemoryNetwork();
  const nodes = await Promise.all(
    ids.map((id) =>
      startLink({
        id,
        members: join.includes(id) ? [id] : ['a', 'b', 'c'],
        join: join.includes(id),
        transport: network.connect(id),
        dataDir: dataDirs[id] as string,
        timing: FAST,
        catchup: false,
      }),
    ),
  );
  return new Map(nodes.map((node) => [node.id, node]));
}

describe('a membership change on data directories', () => {
  it('survives a restart of the whole group', async () => {
    const dataDirs = Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, dirs.next(id)]));
    const first = await start(['a', 'b', 'c', 'd'], dataDirs, ['d']);
    for (let i = 0; i < 10; i++) await first.get('a')!.ask(`k${i}`, `v${i}`);
    const view = await first.get('b')!.changeMembers({ add: { id: 'd', url: 'mem://d' } });
    expect(view).toMatchObject({ config: 2, epoch: 1, complete: true });
    // Every member learns the completion (the changer pushes it): wait for it before stopping.
    for (const node of first.values())
      await expect.poll(() => node.internals.membership.completeEpoch, { timeout: 5000 }).toBe(1);
    await Promise.all([...first.values()].map((node) => node.stop()));

    // Restarted with the old member list (and d without join): the stores' chain wins.
    const network = createMemoryNetwork();
    const again = await Promise.all(
      ['a', 'b', 'c', 'd'].map((id) =>
        startLink({
          id,
          members: id === 'd' ? ['d'] : ['a', 'b', 'c'],
          transport: network.connect(id),
          dataDir: dataDirs[id] as string,
          timing: FAST,
          catchup: false,
        }),
      ),
    );
    for (const node of again) {
      expect(await node.members()).toMatchObject({ config: 2, epoch: 1, complete: true });
      expect(node.internals.membership.fence).toBe(1);
    }
    const d = again[3] as GenPaxosNode;
    for (let i = 0; i < 10; i++) expect(await d.read(`k${i}`, { quorum: true })).toBe(`v${i}`);
    expect(await d.ask('after', 'x')).toBe('x');
    await Promise.all(again.map((node) => node.stop()));
  });
});
