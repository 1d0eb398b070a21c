// Amnesia refusal: the pure incarnation check, and the transport hook built on a store.
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/base/errors.js';
import { checkIncarnation, peerIncarnationCheck, type IncarnationStore } from '../../src/storage/amnesia.js';
import { LmdbStorage } from '../../src/storage/lmdbStorage.js';
import { tempDirs } from './tempDir.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('checkIncarnation', () => {
  it.each([
    { known: undefined, claimed: 'i1', verdict: { ok: true, firstContact: true } },
    { known: 'i1', claimed: 'i1', verdict: { ok: true, firstContact: false } },
  ])('admits $claimed when $known is remembered', ({ known, claimed, verdict }) => {
    expect(checkIncarnation('c', known, claimed)).toEqual(verdict);
  });

  it.each([
    { known: 'i1', claimed: 'i2', reason: /another incarnation than the one remembered/ },
    { known: 'i1', claimed: '', reason: /sent no incarnation/ },
    { known: undefined, claimed: undefined, reason: /sent no incarnation/ },
    { known: undefined, claimed: 42, reason: /sent no incarnation/ },
  ])('refuses $claimed when $known is remembered', ({ known, claimed, reason }) => {
    const verdict = checkIncarnation('c', known, claimed);
    expect(verdict).toEqual({ ok: false, code: ERROR_CODES.AMNESIA, reason: expect.stringMatching(reason) });
  });

  it('points the operator at the recovery procedure', () => {
    const verdict = checkIncarnation('c', 'old', 'new');
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain('docs/operations.md');
  });

  it('names neither incarnation: the reason reaches status, which clients read (docs/security.md)', () => {
    const verdict = checkIncarnation('c', 'remembered-7f3a', 'presented-91bc');
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.reason).not.toContain('remembered-7f3a');
      expect(verdict.reason).not.toContain('presented-91bc');
    }
  });
});

function memoryIncarnations(incarnation: string): IncarnationStore & { readonly known: Map<string, string> } {
  const known = new Map<string, string>();
  return {
    incarnation,
    known,
    knownIncarnation: (peer) => known.get(peer),
    rememberIncarnation: async (peer, claimed) => void known.set(peer, claimed),
  };
}

describe('peerIncarnationCheck', () => {
  it('admits and remembers a first contact, then refuses another incarnation under that id', () => {
    const store = memoryIncarnations('mine');
    const checkPeer = peerIncarnationCheck(store);
    expect(checkPeer('c', 'c-1')).toBeNull();
    expect(store.known.get('c')).toBe('c-1');
    expect(checkPeer('c', 'c-1')).toBeNull();
    const refusal = checkPeer('c', 'c-2');
    expect(refusal).toMatch(new RegExp(`^${ERROR_CODES.AMNESIA}: `));
    expect(store.known.get('c')).toBe('c-1'); // a refused claim does not replace the remembered one
  });

  it('reports a failure to remember instead of throwing it', async () => {
    const failures: unknown[] = [];
    const store: IncarnationStore = {
      incarnation: 'mine',
      knownIncarnation: () => undefined,
      rememberIncarnation: () => Promise.reject(new Error('disk full')),
    };
    expect(peerIncarnationCheck(store, (error) => failures.push(error))('c', 'c-1')).toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toHaveLength(1);
  });

  it('refuses a peer that comes back with an empty data directory, across restarts of the checker', async () => {
    const pathA = dirs.next('a');
    const a = new LmdbStorage({ path: pathA, nodeId: 'a' });
    await a.open();
    const cFirstLife = new LmdbStorage({ path: dirs.next('c'), nodeId: 'c' });
    await cFirstLife.open();
    expect(peerIncarnationCheck(a)('c', cFirstLife.incarnation)).toBeNull();
    await cFirstLife.close();
    await a.close(); // a restarts too: what it remembered is on disk

    const aAgain = new LmdbStorage({ path: pathA, nodeId: 'a' });
    await aAgain.open();
    const cSecondLife = new LmdbStorage({ path: dirs.next('c'), nodeId: 'c' }); // its disk was lost
    await cSecondLife.open();
    expect(cSecondLife.createdDataDir).toBe(true);
    expect(peerIncarnationCheck(aAgain)('c', cSecondLife.incarnation)).toMatch(/PAXOS_ERR_AMNESIA/);
    expect(peerIncarnationCheck(aAgain)('c', cFirstLife.incarnation)).toBeNull(); // its restored directory
    await Promise.all([aAgain.close(), cSecondLife.close()]);
  });
});
