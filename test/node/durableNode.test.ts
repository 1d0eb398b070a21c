// Nodes on data directories (startLink's `dataDir`): decisions survive a restart of the whole
// group and are answered from disk; values accepted but undecided before the restart are pushed
// to a decision without anyone asking again; a directory of another node is refused.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES } from '../../src/base/errors.js';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { LmdbStorage } from '../../src/storage/lmdbStorage.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { tempDirs } from '../storage/tempDir.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const members = ['a', 'b', 'c'];
const FAST = { phaseTimeoutMs: 20, takeoverMs: 20, backoffMaxMs: 100 };

async function startGroup(dataDirs: Record<string, string>): Promise<GenPaxosNode[]> {
  const network = createMemoryNetwork();
  return Promise.all(
    members.map((id) =>
      startLink({
        id,
        members,
        transport: network.connect(id),
        dataDir: dataDirs[id] as string,
        timing: FAST,
      }),
    ),
  );
}

function stopAll(nodes: readonly GenPaxosNode[]): Promise<void[]> {
  return Promise.all(nodes.map((node) => node.stop()));
}

describe('a node with a data directory', () => {
  it('answers decided keys from disk after the whole group restarted', async () => {
    const dataDirs = Object.fromEntries(members.map((id) => [id, dirs.next(id)]));
    const nodes = await startGroup(dataDirs);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (nodes[i % 3] as GenPaxosNode).ask(`k${i}`, `v${i}`)),
    );
    await stopAll(nodes);

    const restarted = await startGroup(dataDirs);
    // Each asker persisted the decision before it stopped: it answers from disk at once.
    for (let i = 0; i < 30; i++) {
      const asker = restarted[i % 3] as GenPaxosNode;
      expect(asker.read(`k${i}`)).toBe(answers[i]);
      expect(asker.stateOf(`k${i}`)).toBe('decided');
    }
    // The others may have stopped before the decide reached them; they resumed those keys.
    await vi.waitFor(() => {
      for (const node of restarted) {
        for (let i = 0; i < 30; i++) expect(node.read(`k${i}`)).toBe(answers[i]);
        expect(node.stats.liveInstances).toBe(0);
      }
    }, 10_000);
    expect(await (restarted[1] as GenPaxosNode).ask('k4', 'another value')).toBe(answers[4]);
    await stopAll(restarted);
  });

  it('pushes a value accepted before the restart to a decision without a new ask', async () => {
    const dataDirs = Object.fromEntries(members.map((id) => [id, dirs.next(id)]));
    // Before the restart, a's ballot 1 was accepted by a and b, and nobody learned the outcome.
    const accepted: KeyRecord = {
      promised: { round: 1, node: 'a' },
      accepted: { ballot: { round: 1, node: 'a' }, value: 'chosen' },
      decided: null,
    };
    for (const id of ['a', 'b']) {
      const storage = new LmdbStorage({ path: dataDirs[id] as string, nodeId: id });
      await storage.open();
      await storage.write('pending', accepted);
      await storage.close();
    }

    const nodes = await startGroup(dataDirs);
    await vi.waitFor(() => {
      for (const node of nodes) expect(node.read('pending')).toBe('chosen');
    }, 10_000);
    await stopAll(nodes);
  });

  it('refuses the data directory of another node', async () => {
    const path = dirs.next('a');
    const network = createMemoryNetwork();
    const a = await startLink({ id: 'a', members, transport: network.connect('a'), dataDir: path });
    await a.stop();
    await expect(
      startLink({ id: 'b', members, transport: network.connect('b'), dataDir: path }),
    ).rejects.toMatchObject({ code: ERROR_CODES.WRONG_DATA_DIR });
  });

  it('takes either storage or dataDir, not both, and not an empty path', async () => {
    const network = createMemoryNetwork();
    const transport = network.connect('a');
    await expect(
      startLink({ id: 'a', members, transport, dataDir: dirs.next(), storage: new MemoryStorage() }),
    ).rejects.toMatchObject({ code: ERROR_CODES.BAD_OPTION });
    await expect(startLink({ id: 'a', members, transport, dataDir: '' })).rejects.toMatchObject({
      code: ERROR_CODES.BAD_OPTION,
    });
  });
});
