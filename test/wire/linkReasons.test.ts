// Why a link is down (linkReasons.ts), whether a node reaches a quorum (readiness.ts), and the
// redialler's pace: a permanent refusal waits about a minute, anything else backs off from 100 ms.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../src/paxos/prng.js';
import { Redialler, type DialOutcome } from '../../src/transport/peer/redialler.js';
import { DownReasons, noteIncarnationRefusals } from '../../src/transport/peer/downReasons.js';
import { silentLogger } from '../../src/base/log.js';
import type { LinkStatus } from '../../src/transport/wire/frames.js';
import {
  describeReason,
  isPermanent,
  reasonOfClose,
  reasonOfDial,
  reasonSummary,
  sameReason,
} from '../../src/transport/wire/linkReasons.js';
import { readinessOf } from '../../src/transport/wire/readiness.js';
import { CLOSE_CODES, WIRE_ERROR_CODES, problem } from '../../src/transport/wire/wireErrors.js';

describe('reasons of failed dials', () => {
  it('says unreachable when nothing answered, with the socket error', () => {
    const reason = reasonOfDial({
      opened: false,
      socketError: 'connect ECONNREFUSED 127.0.0.1:7002',
      problem: problem(WIRE_ERROR_CODES.CONNECTION_CLOSED, 'closed during the handshake (code 1006)'),
      closedBy: 'remote',
      closeCode: null,
    });
    expect(reason).toMatchObject({ kind: 'unreachable', side: null });
    expect(describeReason(reason)).toBe('unreachable (connect ECONNREFUSED 127.0.0.1:7002)');
    expect(isPermanent(reason)).toBe(false);
  });

  it.each([
    [WIRE_ERROR_CODES.REMOVED, 'removed'],
    [WIRE_ERROR_CODES.PEER_REMOVED, 'peer removed'],
    [WIRE_ERROR_CODES.NOT_A_MEMBER, 'not a member yet'],
    [WIRE_ERROR_CODES.CONFIG_CONFLICT, 'configuration conflict'],
    [WIRE_ERROR_CODES.INCARNATION_REFUSED, 'amnesia'],
    [WIRE_ERROR_CODES.AUTH_FAILED, 'wrong secret'],
    [WIRE_ERROR_CODES.WRONG_CLUSTER, 'wrong cluster'],
    [WIRE_ERROR_CODES.BAD_VERSION, 'protocol version'],
    [WIRE_ERROR_CODES.IDENTITY_FAILED, 'identity'],
  ])('names a refusal %s by its side and makes it permanent', (code, words) => {
    const byPeer = reasonOfDial({
      opened: true,
      socketError: null,
      problem: problem(code, 'the detail'),
      closedBy: 'remote',
      closeCode: 4009,
    });
    expect(reasonSummary(byPeer)).toBe(`refused by peer: ${words}`);
    expect(describeReason(byPeer)).toBe(`refused by peer: ${words} (${code}: the detail)`);
    expect(isPermanent(byPeer)).toBe(true);
    const byUs = reasonOfDial({
      ...{ opened: true, socketError: null, closeCode: null },
      problem: problem(code, 'x'),
      closedBy: 'local',
    });
    expect(reasonSummary(byUs)).toBe(`refused by this node: ${words}`);
    expect(sameReason(byPeer, byUs)).toBe(false);
    expect(sameReason(byPeer, { ...byPeer, detail: 'another attempt' })).toBe(true);
  });

  it('names a live link held at the peer, and does not make it permanent (it lapses with its heartbeat)', () => {
    const reason = reasonOfDial({
      opened: true,
      socketError: null,
      problem: problem(WIRE_ERROR_CODES.LINK_UP, 'node "a" has a healthy link'),
      closedBy: 'remote',
      closeCode: CLOSE_CODES.LINK_UP,
    });
    expect(reasonSummary(reason)).toBe('refused by peer: link already up');
    expect(isPermanent(reason)).toBe(false);
  });

  it('marks a proven refusal authenticated and by the peer, whoever closed first, and logs its change', () => {
    const refusal = problem(
      WIRE_ERROR_CODES.REMOVED,
      'PAXOS_ERR_REMOVED: node c was removed in configuration 4',
    );
    const dial = { opened: true, socketError: null, problem: refusal, closeCode: null };
    // The dialler answers a proven refusal by closing itself: the refusal is still the peer's.
    const proven = reasonOfDial({ ...dial, closedBy: 'local', authenticated: true });
    expect(proven).toEqual({
      kind: 'refused',
      code: WIRE_ERROR_CODES.REMOVED,
      side: 'peer',
      closeCode: null,
      detail: 'PAXOS_ERR_REMOVED: node c was removed in configuration 4',
      authenticated: true,
    });
    expect(reasonSummary(proven)).toBe('refused by peer (proven): removed');
    expect(isPermanent(proven)).toBe(true);
    const bare = reasonOfDial({ ...dial, closedBy: 'remote' });
    expect(bare).toMatchObject({ kind: 'refused', side: 'peer' });
    expect('authenticated' in bare).toBe(false);
    expect(reasonSummary(bare)).toBe('refused by peer: removed');
    expect(sameReason(bare, proven)).toBe(false);
    expect(sameReason(proven, { ...proven, detail: 'another attempt' })).toBe(true);
  });

  it('does not make a busy node or a handshake timeout permanent', () => {
    for (const code of [WIRE_ERROR_CODES.BUSY, WIRE_ERROR_CODES.HANDSHAKE_TIMEOUT]) {
      const reason = reasonOfDial({
        opened: true,
        socketError: null,
        problem: problem(code, ''),
        closedBy: 'remote',
        closeCode: 1013,
      });
      expect(isPermanent(reason)).toBe(false);
    }
  });
});

