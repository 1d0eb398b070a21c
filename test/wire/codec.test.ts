// The codec and the validators: every frame round-trips; every class of bad input is refused
// with its stable code, and no input at all makes them throw.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { Envelope, PaxosMessage, PaxosValue } from '../../src/paxos/messages.js';
import { MAX_KEY_LENGTH, MAX_VALUE_DEPTH } from '../../src/paxos/validate.js';
import { decodeFrame, encodeFrame } from '../../src/transport/wire/codec.js';
import { MAX_FRAME_DEPTH, PROTOCOL_VERSION, type Frame } from '../../src/transport/wire/frames.js';
import { scanMsgpack } from '../../src/transport/wire/msgpackScan.js';
import { validateFrame } from '../../src/transport/wire/validateFrame.js';
import { validateEnvelope } from '../../src/transport/wire/validateMessage.js';
import { validateReply, validateRequest } from '../../src/transport/client/validateRequest.js';
import { WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';

const MAX = 1 << 20;
const ballot = { round: 3, node: 'a' };
const MESSAGES: PaxosMessage[] = [
  { type: 'prepare', ballot },
  { type: 'promise', ballot, accepted: null },
  { type: 'promise', ballot, accepted: { ballot: { round: 2, node: 'b' }, value: { x: [1, 'two', null] } } },
  { type: 'propose', ballot, value: 'v' },
  { type: 'acknowledge', ballot },
  { type: 'reject', ballot, promised: { round: 9, node: 'c' } },
  { type: 'decide', value: new Uint8Array([1, 2, 3]) },
  { type: 'query', read: 41 },
  { type: 'state', read: 41, accepted: null, decided: null },
  { type: 'state', read: 42, accepted: { ballot, value: 'v' }, decided: { value: null } },
];

/** Decodes and validates a frame, then each envelope: what a peer link does. */
function receive(bytes: Uint8Array): { code: string } | { envelopes: Envelope[]; problems: string[] } {
  const decoded = decodeFrame(bytes, MAX);
  if (!decoded.ok) return { code: decoded.problem.code };
  const frame = validateFrame(decoded.value);
  if (!frame.ok) return { code: frame.problem.code };
  if (frame.value.t !== 'batch') return { envelopes: [], problems: [] };
  const envelopes: Envelope[] = [];
  const problems: string[] = [];
  for (const raw of frame.value.envelopes) {
    const checked = validateEnvelope(raw);
    if (checked.ok) envelopes.push(checked.value);
    else problems.push(checked.problem.code);
  }
  return { envelopes, problems };
}

/** A batch frame with one envelope whose message is `message` (raw: anything goes). */
function batchOf(message: unknown, fields: Record<string, unknown> = {}): Uint8Array {
  const packr = new Packr({ useRecords: false, structuredClone: false });
  return packr.pack({
    v: PROTOCOL_VERSION,
    t: 'batch',
    envelopes: [{ from: 'a', to: 'b', key: 'k', message, ...fields }],
  });
}

function envelopeProblem(message: unknown, fields: Record<string, unknown> = {}): string | undefined {
  const result = receive(batchOf(message, fields));
  return 'code' in result ? result.code : result.problems[0];
}

describe('codec round trips', () => {
  it('carries every Paxos message in one batch frame, unchanged', () => {
    const envelopes = MESSAGES.map((message, i) => ({ from: 'a', to: 'b', key: `k${i}`, message }));
    const result = receive(encodeFrame({ v: PROTOCOL_VERSION, t: 'batch', envelopes }));
    expect(result).toEqual({ envelopes, problems: [] });
  });

  it('carries handshake and client frames', () => {
    const nonce = new Uint8Array(32).fill(7);
    const frames: Frame[] = [
      { v: PROTOCOL_VERSION, t: 'challenge', nonce },
      {
        v: PROTOCOL_VERSION,
        t: 'hello',
        cluster: 'c',
        node: 'a',
        role: 'peer',
        incarnation: 'i',
        cfg: 3,
        digest: 'ab'.repeat(32),
        nonce,
        proof: nonce,
      },
      { v: PROTOCOL_VERSION, t: 'welcome', node: 'b', incarnation: 'j', proof: nonce },
    ];
    for (const frame of frames) {
      const decoded = decodeFrame(encodeFrame(frame), MAX);
      expect(decoded.ok && validateFrame(decoded.value)).toEqual({ ok: true, value: frame });
    }
    const request = { id: 4, type: 'ask', key: 'k', value: [1, { a: true }], timeoutMs: 500 };
    expect(validateRequest(request)).toEqual({ ok: true, value: request });
    for (const read of [
      { id: 5, type: 'read', key: 'k' },
      { id: 6, type: 'read', key: 'k', quorum: true },
      { id: 7, type: 'read', key: 'k', quorum: false },
    ])
      expect(validateRequest(read)).toEqual({ ok: true, value: read });
    const reply = { id: 4, type: 'read', key: 'k', decided: true, value: 'v' };
    expect(validateReply(reply)).toEqual({ ok: true, value: reply });
  });

  it('round-trips any valid value (property)', () => {
    const value: fc.Arbitrary<PaxosValue> = fc.letrec<{ v: PaxosValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.uint8Array({ maxLength: 8 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'),
          tie('v'),
          { maxKeys: 4 },
        ),
      ),
    })).v;
    fc.assert(
      fc.property(value, fc.nat(), (v, round) => {
        const envelope: Envelope = {
          from: 'a',
          to: 'b',
          key: 'k',
          message: { type: 'propose', ballot: { round, node: 'a' }, value: v },
        };
        const result = receive(encodeFrame({ v: PROTOCOL_VERSION, t: 'batch', envelopes: [envelope] }));
        expect(result).toEqual({ envelopes: [envelope], problems: [] });
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary bytes (fuzz)', () => {
    const valid = encodeFrame({
      v: PROTOCOL_VERSION,
      t: 'batch',
      envelopes: MESSAGES.map((message) => ({ from: 'a', to: 'b', key: 'k', message })),
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(valid.length), fc.nat(255), (noise, at, byte) => {
        receive(noise);
        const mutated = Uint8Array.from(valid);
        mutated[at % mutated.length] = byte;
        receive(mutated);
        receive(valid.subarray(0, at));
      }),
      { numRuns: 500 },
    );
  });
});

describe('validators on arbitrary decoded data', () => {
  it('never throw, whatever the shape (property)', () => {
    const anything = fc.anything({
      withBigInt: true,
      withTypedArray: true,
      withNullPrototype: true,
      maxDepth: 4,
    });
    const shaped = fc.record({
      v: fc.constantFrom(1, 2, '1'),
      t: fc.constantFrom('batch', 'hello', 'requests', 'replies', 'welcome', 'ask'),
      envelopes: anything,
      requests: anything,
      replies: anything,
    });
    fc.assert(
      fc.property(fc.oneof(anything, shaped), (raw) => {
        validateFrame(raw);
        validateEnvelope(raw);
        validateRequest(raw);
        validateReply(raw);
        for (const item of [raw, { message: raw }, { id: 1, type: 'ask', key: 'k', value: raw }]) {
          validateEnvelope({ from: 'a', to: 'b', key: 'k', ...(item as object) });
          validateRequest(item);
          validateReply({ id: 1, type: 'decided', key: 'k', value: raw });
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('frame-level refusals (the link is closed)', () => {
  const valid = encodeFrame({
    v: PROTOCOL_VERSION,
    t: 'batch',
    envelopes: [{ from: 'a', to: 'b', key: 'k', message: MESSAGES[0] as PaxosMessage }],
  });

  it('truncated msgpack → WIRE_ERR_MALFORMED', () => {
    for (let cut = 0; cut < valid.length; cut++)
      expect(receive(valid.subarray(0, cut))).toEqual({ code: W.MALFORMED });
  });

  it('trailing bytes, reserved 0xc1, extension types (a timestamp) → WIRE_ERR_MALFORMED', () => {
    expect(receive(Uint8Array.from([...valid, 0x00]))).toEqual({ code: W.MALFORMED });
    expect(receive(Uint8Array.from([0xc1]))).toEqual({ code: W.MALFORMED });
    expect(receive(Uint8Array.from([0xd6, 0xff, 0, 0, 0, 1]))).toEqual({ code: W.MALFORMED });
  });

  it('an array count larger than the frame → WIRE_ERR_MALFORMED, without allocating it', () => {
    expect(receive(Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual({ code: W.MALFORMED });
  });

  it(`nesting deeper than ${MAX_FRAME_DEPTH} → WIRE_ERR_TOO_DEEP (100 000 levels do not overflow the stack)`, () => {
    const deep = new Uint8Array(100_001).fill(0x91);
    deep[100_000] = 0x01;
    expect(receive(deep)).toEqual({ code: W.TOO_DEEP });
    expect(scanMsgpack(new Uint8Array([0x91, 0x91, 0x01]), 2)).toBeNull();
    expect(scanMsgpack(new Uint8Array([0x91, 0x91, 0x91, 0x01]), 2)?.code).toBe(W.TOO_DEEP);
  });

  it('oversized → WIRE_ERR_OVERSIZED', () => {
    expect(decodeFrame(new Uint8Array(101), 100)).toMatchObject({
      ok: false,
      problem: { code: W.OVERSIZED },
    });
  });

  it('wrong shapes and versions', () => {
    const packr = new Packr({ useRecords: false, structuredClone: false });
    expect(receive(packr.pack([1, 'batch']))).toEqual({ code: W.BAD_FRAME });
    expect(receive(packr.pack({ v: 1, t: 'batch', envelopes: [] }))).toEqual({ code: W.BAD_VERSION });
    expect(receive(packr.pack({ t: 'batch', envelopes: [] }))).toEqual({ code: W.BAD_VERSION });
    expect(receive(packr.pack({ v: PROTOCOL_VERSION, t: 'gossip' }))).toEqual({ code: W.UNKNOWN_TAG });
    expect(receive(packr.pack({ v: PROTOCOL_VERSION, t: 7 }))).toEqual({ code: W.BAD_FRAME });
    expect(receive(packr.pack({ v: PROTOCOL_VERSION, t: 'batch', envelopes: 'all of them' }))).toEqual({
      code: W.BAD_FRAME,
    });
    expect(receive(packr.pack({ v: PROTOCOL_VERSION, t: 'challenge', nonce: new Uint8Array(3) }))).toEqual({
      code: W.OUT_OF_RANGE,
    });
  });

  it('a local-only event as a frame type → WIRE_ERR_LOCAL_EVENT', () => {
    const packr = new Packr({ useRecords: false, structuredClone: false });
    for (const t of ['ask', 'inbound', 'xstate.stop', 'xstate.error.actor.k']) {
      expect(receive(packr.pack({ v: PROTOCOL_VERSION, t, key: 'k' }))).toEqual({ code: W.LOCAL_EVENT });
    }
  });
});

describe('envelope-level refusals (only the envelope is dropped)', () => {
  it('keeps the good envelopes of a batch with a bad one', () => {
    const packr = new Packr({ useRecords: false, structuredClone: false });
    const good = { from: 'a', to: 'b', key: 'k1', message: { type: 'prepare', ballot } };
    const bytes = packr.pack({
      v: PROTOCOL_VERSION,
      t: 'batch',
      envelopes: [good, { ...good, key: '' }, { ...good, key: 'k2' }],
    });
    expect(receive(bytes)).toEqual({ envelopes: [good, { ...good, key: 'k2' }], problems: [W.BAD_KEY] });
  });

  it('unknown message tag → WIRE_ERR_UNKNOWN_TAG', () => {
    expect(envelopeProblem({ type: 'accept', ballot })).toBe(W.UNKNOWN_TAG);
  });

  it('a local-only event as a message → WIRE_ERR_LOCAL_EVENT', () => {
    for (const type of [
      'ask',
      'read',
      'instance.decided',
      'storage.failed',
      'xstate.init',
      'xstate.done.actor.x',
    ]) {
      expect(envelopeProblem({ type, value: 'v' })).toBe(W.LOCAL_EVENT);
    }
  });

  it('wrong types and missing fields → WIRE_ERR_BAD_FIELD', () => {
    expect(envelopeProblem('prepare')).toBe(W.BAD_FIELD);
    expect(envelopeProblem({ type: 'prepare' })).toBe(W.BAD_FIELD);
    expect(envelopeProblem({ type: 'prepare', ballot: { round: '1', node: 'a' } })).toBe(W.BAD_FIELD);
    expect(envelopeProblem({ type: 'propose', ballot })).toBe(W.BAD_FIELD);
    expect(envelopeProblem({ type: 'promise', ballot })).toBe(W.BAD_FIELD);
    expect(envelopeProblem({ type: 'prepare', ballot }, { from: 7 })).toBe(W.BAD_FIELD);
    expect(envelopeProblem({ type: 7 })).toBe(W.BAD_FIELD);
    // Quorum reads (docs/membership.md §8.3): a query names its read; a state carries both fields.
    expect(envelopeProblem({ type: 'query' })).toBe(W.BAD_FIELD);
    expect(envelopeProblem({ type: 'query', read: -1 })).toBe(W.OUT_OF_RANGE);
    expect(envelopeProblem({ type: 'state', read: 1, accepted: null })).toBe(W.BAD_FIELD);
    expect(envelopeProblem({ type: 'state', read: 1, decided: null })).toBe(W.BAD_FIELD);
    expect(envelopeProblem({ type: 'state', read: 1, accepted: null, decided: 'v' })).toBe(W.BAD_FIELD);
    expect(envelopeProblem({ type: 'state', read: 1, accepted: null, decided: {} })).toBe(W.BAD_FIELD);
    expect(
      envelopeProblem({ type: 'state', read: 1, accepted: { ballot, value: Number.NaN }, decided: null }),
    ).toBe(W.BAD_VALUE);
  });

  it('out-of-range and huge numbers → WIRE_ERR_OUT_OF_RANGE', () => {
    for (const round of [-1, 1.5, 2 ** 53, 1e300]) {
      expect(envelopeProblem({ type: 'prepare', ballot: { round, node: 'a' } })).toBe(W.OUT_OF_RANGE);
    }
    // A uint64 beyond 2^53 decodes to a bigint: refused, not rounded.
    const huge = batchOf({ type: 'prepare', ballot: { round: 0, node: 'a' } });
    const at = Buffer.from(huge).indexOf(Buffer.from([0xa5, ...Buffer.from('round'), 0x00]));
    const patched = Buffer.concat([
      huge.subarray(0, at + 6),
      Buffer.from([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      huge.subarray(at + 7),
    ]);
    const result = receive(patched);
    expect('problems' in result && result.problems).toEqual([W.OUT_OF_RANGE]);
    expect(envelopeProblem({ type: 'prepare', ballot: { round: 1, node: 'x'.repeat(200) } })).toBe(
      W.OUT_OF_RANGE,
    );
  });

  it('bad keys → WIRE_ERR_BAD_KEY', () => {
    expect(envelopeProblem({ type: 'prepare', ballot }, { key: '' })).toBe(W.BAD_KEY);
    expect(envelopeProblem({ type: 'prepare', ballot }, { key: 'k'.repeat(MAX_KEY_LENGTH + 1) })).toBe(
      W.BAD_KEY,
    );
    expect(envelopeProblem({ type: 'prepare', ballot }, { key: 42 })).toBe(W.BAD_KEY);
  });

  it('bad values (NaN, values nested too deep) → WIRE_ERR_BAD_VALUE', () => {
    expect(envelopeProblem({ type: 'decide', value: Number.NaN })).toBe(W.BAD_VALUE);
    let deep: PaxosValue = 1;
    for (let i = 0; i <= MAX_VALUE_DEPTH; i++) deep = [deep];
    expect(envelopeProblem({ type: 'decide', value: deep })).toBe(W.BAD_VALUE);
  });

  it('keeps only the known fields of a message', () => {
    const result = receive(batchOf({ type: 'prepare', ballot, from: 'z', extra: { a: 1 } }));
    expect(result).toEqual({
      envelopes: [{ from: 'a', to: 'b', key: 'k', message: { type: 'prepare', ballot } }],
      problems: [],
    });
  });
});

describe('client requests', () => {
  it('refuses bad requests with a code, keeping the id to reply to', () => {
    expect(validateRequest({ id: 1, type: 'ask', key: 'k' })).toMatchObject({
      ok: false,
      id: 1,
      problem: { code: W.BAD_FIELD },
    });
    expect(validateRequest({ id: 2, type: 'xstate.stop' })).toMatchObject({
      ok: false,
      id: 2,
      problem: { code: W.LOCAL_EVENT },
    });
    expect(validateRequest({ id: 3, type: 'delete', key: 'k' })).toMatchObject({
      ok: false,
      id: 3,
      problem: { code: W.UNKNOWN_TAG },
    });
    expect(validateRequest({ id: 4, type: 'ask', key: 'k', value: 1, timeoutMs: 0 })).toMatchObject({
      ok: false,
      id: 4,
      problem: { code: W.OUT_OF_RANGE },
    });
    expect(validateRequest({ id: 5, type: 'read', key: '' })).toMatchObject({
      ok: false,
      id: 5,
      problem: { code: W.BAD_KEY },
    });
    expect(validateRequest({ id: 6, type: 'read', key: 'k', quorum: 'yes' })).toMatchObject({
      ok: false,
      id: 6,
      problem: { code: W.BAD_FIELD },
    });
    expect(validateRequest({ id: -1, type: 'status' })).toMatchObject({
      ok: false,
      id: null,
      problem: { code: W.OUT_OF_RANGE },
    });
    expect(validateRequest('status')).toMatchObject({ ok: false, id: null, problem: { code: W.BAD_FIELD } });
  });
});
