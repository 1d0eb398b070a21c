// startLink holds `members` to the transport's own member list when the transport has one: quorums
// are counted over `members`, while the WebSocket handshake holds every peer to the transport's
// list, so the two must name the same group. The in-memory network knows no list and is not held.
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryNetwork, startLink, type GenPaxosNode } from '../../src/index.js';
import type { WebSocketTransport } from '../../src/transport/peer/webSocketTransport.js';
import { startTransports } from '../wire/helpers.js';

let transports: WebSocketTransport[] = [];
let nodes: GenPaxosNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await Promise.all(transports.map((transport) => transport.close()));
  nodes = [];
  transports = [];
});

describe("startLink and the transport's members", () => {
  it('a WebSocket transport knows its node and peers, sorted', async () => {
    const started = await startTransports(['b', 'a']);
    transports = Object.values(started.transports);
    expect(started.transports.b?.members).toEqual(['a', 'b']);
  });

  it.each([
    ['a member the transport does not link', ['a', 'b', 'c']],
    ['a peer of the transport left out', ['a']],
    ['another node in place of a peer', ['a', 'z']],
  ])('refuses %s with PAXOS_ERR_BAD_MEMBERS', async (_what, members) => {
    const started = await startTransports(['a', 'b']);
    transports = Object.values(started.transports);
    const refused = startLink({ id: 'a', members, transport: started.transports.a as WebSocketTransport });
    await expect(refused).rejects.toMatchObject({
      code: 'PAXOS_ERR_BAD_MEMBERS',
      message: `members [${[...members].sort().join(', ')}] differ from the transport's members [a, b]`,
    });
  });

  it('accepts the same members in another order', async () => {
    const started = await startTransports(['a', 'b']);
    transports = Object.values(started.transports);
    const node = await startLink({
      id: 'a',
      members: ['b', 'a'],
      transport: started.transports.a as WebSocketTransport,
    });
    nodes = [node];
    expect(node.startMembers).toEqual(['b', 'a']);
    // The node owns the transport now: stopping it closes it.
    transports = transports.filter((t) => t.nodeId !== 'a');
  });

  it('a transport without a member list (the in-memory network) is not held to one', async () => {
    const network = createMemoryNetwork();
    const transport = network.connect('a');
    expect(transport.members).toBeUndefined();
    nodes = [await startLink({ id: 'a', members: ['a', 'b', 'c'], transport })];
  });
});
