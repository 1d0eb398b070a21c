// Issue 17, item 5: every msgpack-encodable plain value is decided exactly as asked, `__proto__`
// and `constructor` keys included, with no prototype pollution; keys are well-formed Unicode; one
// maximum value size, refused at once at `ask` (library and client protocol). End to end on three
// in-process network nodes (real sockets, LMDB data directories, a restart).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkNode } from '../../src/server/networkNode.js';
import { startNetworkNode } from '../../src/server/networkNode.js';
import { startLoopbackCluster } from '../fixtures/loopbackCluster.js';
import { connectClient, type GenPaxosClient } from '../../src/transport/client/client.js';
import { decodeFrame, encodeFrame } from '../../src/transport/wire/codec.js';
import { PROTOCOL_VERSION } from '../../src/transport/wire/frames.js';
import { validateFrame } from '../../src/transport/wire/validateFrame.js';
import { checkKey, checkValue, MAX_VALUE_BYTES } from '../../src/paxos/validate.js';
import { decodeDecided, encodeDecided } from '../../src/storage/lmdbLayout.js';
import { valueText } from '../../src/inspect/view/valueText.js';
import { CLIENT_SECRET, CLUSTER, RawPeer } from '../wire/helpers.js';

/** A value with the keys a careless decoder renames or turns into prototypes. */
function trickyValue(): Record<string, unknown> {
  return JSON.parse(
    '{"__proto__":"first","__proto_":"second","constructor":{"prototype":{"polluted":1}},' +
      '"nested":{"__proto__":{"polluted":2}},"list":[{"__proto__":null}]}',
  ) as Record<string, unknown>;
}

function ownKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ownKeysDeep);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array))
    return Object.keys(value).map((k) => [k, ownKeysDeep((value as Record<string, unknown>)[k])]);
  return value;
}

function notPolluted(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
}

describe('values keep every key (codec and storage)', () => {
  it('decodes a propose carrying __proto__ and constructor keys exactly, into null-prototype objects', () => {
    const value = trickyValue();
    const bytes = encodeFrame({
      v: PROTOCOL_VERSION,
      t: 'batch',
      envelopes: [
        {
          from: 'a',
          to: 'b',
          key: 'k',
          message: { type: 'propose', ballot: { round: 1, node: 'a' }, value },
        },
      ],
    } as never);
    const decoded = decodeFrame(bytes, 1 << 20);
    expect(decoded.ok).toBe(true);
    const frame = validateFrame(decoded.ok ? decoded.value : null);
    expect(frame.ok).toBe(true);
    const got = (frame as unknown as { value: { envelopes: Array<{ message: { value: unknown } }> } }).value
      .envelopes[0]?.message.value as Record<string, unknown>;
    expect(ownKeysDeep(got)).toEqual(ownKeysDeep(value));
    expect(Object.getPrototypeOf(got.nested)).not.toEqual({ polluted: 2 });
    notPolluted();
  });

  it('stores and reloads such a value unchanged (the LMDB record codec)', () => {
    const value = trickyValue();
    const record = decodeDecided(encodeDecided({ value: value as never }));
    expect(ownKeysDeep(record.decided?.value)).toEqual(ownKeysDeep(value));
    notPolluted();
  });

  it("shows such a value in the view as it is (valueText, the view feed's rendering)", () => {
    const text = '{"__proto__":"first","__proto_":"second"}';
    expect(valueText(JSON.parse(text) as never)).toBe(text);
  });
});

describe('keys and sizes', () => {
  it('refuses keys that are not well-formed Unicode', () => {
    expect(checkKey('\udbff')).toMatch(/surrogate/);
    expect(checkKey('a\ud800b')).toMatch(/surrogate/);
    expect(checkKey('\udc00')).toMatch(/surrogate/);
    expect(checkKey('emoji \ud83d\ude00')).toBeNull();
  });

  it('refuses a value over MAX_VALUE_BYTES and strings with lone surrogates', () => {
    expect(checkValue('x'.repeat(MAX_VALUE_BYTES))).toMatch(/bytes/);
    expect(checkValue({ s: 'x'.repeat(MAX_VALUE_BYTES - 100) })).toBeNull();
    expect(checkValue(new Uint8Array(MAX_VALUE_BYTES + 1))).toMatch(/bytes/);
    expect(checkValue(['\ud800'])).toMatch(/surrogate/);
    expect(checkValue({ ['\udfff']: 1 })).toMatch(/surrogate/);
  });
});

