// Issue 17, items 1 and 2, against three real node processes (the CLI, data directories, pinned
// Ed25519 keys, separate peer and client secrets, 127.0.0.1): a client holding a client
// credential is refused as a peer, for a down member and for a live one; `status` tells a client
// nothing a hello needs; even the real member's stolen secret and key cannot take over its live
// link (WIRE_ERR_LINK_UP), and the cluster keeps deciding over the links it had.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCluster } from '../../src/cli/localCluster.js';
import { LmdbStorage } from '../../src/storage/lmdbStorage.js';
import { connectClient, type GenPaxosClient } from '../../src/transport/client/client.js';
import { CLOSE_CODES } from '../../src/transport/wire/wireErrors.js';
import { RawPeer } from '../wire/helpers.js';
import { MAIN } from '../integration/cliHelpers.js';

let dir: string;
let cluster: LocalCluster;
let n1: GenPaxosClient;
const members = ['n1', 'n2', 'n3'];

/** The incarnation of a stopped node, read from its data directory as an operator could. */
async function incarnationOf(id: string): Promise<string> {
  const store = new LmdbStorage({ path: cluster.dataDirOf(id), nodeId: id });
  await store.open();
  const incarnation = store.incarnation;
  await store.close();
  return incarnation;
}

async function linksUp(client: GenPaxosClient, expected: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await client.status()).links.filter((l) => l.state === 'up').length !== expected) {
    if (Date.now() > deadline) throw new Error('links did not come up');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A hello claiming `node` to the node at `url`; resolves with how the node answered. */
async function claim(
  url: string,
  hello: Parameters<RawPeer['hello']>[0],
): Promise<{ welcomed: boolean; code: number; reason: string }> {
  const peer = await RawPeer.connect(url);
  await peer.hello({ cluster: cluster.cluster, members, ...hello });
  const outcome = await Promise.race([
    peer.closed.then((closed) => ({ welcomed: false, ...closed })),
    peer.welcomed().then(() => ({ welcomed: true, code: 0, reason: '' })),
  ]);
  peer.close();
  return outcome;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gen-paxos-identity-'));
  cluster = await LocalCluster.start({ size: 3, mainPath: MAIN, dir, durable: true });
  n1 = await connectClient(cluster.urls.n1 as string, {
    secret: cluster.clientSecret,
    cluster: cluster.cluster,
  });
  await linksUp(n1, 2);
  expect(await n1.ask('before', 'honest')).toBe('honest');
}, 60_000);

afterAll(async () => {
  await n1?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('member identity (real processes)', () => {
  it('a client credential is refused as a peer for a down member, and status names no incarnation', async () => {
    await cluster.kill('n3');
    await linksUp(n1, 1);
    const incarnation = await incarnationOf('n3');
    // status gives a client nothing a hello needs.
    const status = JSON.stringify(await n1.status());
    expect(status).not.toContain(incarnation);
    expect(status).not.toMatch(/incarnation/);
    // Even knowing n3's incarnation, a client credential cannot open a peer link.
    const asClient = await claim(cluster.urls.n1 as string, {
      secret: cluster.clientSecret,
      node: 'n3',
      incarnation,
    });
    console.log(`client credential as down n3 → ${asClient.code} ${asClient.reason}`);
    expect(asClient).toMatchObject({ welcomed: false, code: CLOSE_CODES.AUTH_FAILED });
    expect(asClient.reason).toMatch(/^WIRE_ERR_AUTH_FAILED/);
    // A holder of the peer secret without n3's private key (another member, a leak) is refused too.
    const withoutKey = await claim(cluster.urls.n1 as string, {
      secret: cluster.secret,
      node: 'n3',
      incarnation,
    });
    console.log(`peer secret without n3's key as down n3 → ${withoutKey.code} ${withoutKey.reason}`);
    expect(withoutKey).toMatchObject({ welcomed: false, code: CLOSE_CODES.IDENTITY_FAILED });
    const otherKey = await claim(cluster.urls.n1 as string, {
      secret: cluster.secret,
      node: 'n3',
      incarnation,
      signingKey: cluster.keys.n2?.privateKey,
    });
    expect(otherKey).toMatchObject({ welcomed: false, code: CLOSE_CODES.IDENTITY_FAILED });
    // The real n3 comes back and is admitted.
    await cluster.spawn('n3');
    await linksUp(n1, 2);
  }, 30_000);

  it('a client credential is refused as a peer for a live member, whose link is never taken over', async () => {
    const n2 = await connectClient(cluster.urls.n2 as string, {
      secret: cluster.clientSecret,
      cluster: cluster.cluster,
    });
    await linksUp(n2, 2);
    const counters = (await n2.status()).counters;
    const before = counters['wire.linksOpened'];
    // Counted from here: a simultaneous dial between the real members may have been refused
    // as WIRE_ERR_LINK_UP while their links came up.
    const linkUpBefore = counters['wire.errors.WIRE_ERR_LINK_UP'] ?? 0;
    const asClient = await claim(cluster.urls.n2 as string, { secret: cluster.clientSecret, node: 'n1' });
    console.log(`client credential as live n1 → ${asClient.code} ${asClient.reason}`);
    expect(asClient).toMatchObject({ welcomed: false, code: CLOSE_CODES.AUTH_FAILED });
    // n1's own stolen secret and key, with its real incarnation: still no takeover of a live link.
    const stolen = await claim(cluster.urls.n2 as string, {
      secret: cluster.secret,
      node: 'n1',
      incarnation: await peekIncarnation('n1'),
      signingKey: cluster.keys.n1?.privateKey,
    });
    console.log(`n1's own secret, key and incarnation, n1 live → ${stolen.code} ${stolen.reason}`);
    expect(stolen).toMatchObject({ welcomed: false, code: CLOSE_CODES.LINK_UP });
    expect(stolen.reason).toMatch(/^WIRE_ERR_LINK_UP/);
    const after = await n2.status();
    expect(after.links.find((l) => l.peer === 'n1')?.state).toBe('up');
    expect(after.counters['wire.linksOpened']).toBe(before);
    expect(after.counters['wire.errors.WIRE_ERR_LINK_UP']).toBe(linkUpBefore + 1);
    // The real n1 still decides, and n2 learns it over the link it kept.
    expect(await n1.ask('after-impostors', 'honest')).toBe('honest');
    const deadline = Date.now() + 10_000;
    while ((await n2.read('after-impostors')) === undefined && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await n2.read('after-impostors')).toBe('honest');
    await n2.close();
  }, 30_000);
});

/** The incarnation of a running node, as a local process reading its files could learn it. */
async function peekIncarnation(id: string): Promise<string> {
  // The directory is locked while the node runs: read a copy of it.
  const { cpSync } = await import('node:fs');
  const copy = join(dir, `copy-${id}`);
  cpSync(cluster.dataDirOf(id), copy, { recursive: true });
  rmSync(join(copy, 'gen-paxos.lock'), { force: true });
  const store = new LmdbStorage({ path: copy, nodeId: id });
  await store.open();
  const incarnation = store.incarnation;
  await store.close();
  return incarnation;
}
