// LmdbStorage on a real disk (temporary directories): round trips, the overlay of writes not yet
// committed, group commit, reopening, the node's identity, and the errors of a closed store.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/base/errors.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { open } from 'lmdb';
import { pack, unpack } from 'msgpackr';
import { DB_NAMES, encodeKey, META_KEYS } from '../../src/storage/lmdbLayout.js';
import { LmdbStorage } from '../../src/storage/lmdbStorage.js';
import type { CommitInfo } from '../../src/storage/commitStats.js';
import { tempDirs } from './tempDir.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

function promisedRecord(round: number): KeyRecord {
  return { promised: { round, node: 'b' }, accepted: null, decided: null };
}

function acceptedRecord(round: number, value: string): KeyRecord {
  return {
    promised: { round, node: 'b' },
    accepted: { ballot: { round, node: 'b' }, value },
    decided: null,
  };
}

async function opened(
  path: string,
  nodeId = 'a',
  onCommit?: (commit: CommitInfo) => void,
): Promise<LmdbStorage> {
  const storage = new LmdbStorage({ path, nodeId, ...(onCommit ? { onCommit } : {}) });
  await storage.open();
  return storage;
}

describe('LmdbStorage: records', () => {
  it('round-trips promised and accepted records through a reopen', async () => {
    const path = dirs.next();
    const storage = await opened(path);
    await storage.write('k1', promisedRecord(3));
    await storage.write('k2', acceptedRecord(4, 'red'));
    expect(storage.load('k1')).toEqual(promisedRecord(3));
    expect(storage.load('missing')).toBeUndefined();
    await storage.close();

    const again = await opened(path);
    expect(again.load('k1')).toEqual(promisedRecord(3));
    expect(again.load('k2')).toEqual(acceptedRecord(4, 'red'));
    await again.close();
  });

  it('keeps only the value of a decided key, and forgets its acceptor state', async () => {
    const path = dirs.next();
    const storage = await opened(path);
    await storage.write('k', acceptedRecord(2, 'blue'));
    expect(storage.pendingKeys()).toEqual(['k']);
    await storage.write('k', { ...acceptedRecord(2, 'blue'), decided: { value: 'blue' } });
    const decided = { promised: null, accepted: null, decided: { value: 'blue' } };
    expect(storage.load('k')).toEqual(decided);
    expect(storage.pendingKeys()).toEqual([]);
    await storage.close();
    const again = await opened(path);
    expect(again.load('k')).toEqual(decided);
    await again.close();
  });

  it('stores every kind of value faithfully, including null and bytes', async () => {
    const path = dirs.next();
    const storage = await opened(path);
    const values = {
      nested: { list: [1, 2.5, -3, true, false, null, 'ü'], inner: { deep: ['x'] } },
      nothing: null,
      bytes: new Uint8Array([0, 1, 254, 255]),
      big: 2 ** 53 - 1,
    };
    for (const [key, value] of Object.entries(values))
      await storage.write(key, { promised: null, accepted: null, decided: { value } });
    await storage.close();
    const again = await opened(path);
    expect(again.load('nested')?.decided?.value).toEqual(values.nested);
    expect(again.load('nothing')?.decided).toEqual({ value: null });
    expect(Array.from(again.load('bytes')?.decided?.value as Uint8Array)).toEqual([0, 1, 254, 255]);
    expect(again.load('big')?.decided?.value).toBe(2 ** 53 - 1);
    await again.close();
  });

  it('accepts the longest key and keeps keys apart that UTF-8 would merge', async () => {
    const path = dirs.next();
    const storage = await opened(path);
    const longest = '\u4e00'.repeat(1024); // MAX_KEY_LENGTH code units, 3 bytes each in UTF-8
    const loneSurrogates = ['\ud800', '\udc00', '\ufffd'];
    await storage.write(longest, promisedRecord(1));
    for (const [i, key] of loneSurrogates.entries()) await storage.write(key, promisedRecord(10 + i));
    await storage.close();
    const again = await opened(path);
    expect(again.load(longest)).toEqual(promisedRecord(1));
    for (const [i, key] of loneSurrogates.entries()) expect(again.load(key)).toEqual(promisedRecord(10 + i));
    await again.close();
  });
});