describe('end to end through the client protocol', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-exact-'));
  const ids = ['a', 'b', 'c'];
  const nodes: NetworkNode[] = [];
  let client: GenPaxosClient;
  let other: GenPaxosClient;

  beforeAll(async () => {
    nodes.push(...(await startLoopbackCluster(ids, (id) => ({ dataDir: join(dir, id) }))));
    client = await connectClient(nodes[0]!.url, { secret: CLIENT_SECRET, cluster: CLUSTER });
    other = await connectClient(nodes[1]!.url, { secret: CLIENT_SECRET, cluster: CLUSTER });
  });

  afterAll(async () => {
    await client.close();
    await other.close();
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('decides {"__proto__":"first","__proto_":"second"} exactly as asked, on every node and after a restart', async () => {
    const value = trickyValue();
    const decided = await client.ask('proto', value as never);
    console.log(`asked ${JSON.stringify(value)}\ndecided ${JSON.stringify(decided)}`);
    expect(ownKeysDeep(decided)).toEqual(ownKeysDeep(value));
    expect(ownKeysDeep(await waitRead(nodes[1]!, 'proto'))).toEqual(ownKeysDeep(value));
    expect(ownKeysDeep(await other.read('proto'))).toEqual(ownKeysDeep(value));
    expect(ownKeysDeep(await waitRead(nodes[2]!, 'proto'))).toEqual(ownKeysDeep(value));
    notPolluted();
    // Restart node b from its data directory: the stored value comes back with every key.
    const b = nodes[1]!;
    const url = new URL(b.url);
    await other.close();
    await b.stop();
    const restarted = await startNetworkNode({
      id: 'b',
      cluster: CLUSTER,
      secret: (await import('../wire/helpers.js')).SECRET,
      clientSecrets: [CLIENT_SECRET],
      listen: { host: '127.0.0.1', port: Number(url.port) },
      peers: { a: nodes[0]!.url, c: nodes[2]!.url },
      dataDir: join(dir, 'b'),
    });
    nodes[1] = restarted;
    expect(ownKeysDeep(restarted.node.read('proto'))).toEqual(ownKeysDeep(value));
    other = await connectClient(restarted.url, { secret: CLIENT_SECRET, cluster: CLUSTER });
    expect(ownKeysDeep(await other.read('proto'))).toEqual(ownKeysDeep(value));
  });

  it('refuses a lone-surrogate key with PAXOS_ERR_BAD_KEY, and two such keys never collide', async () => {
    const refused = await client.ask('\udbff', 1).catch((error: Error & { code: string }) => error);
    console.log(`ask("\\udbff") → ${(refused as { code?: string }).code}: ${(refused as Error).message}`);
    await expect(client.ask('\udbff', 1)).rejects.toMatchObject({ code: 'PAXOS_ERR_BAD_KEY' });
    await expect(nodes[0]!.node.ask('\ud800', 2)).rejects.toMatchObject({ code: 'PAXOS_ERR_BAD_KEY' });
    // A raw request (a client that skips the library's checks) is refused by the node too.
    const raw = await RawPeer.connect(nodes[0]!.url);
    await raw.hello({ secret: CLIENT_SECRET, role: 'client', node: 'raw' });
    await raw.welcomed();
    // A lone surrogate has no UTF-8 form: what a careless encoder sends for one (CESU-8 bytes
    // ED AF BF) is not UTF-8, and the whole frame is refused, never decided under U+FFFD.
    const frame = Buffer.from(
      encodeFrame({
        v: PROTOCOL_VERSION,
        t: 'requests',
        requests: [{ id: 7, type: 'ask', key: 'ZZZ', value: 1 }],
      } as never),
    );
    const at = frame.indexOf(Buffer.from('a35a5a5a', 'hex'));
    Buffer.from('a3edafbf', 'hex').copy(frame, at);
    raw.sendBytes(frame);
    expect(await raw.closed).toMatchObject({
      code: 4011,
      reason: expect.stringMatching(/^WIRE_ERR_MALFORMED: .*UTF-8/),
    });
    expect(nodes[0]!.node.read('\ufffd')).toBeUndefined();
    expect(nodes[0]!.node.read('\ufffd\ufffd\ufffd')).toBeUndefined();
  });

  it('refuses at once an ask whose value could not travel in a propose', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024); // fits a 4 MiB client frame, not MAX_VALUE_BYTES
    const started = Date.now();
    await expect(nodes[0]!.node.ask('big', big)).rejects.toMatchObject({ code: 'PAXOS_ERR_BAD_VALUE' });
    await expect(client.ask('big', big)).rejects.toMatchObject({ code: 'PAXOS_ERR_BAD_VALUE' });
    const raw = await RawPeer.connect(nodes[0]!.url);
    await raw.hello({ secret: CLIENT_SECRET, role: 'client', node: 'raw' });
    await raw.welcomed();
    raw.sendFrame({
      v: PROTOCOL_VERSION,
      t: 'requests',
      requests: [{ id: 8, type: 'ask', key: 'big', value: big }],
    });
    expect(await raw.nextReply(8)).toMatchObject({ type: 'error', code: 'WIRE_ERR_BAD_VALUE' });
    raw.close();
    expect(Date.now() - started).toBeLessThan(3000); // refused, not timed out (asks time out after 5 s)
  });
});

async function waitRead(node: NetworkNode, key: string): Promise<unknown> {
  for (let i = 0; i < 500; i++) {
    const value = node.node.read(key);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}
