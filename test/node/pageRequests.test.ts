// A peer's catch-up requests, as the node answers them (nodeRequests.ts pageReply): a page of the
// decided log, a page in key order, each within the node's own limits, and a clear refusal of a
// request with missing or wrong fields.
import { describe, expect, it } from 'vitest';
import type { KeySupervisor } from '../../src/node/keySupervisor.js';
import { MAX_PAGE_KEYS, pageReply } from '../../src/node/nodeRequests.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';

async function supervisorWith(keys: number): Promise<KeySupervisor> {
  const storage = new MemoryStorage({ decidedLogEntries: 2 });
  await storage.open();
  for (let i = 0; i < keys; i++)
    await storage.write(`k${i}`, { promised: null, accepted: null, decided: { value: i } });
  // pageReply reads only the node's store.
  return { options: { storage } } as unknown as KeySupervisor;
}

describe('the node answers catch-up requests', () => {
  it('serves the log above a since, and says where its log begins', async () => {
    const supervisor = await supervisorWith(5);
    const reply = pageReply(supervisor, { type: 'decided.page', since: 3, maxKeys: 10, maxBytes: 1000 });
    expect(reply).toMatchObject({ type: 'paxos.page', page: { next: 5, head: 5, floor: 3 } });
    const below = pageReply(supervisor, { type: 'decided.page', since: 0, maxKeys: 10, maxBytes: 1000 });
    expect(below).toMatchObject({ type: 'paxos.page', page: { entries: [], floor: 3 } });
  });

  it('serves the decided records in key order after `after`, within its own page limit', async () => {
    const supervisor = await supervisorWith(3);
    const reply = pageReply(supervisor, {
      type: 'decided.keys',
      after: 'k0',
      maxKeys: 10 * MAX_PAGE_KEYS,
      maxBytes: 1000,
    });
    expect(reply).toEqual({
      type: 'paxos.keys',
      page: expect.objectContaining({
        entries: [
          { key: 'k1', value: 1 },
          { key: 'k2', value: 2 },
        ],
        done: true,
        head: 3,
      }),
    });
  });

  it.each([
    [{ type: 'decided.page', maxKeys: 1, maxBytes: 1 }, /needs a whole number since/],
    [{ type: 'decided.page', since: -1, maxKeys: 1, maxBytes: 1 }, /needs a whole number since/],
    [{ type: 'decided.keys', maxKeys: 1, maxBytes: 1 }, /needs after \(a key or null\)/],
    [{ type: 'decided.keys', after: 7, maxKeys: 1, maxBytes: 1 }, /needs after/],
    [{ type: 'decided.keys', after: null, maxKeys: 0, maxBytes: 1 }, /maxKeys ≥ 1/],
  ])('refuses %j with a clear error', async (request, message) => {
    const reply = pageReply(await supervisorWith(1), request as Parameters<typeof pageReply>[1]);
    expect(reply.type).toBe('paxos.failed');
    expect(reply.type === 'paxos.failed' && reply.error.message).toMatch(message);
  });
});
