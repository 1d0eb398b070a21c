// The client protocol's membership requests over real sockets, in one process (docs/membership.md
// §13.3): client.members() lists the configuration with links; addMember / removeMember /
// replaceMember resolve once the change is complete, with the new configuration; refusals keep
// their codes and change nothing; malformed requests are refused with wire codes before the node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/base/errors.js';
import type { NetworkNode } from '../../src/server/networkNode.js';
import { connectClient, type GenPaxosClient } from '../../src/transport/client/client.js';
import { validateReply, validateRequest } from '../../src/transport/client/validateRequest.js';
import { WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';
import { startLoopbackCluster } from '../fixtures/loopbackCluster.js';
import { CLIENT_SECRET, CLUSTER } from '../wire/helpers.js';

let nodes: NetworkNode[] = [];
let client: GenPaxosClient;

beforeAll(async () => {
  nodes = await startLoopbackCluster(['a', 'b', 'c']);
  client = await connectClient(nodes[0]!.url, { secret: CLIENT_SECRET, cluster: CLUSTER });
});
afterAll(async () => {
  await client?.close();
  await Promise.all(nodes.map((node) => node.stop()));
});

const ids = (report: { members: ReadonlyArray<{ id: string }> }) => report.members.map((m) => m.id);

describe('client.members()', () => {
  it('lists the start configuration: every member a voter, its URL, the links, the node caught up', async () => {
    const report = await client.members();
    expect(report).toMatchObject({ node: 'a', config: 1, epoch: 0, complete: true, previousVoters: null });
    expect(report.members).toEqual([
      {
        id: 'a',
        url: nodes[0]!.url,
        voter: true,
        link: 'self',
        linkDown: null,
        caughtUp: expect.any(Boolean),
      },
      { id: 'b', url: nodes[1]!.url, voter: true, link: 'up', linkDown: null, caughtUp: null },
      { id: 'c', url: nodes[2]!.url, voter: true, link: 'up', linkDown: null, caughtUp: null },
    ]);
  });
});

describe('changes through the client', () => {
  it('refuses what config.ts refuses, with the codes, and changes nothing', async () => {
    await expect(client.addMember({ id: 'b', url: 'ws://127.0.0.1:1' })).rejects.toMatchObject({
      code: ERROR_CODES.MEMBER_EXISTS,
    });
    await expect(client.removeMember('zz')).rejects.toMatchObject({ code: ERROR_CODES.NOT_A_MEMBER });
    expect((await client.members()).config).toBe(1);
  });

  it('checks its arguments before sending', async () => {
    await expect(client.addMember({ id: 'd', url: 'http://x:1' })).rejects.toMatchObject({
      code: ERROR_CODES.BAD_OPTION,
    });
    await expect(client.removeMember('')).rejects.toMatchObject({ code: ERROR_CODES.BAD_OPTION });
    await expect(client.removeMember('c', { timeoutMs: 0 })).rejects.toMatchObject({
      code: ERROR_CODES.BAD_OPTION,
    });
  });

  it('adds, replaces and removes a member not running; each resolves complete, and keys stay decided', async () => {
    expect(await client.ask('before', 'v0')).toBe('v0');
    // A member that is not started: the change does not wait for it (a majority of 4 is up).
    const added = await client.addMember({ id: 'd', url: 'ws://127.0.0.1:9' });
    expect(added).toMatchObject({ config: 2, epoch: 1, complete: true });
    expect(ids(added)).toEqual(['a', 'b', 'c', 'd']);
    expect(added.members.find((m) => m.id === 'd')).toMatchObject({ url: 'ws://127.0.0.1:9', link: 'down' });
    const replaced = await client.replaceMember('d', { id: 'e', url: 'ws://127.0.0.1:10' });
    expect(replaced).toMatchObject({ config: 3, epoch: 2, complete: true });
    expect(ids(replaced)).toEqual(['a', 'b', 'c', 'e']);
    const removed = await client.removeMember('e');
    expect(removed).toMatchObject({ config: 4, epoch: 3, complete: true });
    expect(ids(removed)).toEqual(['a', 'b', 'c']);
    // Every member adopted the changes, and the group still decides.
    for (const node of nodes) expect((await node.node.members()).config).toBe(4);
    const other = await connectClient(nodes[2]!.url, { secret: CLIENT_SECRET, cluster: CLUSTER });
    try {
      expect(await other.read('before', { quorum: true })).toBe('v0');
      expect(await other.ask('after', 'v1')).toBe('v1');
    } finally {
      await other.close();
    }
  });
});

describe('membership requests on the wire', () => {
  it('accepts members and change requests field by field', () => {
    for (const request of [
      { id: 1, type: 'members' },
      { id: 2, type: 'change', add: { id: 'd', url: 'ws://h:1' } },
      { id: 3, type: 'change', remove: 'c' },
      { id: 4, type: 'change', remove: 'c', add: { id: 'f', url: 'wss://h:1' }, timeoutMs: 600_000 },
    ])
      expect(validateRequest(request)).toEqual({ ok: true, value: request });
  });

  it.each([
    [{ id: 1, type: 'change' }, W.BAD_FIELD],
    [{ id: 1, type: 'change', add: { id: 'd' } }, W.BAD_FIELD],
    [{ id: 1, type: 'change', add: { id: 'd', url: 'http://h:1' } }, W.BAD_FIELD],
    [{ id: 1, type: 'change', add: { id: '', url: 'ws://h:1' } }, W.OUT_OF_RANGE],
    [{ id: 1, type: 'change', remove: 7 }, W.BAD_FIELD],
    [{ id: 1, type: 'change', remove: 'c', timeoutMs: 600_001 }, W.OUT_OF_RANGE],
    [{ id: 1, type: 'change', remove: 'c', timeoutMs: 0 }, W.OUT_OF_RANGE],
  ])('refuses %j with %s, keeping the id for the error reply', (raw, code) => {
    const checked = validateRequest(raw);
    expect(checked).toMatchObject({ ok: false, id: 1, problem: { code } });
  });

  it('checks a members reply, and refuses a malformed one', () => {
    const members = {
      node: 'a',
      config: 2,
      epoch: 1,
      complete: false,
      previousVoters: ['a', 'b', 'c'],
      members: [{ id: 'a', url: 'ws://h:1', voter: true, link: 'self', linkDown: null, caughtUp: true }],
    };
    expect(validateReply({ id: 9, type: 'members', members })).toEqual({
      ok: true,
      value: { id: 9, type: 'members', members },
    });
    const badLink = { ...members, members: [{ ...members.members[0], link: 'sideways' }] };
    expect(validateReply({ id: 9, type: 'members', members: badLink })).toMatchObject({
      ok: false,
      problem: { code: W.BAD_FIELD },
    });
    expect(validateReply({ id: 9, type: 'members', members: { ...members, config: -1 } })).toMatchObject({
      ok: false,
      problem: { code: W.OUT_OF_RANGE },
    });
  });
});