describe.runIf(process.platform === 'linux')('LmdbStorage: one map of the data file', () => {
  it('maps its file once as it grows, so no page counts twice in RSS', async () => {
    const path = dirs.next();
    const storage = await opened(path);
    const big = 'v'.repeat(1000);
    for (let batch = 0; batch < 4; batch++)
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          storage.write(`key-${batch}-${i}`, { promised: null, accepted: null, decided: { value: big } }),
        ),
      );
    const file = join(path, 'data.mdb');
    expect(statSync(file).size).toBeGreaterThan(4_000_000); // past many doublings of a 128 KiB map
    expect(statSync(file).size).toBeLessThan(64_000_000); // the reserved map is not the file's size
    const maps = readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .filter((line) => line.endsWith(file));
    expect(maps).toHaveLength(1);
    await storage.close();
  });
});

describe('LmdbStorage: writes not yet durable', () => {
  it('load sees a write as soon as it is issued, and the latest of several', async () => {
    const storage = await opened(dirs.next());
    const first = storage.write('k', promisedRecord(1));
    expect(storage.load('k')).toEqual(promisedRecord(1));
    const second = storage.write('k', promisedRecord(2));
    expect(storage.load('k')).toEqual(promisedRecord(2));
    await first;
    expect(storage.load('k')).toEqual(promisedRecord(2));
    await second;
    expect(storage.load('k')).toEqual(promisedRecord(2));
    await storage.close();
  });

  it('resolves the writes of one key in the order they were issued', async () => {
    const storage = await opened(dirs.next());
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        storage.write(`k${i % 3}`, promisedRecord(i)).then(() => order.push(i)),
      ),
    );
    for (let key = 0; key < 3; key++) {
      const ofKey = order.filter((i) => i % 3 === key);
      expect(ofKey).toEqual([...ofKey].sort((x, y) => x - y));
    }
    await storage.close();
  });

  it('lists accepted-but-undecided keys, including writes still in flight', async () => {
    const storage = await opened(dirs.next());
    await storage.write('promised-only', promisedRecord(1));
    await storage.write('accepted', acceptedRecord(1, 'v'));
    const inFlight = storage.write('in-flight', acceptedRecord(2, 'w'));
    expect(storage.pendingKeys().sort()).toEqual(['accepted', 'in-flight']);
    await inFlight;
    await storage.close();
  });
});

describe('LmdbStorage: group commit', () => {
  it('commits writes issued together in one transaction, and counts it', async () => {
    const commits: CommitInfo[] = [];
    const storage = await opened(dirs.next(), 'a', (commit) => commits.push(commit));
    // Issued in one event turn: lmdb-js starts the transaction at the next setImmediate.
    await Promise.all(Array.from({ length: 1000 }, (_, i) => storage.write(`k${i}`, promisedRecord(1))));
    const stats = storage.stats;
    expect(stats.writes).toBe(1000);
    expect(stats.keysCommitted).toBe(1000);
    expect(stats.commits).toBe(commits.length);
    expect(stats.commits).toBeLessThanOrEqual(2);
    expect(stats.keysPerCommit.count).toBe(stats.commits);
    expect(stats.commitLatencyMs.count).toBe(stats.commits);
    expect(commits.reduce((sum, commit) => sum + commit.keys, 0)).toBe(1000);
    await storage.close();
  });

  it('counts a key written twice in one commit once among its keys', async () => {
    const commits: CommitInfo[] = [];
    const storage = await opened(dirs.next(), 'a', (commit) => commits.push(commit));
    await Promise.all([storage.write('k', promisedRecord(1)), storage.write('k', promisedRecord(2))]);
    expect(commits).toEqual([expect.objectContaining({ keys: 1, writes: 2 })]);
    await storage.close();
  });
});

