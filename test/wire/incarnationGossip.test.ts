// Incarnation gossip on real sockets (127.0.0.1, free ports): bad records from a peer close only
// that connection with a coded error; records a member sends are merged before the link opens;
// gossip that arrives after an amnesiac's link came up closes that link (the order the handshake
// cannot prevent), and an amnesiac told by a member that it forgot refuses every peer.
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/cli/freePorts.js';
import { incarnationGuard, type GossipStore } from '../../src/storage/incarnationGossip.js';
import { MAX_INCARNATION_RECORDS } from '../../src/transport/wire/frames.js';
import type { WebSocketTransport } from '../../src/transport/peer/webSocketTransport.js';
import { CLOSE_CODES, WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';
import type { Envelope } from '../../src/paxos/messages.js';
import { RawPeer, envelope, startOne, waitFor } from './helpers.js';

const MEMBERS = ['a', 'c', 'd'];
let running: WebSocketTransport[] = [];

afterEach(async () => {
  await Promise.all(running.map((t) => t.close()));
  running = [];
});

function mapStore(incarnation: string, initial: Record<string, string> = {}): GossipStore {
  const known = new Map(Object.entries(initial));
  return {
    incarnation,
    knownIncarnation: (peer) => known.get(peer),
    knownIncarnations: () => Object.fromEntries(known),
    rememberIncarnation: async (peer, recorded) => void known.set(peer, recorded),
  };
}

/** A store whose writes are durable only when the test flushes them. */
function heldStore(incarnation: string) {
  const known = new Map<string, string>();
  const pending: Array<() => void> = [];
  const store: GossipStore = {
    incarnation,
    knownIncarnation: (peer) => known.get(peer),
    knownIncarnations: () => Object.fromEntries(known),
    rememberIncarnation: (peer, recorded) => {
      known.set(peer, recorded);
      return new Promise<void>((resolve) => pending.push(resolve));
    },
  };
  return { store, pending, flush: () => pending.splice(0).forEach((resolve) => resolve()) };
}

async function cluster() {
  const free = await freePorts(MEMBERS.length);
  const ports = Object.fromEntries(MEMBERS.map((id, i) => [id, free[i] as number]));
  const urls = Object.fromEntries(MEMBERS.map((id) => [id, `ws://127.0.0.1:${ports[id]}`]));
  const start = async (
    id: string,
    incarnation: string,
    known: Record<string, string> = {},
    store: GossipStore = mapStore(incarnation, known),
  ) => {
    const guard = incarnationGuard(store, { self: id, members: MEMBERS });
    const transport = await startOne(id, MEMBERS, ports, urls, {
      incarnation,
      checkPeer: (peer, claimed) => guard.checkPeer(peer, claimed),
      incarnationGossip: guard,
    });
    running.push(transport);
    return { transport, guard };
  };
  return { urls, start };
}

const linkOf = (transport: WebSocketTransport, peer: string) =>
  transport.linkStatus().find((link) => link.peer === peer);

describe('bad gossip from a peer', () => {
  it.each([
    { what: 'not a list', incarnations: { c: 'c-1' }, detail: /incarnations must be an array/ },
    {
      what: 'more records than allowed',
      incarnations: Array.from({ length: MAX_INCARNATION_RECORDS + 1 }, (_, i) => [
        `p${String(i).padStart(5, '0')}`,
        'x',
      ]),
      detail: /at most 1024/,
    },
    { what: 'a record that is not a pair', incarnations: [['c', 'c-1', 'extra']], detail: /at most 2/ },
    { what: 'a number for an incarnation', incarnations: [['c', 7]], detail: /must be a string/ },
    {
      what: 'ids out of order',
      incarnations: [
        ['d', 'd-1'],
        ['c', 'c-1'],
      ],
      detail: /unique and sorted/,
    },
    {
      what: 'a repeated id',
      incarnations: [
        ['c', 'c-1'],
        ['c', 'c-2'],
      ],
      detail: /unique and sorted/,
    },
    {
      what: 'the reserved NUL prefix',
      incarnations: [['c', '\u0000disputed']],
      detail: /must not start with NUL/,
    },
  ])('$what: refused with a coded error, the node keeps serving', async ({ incarnations, detail }) => {
    const { urls, start } = await cluster();
    const { transport: d } = await start('d', 'd-1');
    const raw = await RawPeer.connect(urls.d as string);
    await raw.hello({ node: 'a', members: MEMBERS, incarnation: 'a-1', incarnations });
    const closed = await raw.closed;
    expect(closed.code).toBe(CLOSE_CODES.PROTOCOL_ERROR);
    expect(closed.reason).toMatch(new RegExp(`^${W.BAD_FIELD}: `));
    expect(closed.reason).toMatch(detail);
    expect(d.wireStats.errors[W.BAD_FIELD]).toBeGreaterThan(0);
    // The node is unharmed: a genuine member connects and its records are taken.
    await start('a', 'a-1', { c: 'c-1' });
    await waitFor(() => linkOf(d, 'a')?.state === 'up', 'd–a link after the bad hello');
  });
});

describe('records over a real handshake', () => {
  it('a member recording this node under another incarnation: refused, and told why', async () => {
    const { urls, start } = await cluster();
    const { transport: d } = await start('d', 'd-2'); // d lost its disk: d-1 is what a remembers
    const raw = await RawPeer.connect(urls.d as string);
    await raw.hello({ node: 'a', members: MEMBERS, incarnation: 'a-1', incarnations: [['d', 'd-1']] });
    const closed = await raw.closed;
    expect(closed.code).toBe(CLOSE_CODES.INCARNATION_REFUSED);
    expect(closed.reason).toMatch(
      /^WIRE_ERR_INCARNATION_REFUSED: PAXOS_ERR_AMNESIA: "d" must rejoin as a new member \(new id\): member "a"/,
    );
    expect(linkOf(d, 'a')?.reason).toMatchObject({
      kind: 'refused',
      side: 'local',
      code: W.INCARNATION_REFUSED,
    });
  });

  it('gossip after the amnesiac: d admitted c (first contact), then a tells d of c: the link is closed', async () => {
    const { start } = await cluster();
    const { transport: d, guard: dGuard } = await start('d', 'd-1');
    const { transport: c } = await start('c', 'c-2'); // c lost its disk; d never met it
    await waitFor(() => linkOf(d, 'c')?.state === 'up', 'd admits c: nobody told it otherwise');
    await start('a', 'a-1', { c: 'c-1', d: 'd-1' }); // a met c before it forgot
    await waitFor(() => linkOf(d, 'a')?.state === 'up', 'd–a link');
    await waitFor(() => linkOf(d, 'c')?.state === 'down', 'd drops c once a told it of c-1');
    expect(dGuard.records()).toContainEqual(['c', null]);
    expect(dGuard.checkPeer('c', 'c-2')).toMatch(
      /^PAXOS_ERR_AMNESIA: "c" must rejoin .*: peer "c" has been seen under two incarnations/,
    );
    // c learns why from whoever refused it; it never comes back up with d.
    await waitFor(
      () =>
        c
          .linkStatus()
          .every((link) => link.state === 'down' && /PAXOS_ERR_AMNESIA/.test(link.reason?.detail ?? '')),
      'c sees every link refused as amnesiac',
    );
    expect(linkOf(d, 'c')?.state).toBe('down');
  });

  it('no frame reaches a link before its records are durable: the dialler holds them, then delivers', async () => {
    const { start } = await cluster();
    const held = heldStore('a-1');
    const { transport: a } = await start('a', 'a-1', {}, held.store); // a's dial wins the tie-break
    const received: Envelope[] = [];
    a.listen((e) => received.push(e));
    const { transport: d } = await start('d', 'd-1');
    await waitFor(() => d.isLinkUp('a'), 'd admits a (its own record of a is durable at once)');
    d.send(envelope('d', 'a', 'sent-while-a-writes'));
    await waitFor(() => held.pending.length > 0, 'a recording d');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(a.isLinkUp('d')).toBe(false); // d's first contact is not durable on a yet
    expect(received).toEqual([]);
    held.flush();
    await waitFor(() => a.isLinkUp('d'), 'a admits d once the record is durable');
    await waitFor(() => received.length > 0, 'the held frame delivered');
    expect(received.map((e) => e.key)).toEqual(['sent-while-a-writes']);
  });
});
