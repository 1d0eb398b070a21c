// The amnesia guard without the first-contact hole, on real sockets and real data directories:
// members a, b, c, d. a, b and c decide keys (so a and b record c's incarnation); c stops and
// loses its directory; d starts for the first time (it never met c) and learns c's incarnation
// from a and b in the handshake; c comes back empty under its old id. Everyone refuses it with
// PAXOS_ERR_AMNESIA, d included; c learns why; a, b and d keep deciding. The control: with the
// gossip off, d admits the amnesiac.
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/cli/freePorts.js';
import { startNetworkNode, type NetworkNode } from '../../src/server/networkNode.js';
import type { LinkStatus } from '../../src/transport/wire/frames.js';
import { WIRE_ERROR_CODES } from '../../src/transport/wire/wireErrors.js';
import { tempDirs } from '../storage/tempDir.js';
import { CLIENT_SECRET, CLUSTER, SECRET, waitFor } from '../wire/helpers.js';

const MEMBERS = ['a', 'b', 'c', 'd'];
let running: NetworkNode[] = [];
const dirs = tempDirs('gen-paxos-amnesia-');

afterEach(async () => {
  await Promise.all(running.map((node) => node.stop()));
  running = [];
});

async function members() {
  const free = await freePorts(MEMBERS.length);
  const ports = Object.fromEntries(MEMBERS.map((id, i) => [id, free[i] as number]));
  const urls = Object.fromEntries(MEMBERS.map((id) => [id, `ws://127.0.0.1:${ports[id]}`]));
  return async (id: string, dataDir: string, incarnationGossip = true): Promise<NetworkNode> => {
    const node = await startNetworkNode({
      id,
      cluster: CLUSTER,
      secret: SECRET,
      clientSecrets: [CLIENT_SECRET],
      listen: { host: '127.0.0.1', port: ports[id] as number },
      peers: Object.fromEntries(MEMBERS.filter((p) => p !== id).map((p) => [p, urls[p] as string])),
      dataDir,
      incarnationGossip,
      askTimeoutMs: 20_000,
      wire: { reconnectBaseMs: 20, reconnectMaxMs: 200 },
    });
    running.push(node);
    return node;
  };
}

const link = (node: NetworkNode, peer: string): LinkStatus | undefined =>
  node.transport.linkStatus().find((l) => l.peer === peer);
const up = (node: NetworkNode, peer: string) => link(node, peer)?.state === 'up';
const refusedAsAmnesiac = (node: NetworkNode, peer: string) => {
  const status = link(node, peer);
  return (
    status?.state === 'down' &&
    status.reason?.code === WIRE_ERROR_CODES.INCARNATION_REFUSED &&
    /PAXOS_ERR_AMNESIA/.test(status.reason.detail)
  );
};

/** a, b, c decide keys; c stops and loses its directory; d starts fresh and links to a and b. */
async function amnesiaScene(dGossip: boolean) {
  const start = await members();
  const a = await start('a', dirs.next('a'));
  const b = await start('b', dirs.next('b'));
  const c = await start('c', dirs.next('c'));
  await waitFor(() => up(a, 'b') && up(a, 'c') && up(b, 'c'), 'a, b, c linked');
  const before: Record<string, unknown> = {};
  for (let i = 0; i < 6; i++) before[`before-${i}`] = await [a, b, c][i % 3]!.node.ask(`before-${i}`, i);
  await c.stop();
  running = running.filter((node) => node !== c);

  const d = await start('d', dirs.next('d'), dGossip); // never met c
  await waitFor(() => up(d, 'a') && up(d, 'b'), 'd linked to a and b');
  // Same id, empty directory. In the control c's gossip is off too: otherwise c may first learn from
  // a's records that it is the amnesiac and refuse every peer, d included, before d can admit it.
  const amnesiac = await start('c', dirs.next('c-after-disk-loss'), dGossip);
  return { a, b, d, amnesiac, before };
}

describe('incarnation gossip (real sockets, real data directories)', () => {
  it('d, which never met c, refuses c back with an empty directory; c learns why; the others decide', async () => {
    const { a, b, d, amnesiac, before } = await amnesiaScene(true);
    await waitFor(
      () => refusedAsAmnesiac(a, 'c') && refusedAsAmnesiac(b, 'c') && refusedAsAmnesiac(d, 'c'),
      'a, b and d refuse the amnesiac c',
    );
    // The refused node learns why, from every member: each link of its is down as amnesiac.
    await waitFor(
      () => ['a', 'b', 'd'].every((peer) => refusedAsAmnesiac(amnesiac, peer)),
      'c sees why it is refused',
    );
    const reasons = amnesiac.transport.linkStatus().map((l) => l.reason?.detail ?? '');
    expect(reasons.some((why) => why.includes('"c" must rejoin as a new member (new id)'))).toBe(true);
    expect(amnesiac.node.read('before-0')).toBeUndefined(); // it holds nothing: it cannot help
    // It stays refused (no link to c comes up while the others decide), and the cluster goes on.
    for (const [i, node] of [a, b, d].entries())
      expect(await node.node.ask(`after-${i}`, `v${i}`)).toBe(`v${i}`);
    for (const [key, value] of Object.entries(before)) expect(await d.node.ask(key, 'other')).toBe(value);
    expect([a, b, d].map((node) => up(node, 'c'))).toEqual([false, false, false]);
  }, 60_000);

  it('control: with the gossip off, d admits the amnesiac c as a first contact', async () => {
    const { a, d } = await amnesiaScene(false);
    await waitFor(() => refusedAsAmnesiac(a, 'c'), 'a refuses the amnesiac c (it met c)');
    await waitFor(() => up(d, 'c'), 'd admits c: the hole the gossip closes', 20_000);
    expect(refusedAsAmnesiac(d, 'c')).toBe(false);
  }, 60_000);
});