describe('LmdbStorage: lazy writes (a decided record) ride the next commit', () => {
  const decided = (value: string): KeyRecord => ({ promised: null, accepted: null, decided: { value } });

  it('shares the commit of the next write that is not lazy, durable in issue order', async () => {
    const path = dirs.next();
    const commits: CommitInfo[] = [];
    const storage = await opened(path, 'a', (commit) => commits.push(commit));
    const lazy = storage.write('d1', decided('one'), { lazy: true });
    expect(storage.load('d1')).toEqual(decided('one')); // seen at once through the overlay
    await new Promise((resolve) => setTimeout(resolve, 5)); // a write alone would commit by now
    expect(commits).toEqual([]);
    await storage.write('p1', promisedRecord(1));
    await lazy;
    expect(commits.map((c) => c.keys)).toEqual([2]); // one commit, both keys
    await storage.close();
    const again = await opened(path);
    expect(again.load('d1')).toEqual(decided('one'));
    await again.close();
  });

  it('is committed on its own after a short wait when no other write comes, and by close', async () => {
    const path = dirs.next();
    const commits: CommitInfo[] = [];
    const storage = await opened(path, 'a', (commit) => commits.push(commit));
    await storage.write('alone', decided('x'), { lazy: true });
    expect(commits).toHaveLength(1);
    const atClose = storage.write('closing', decided('y'), { lazy: true });
    await storage.close();
    await atClose;
    const again = await opened(path);
    expect(again.load('alone')).toEqual(decided('x'));
    expect(again.load('closing')).toEqual(decided('y'));
    await again.close();
  });
});

describe('LmdbStorage: format', () => {
  const raw = (path: string) => {
    const env = open({ path });
    const sub = (name: string) => env.openDB(name, { encoding: 'binary', keyEncoding: 'binary' });
    return { env, meta: sub(DB_NAMES.meta), decided: sub(DB_NAMES.decided) };
  };
  const decidedRecord = (value: string): KeyRecord => ({
    promised: null,
    accepted: null,
    decided: { value },
  });

  it('stores a decided value as a one-element array (format 2)', async () => {
    const path = dirs.next();
    const storage = await opened(path);
    await storage.write('k', decidedRecord('v'));
    await storage.close();
    const { env, meta, decided } = raw(path);
    expect(String(meta.get(Buffer.from(META_KEYS.format)))).toBe('2');
    expect(unpack(decided.get(encodeKey('k'))!)).toEqual(['v']);
    await env.close();
  });

  it('reads a format-1 directory’s decided values, and marks it format 2 when it opens it', async () => {
    const path = dirs.next();
    const storage = await opened(path);
    await storage.write('new', decidedRecord('N'));
    await storage.close();
    // What format 1 left: its mark, and a value stored as { value }.
    const before = raw(path);
    await before.meta.put(Buffer.from(META_KEYS.format), Buffer.from('1'));
    await before.decided.put(encodeKey('old'), pack({ value: { value: 'nested' } }));
    await before.env.close();
    const upgraded = await opened(path);
    expect(upgraded.load('old')?.decided?.value).toEqual({ value: 'nested' });
    expect(upgraded.load('new')?.decided?.value).toBe('N');
    await upgraded.close();
    const after = raw(path);
    expect(String(after.meta.get(Buffer.from(META_KEYS.format)))).toBe('2');
    await after.env.close();
  });

  it('refuses a format it does not read, naming the ones it does', async () => {
    const path = dirs.next();
    await (await opened(path)).close();
    const { env, meta } = raw(path);
    await meta.put(Buffer.from(META_KEYS.format), Buffer.from('3'));
    await env.close();
    const storage = new LmdbStorage({ path, nodeId: 'a' });
    await expect(storage.open()).rejects.toThrow(/has format 3; this version reads formats 1 and 2/);
  });
});