describe('reasons of closed links', () => {
  const base = { closedBy: 'remote' as const, heartbeatLost: false, heartbeatTimeoutMs: 5000 };
  it('tells a stopping peer, a lost connection, a lost heartbeat and a refusal in the close frame', () => {
    expect(
      reasonSummary(reasonOfClose({ ...base, code: CLOSE_CODES.GOING_AWAY, reason: 'node stopping' })),
    ).toBe('closed by peer: stopping');
    expect(reasonSummary(reasonOfClose({ ...base, code: 1006, reason: '' }))).toBe('connection lost (1006)');
    expect(
      describeReason(
        reasonOfClose({ ...base, closedBy: 'local', heartbeatLost: true, code: 1006, reason: '' }),
      ),
    ).toBe('heartbeat lost (nothing heard from the peer for 5000 ms)');
    const refused = reasonOfClose({
      ...base,
      code: CLOSE_CODES.INCARNATION_REFUSED,
      reason: 'WIRE_ERR_INCARNATION_REFUSED: PAXOS_ERR_AMNESIA: peer "c" claims incarnation x',
    });
    expect(reasonSummary(refused)).toBe('refused by peer: amnesia');
    expect(isPermanent(refused)).toBe(true);
    // A peer that adopted its own removal closes its open links with a code of its own.
    const gone = reasonOfClose({
      ...base,
      code: CLOSE_CODES.PEER_REMOVED,
      reason: 'WIRE_ERR_PEER_REMOVED: this node was removed in configuration 5: it links nobody',
    });
    expect(gone).toMatchObject({
      kind: 'refused',
      code: 'WIRE_ERR_PEER_REMOVED',
      side: 'peer',
      closeCode: 4018,
    });
    expect(describeReason(gone)).toBe(
      'refused by peer: peer removed (WIRE_ERR_PEER_REMOVED: this node was removed in configuration 5: it links nobody)',
    );
    expect(isPermanent(gone)).toBe(true);
  });
});

describe('readiness', () => {
  const link = (peer: string, state: 'up' | 'down'): LinkStatus => ({
    peer,
    state,
    dialledBy: null,
    forMs: 0,
    reason:
      state === 'up' ? null : { kind: 'unreachable', code: null, side: null, closeCode: null, detail: 'x' },
  });
  it('is ready while this node and its links reach a majority', () => {
    expect(readinessOf('a', ['a', 'b', 'c'], [link('b', 'up'), link('c', 'down')])).toEqual({
      ready: true,
      node: 'a',
      quorum: 2,
      reachable: ['a', 'b'],
      unreachable: { c: 'unreachable' },
    });
    expect(readinessOf('a', ['a', 'b', 'c'], [link('b', 'down'), link('c', 'down')]).ready).toBe(false);
    expect(readinessOf('a', ['a'], []).ready).toBe(true);
    expect(
      readinessOf('a', ['a', 'b', 'c', 'd'], [link('b', 'up'), link('c', 'down'), link('d', 'down')]).ready,
    ).toBe(false);
  });
});

describe('redial pace', () => {
  afterEach(() => vi.useRealTimers());

  const dialling = (outcome: DialOutcome) => {
    const dials: number[] = [];
    const dialler = new Redialler(
      async () => {
        dials.push(Date.now());
        return outcome;
      },
      () => false,
      { baseMs: 100, maxMs: 5000, refusedMs: 60_000, random: seededRandom(1) },
    );
    dialler.start();
    return { dials, dialler };
  };

  it('waits about a minute after a permanent refusal', async () => {
    vi.useFakeTimers();
    const { dials, dialler } = dialling('refused');
    await vi.advanceTimersByTimeAsync(50_000);
    expect(dials).toHaveLength(1); // nothing more within 54 s (60 s less a tenth of jitter)
    await vi.advanceTimersByTimeAsync(10_001);
    expect(dials).toHaveLength(2);
    dialler.stop();
  });

  it('backs off from 100 ms to at most 5 s after other failures', async () => {
    vi.useFakeTimers();
    const { dials, dialler } = dialling('failed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(dials.length).toBeGreaterThan(12);
    dialler.stop();
  });
});

describe('amnesia refusals of inbound dials', () => {
  it('are noted as why the link is down, logged once, and only for members without a link', () => {
    const down = new DownReasons(['b', 'c']);
    const logged: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void logged.push(message) };
    const check = noteIncarnationRefusals((peer) => (peer === 'c' ? 'PAXOS_ERR_AMNESIA: peer "c" …' : null), {
      down: () => down,
      isWatched: (peer) => peer !== 'b',
      logger,
    });
    expect(check('b', 'i1')).toBeNull();
    expect(check('c', 'i2')).toBe('PAXOS_ERR_AMNESIA: peer "c" …');
    expect(check('c', 'i2')).not.toBeNull();
    expect(reasonSummary(down.reasonOf('c'))).toBe('refused by this node: amnesia');
    expect(down.reasonOf('b').kind).toBe('connecting');
    expect(logged).toEqual(['peer refused']);
  });
});