describe('LmdbStorage: identity', () => {
  it('keeps its incarnation across reopens and gets a new one for an empty directory', async () => {
    const path = dirs.next();
    const first = await opened(path);
    expect(first.createdDataDir).toBe(true);
    const incarnation = first.incarnation;
    expect(incarnation).toMatch(/^[0-9a-f-]{36}$/);
    await first.close();
    const again = await opened(path);
    expect(again.createdDataDir).toBe(false);
    expect(again.incarnation).toBe(incarnation);
    await again.close();
    const other = await opened(dirs.next());
    expect(other.incarnation).not.toBe(incarnation);
    await other.close();
  });

  it('refuses a directory that belongs to another node, and releases it', async () => {
    const path = dirs.next();
    await (await opened(path, 'a')).close();
    await expect(opened(path, 'b')).rejects.toMatchObject({ code: ERROR_CODES.WRONG_DATA_DIR });
    const owner = await opened(path, 'a');
    await owner.close();
  });

  it('refuses a directory another open store holds', async () => {
    const path = dirs.next();
    const holder = await opened(path);
    await expect(opened(path)).rejects.toMatchObject({ code: ERROR_CODES.DATA_DIR_LOCKED });
    await holder.close();
    await (await opened(path)).close();
  });

  it('treats a path with a dot as a directory', async () => {
    const path = dirs.next('node.a');
    await (await opened(path)).close();
    expect(readdirSync(path).sort()).toEqual(['data.mdb', 'lock.mdb']);
  });

  it('opens once however often open() is called', async () => {
    const storage = new LmdbStorage({ path: dirs.next(), nodeId: 'a' });
    const first = storage.open();
    expect(storage.open()).toBe(first);
    await first;
    await storage.close();
  });

  it('remembers peer incarnations at once and across reopens', async () => {
    const path = dirs.next();
    const storage = await opened(path);
    expect(storage.knownIncarnation('b')).toBeUndefined();
    const remembered = storage.rememberIncarnation('b', 'inc-b');
    expect(storage.knownIncarnation('b')).toBe('inc-b');
    await remembered;
    await storage.close();
    const again = await opened(path);
    expect(again.knownIncarnation('b')).toBe('inc-b');
    expect(again.knownIncarnations()).toEqual({ b: 'inc-b' });
    await again.close();
  });
});

describe('LmdbStorage: a closed store', () => {
  it('finishes writes issued before close, then refuses writes and reads', async () => {
    const path = dirs.next();
    const storage = await opened(path);
    const writes = Array.from({ length: 10 }, (_, i) => storage.write(`k${i}`, promisedRecord(i + 1)));
    const closed = storage.close();
    await expect(Promise.all(writes)).resolves.toBeDefined();
    await closed;
    await expect(storage.write('late', promisedRecord(1))).rejects.toMatchObject({
      code: ERROR_CODES.STORAGE_CLOSED,
    });
    expect(() => storage.load('k1')).toThrow(expect.objectContaining({ code: ERROR_CODES.STORAGE_CLOSED }));
    await expect(storage.open()).rejects.toMatchObject({ code: ERROR_CODES.STORAGE_CLOSED });
    const again = await opened(path);
    expect(again.load('k9')).toEqual(promisedRecord(10));
    await again.close();
  });

  it('refuses writes before open', async () => {
    const storage = new LmdbStorage({ path: dirs.next(), nodeId: 'a' });
    await expect(storage.write('k', promisedRecord(1))).rejects.toMatchObject({
      code: ERROR_CODES.STORAGE_CLOSED,
    });
    expect(() => storage.incarnation).toThrow(expect.objectContaining({ code: ERROR_CODES.STORAGE_CLOSED }));
  });

  it('needs a path and a node id', () => {
    expect(() => new LmdbStorage({ path: '', nodeId: 'a' })).toThrow(
      expect.objectContaining({ code: ERROR_CODES.BAD_OPTION }),
    );
    expect(() => new LmdbStorage({ path: dirs.next(), nodeId: '' })).toThrow(
      expect.objectContaining({ code: ERROR_CODES.BAD_OPTION }),
    );
  });
});

describe('LmdbStorage: boot', () => {
  it('counts its opens durably: every start of a node has a boot no earlier start had', async () => {
    const path = dirs.next();
    const first = await opened(path);
    expect(first.boot).toBe(1);
    await first.close();
    const second = await opened(path);
    expect(second.boot).toBe(2);
    await second.close();
    const third = await opened(path);
    expect(third.boot).toBe(3);
    await third.close();
  });
});
