// Runtime messages on the wire: every kind round-trips through the codec; every class of bad item
// is refused with its stable code (the item alone: its frame and link survive); the sender's
// preparation normalises what can travel and refuses what cannot; nothing makes either throw.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { EventObject } from 'xstate';
import { MAX_VALUE_DEPTH } from '../../src/paxos/validate.js';
import type { DistMessage } from '../../src/runtime/distribution/remoteRouter.js';
import { decodeFrame, encodeFrame } from '../../src/transport/wire/codec.js';
import { PROTOCOL_VERSION } from '../../src/transport/wire/frames.js';
import { prepareRuntimeItem } from '../../src/transport/distribution/prepareRuntimeItem.js';
import {
  MAX_ACTOR_NAME_LENGTH,
  MAX_CALL_TIMEOUT_MS,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_REF_LENGTH,
  type RuntimeItem,
} from '../../src/transport/distribution/runtimeItems.js';
import { validateFrame } from '../../src/transport/wire/validateFrame.js';
import { validateRuntimeItem } from '../../src/transport/distribution/validateRuntime.js';
import { WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';

const MAX_FRAME_BYTES = 1 << 20;
const packr = new Packr({ useRecords: false, structuredClone: false });

/** An event with fields (DistMessage types events as XState's EventObject, which lists none). */
const ev = (event: { type: string; [field: string]: unknown }): EventObject => event;

const ITEMS: RuntimeItem[] = [
  { kind: 'cast', to: 'code_lock', event: ev({ type: 'button', digit: 1 }) },
  { kind: 'cast', to: 'log', event: { type: 'all.stop' } },
  { kind: 'cast', to: 'log', event: ev({ type: 'info', message: { nested: [1, 'two', null, true] } }) },
  { kind: 'call', to: 'counter', callId: 7, event: { type: 'get' }, timeoutMs: 5000 },
  { kind: 'call', to: 'counter', callId: 8, event: { type: 'get' }, timeoutMs: null },
  // genServer's calls and casts carry any plain data as their request.
  {
    kind: 'call',
    to: 'bank',
    callId: 11,
    event: ev({ type: '$gen_call', request: ['balance', 'ann'] }),
    timeoutMs: 5000,
  },
  { kind: 'cast', to: 'bank', event: ev({ type: '$gen_cast', request: 'audit' }) },
  { kind: 'stop', to: 'counter', callId: 9, reason: 'normal' },
  { kind: 'stop', to: 'counter', callId: 10, reason: { shutdown: 'maintenance' } },
  { kind: 'reply', callId: 7, reply: { count: 3, bytes: new Uint8Array([1, 2]) } },
  { kind: 'reply', callId: 8, reply: undefined },
  { kind: 'reply', callId: 9, reply: null },
  { kind: 'fail', callId: 7, error: { code: 'GENFSM_ERR_NOPROC', message: 'no actor' } },
  {
    kind: 'fail',
    callId: 8,
    error: { code: 'GENFSM_ERR_EXITED', message: 'exited' },
    reason: { error: { code: 'ERR_UNKNOWN', message: 'disk on fire' } },
  },
  { kind: 'monitor', to: 'counter', ref: '#Ref<a.1>' },
  { kind: 'demonitor', ref: '#Ref<a.1>' },
  { kind: 'down', ref: '#Ref<a.1>', reason: 'noproc' },
  { kind: 'down', ref: '#Ref<a.2>', reason: 'noconnection' },
  { kind: 'connect', reply: false },
  { kind: 'connect', reply: true },
  { kind: 'disconnect' },
];

/** Decodes and validates a runtime frame, then each item: what a peer link does. */
function receive(bytes: Uint8Array): { code: string } | { items: RuntimeItem[]; problems: string[] } {
  const decoded = decodeFrame(bytes, MAX_FRAME_BYTES);
  if (!decoded.ok) return { code: decoded.problem.code };
  const frame = validateFrame(decoded.value);
  if (!frame.ok) return { code: frame.problem.code };
  if (frame.value.t !== 'runtime') throw new Error(`a ${frame.value.t} frame`);
  const items: RuntimeItem[] = [];
  const problems: string[] = [];
  for (const raw of frame.value.messages) {
    const checked = validateRuntimeItem(raw);
    if (checked.ok) items.push(checked.value);
    else problems.push(checked.problem.code);
  }
  return { items, problems };
}

function frameOf(...messages: unknown[]): Uint8Array {
  return packr.pack({ v: PROTOCOL_VERSION, t: 'runtime', messages });
}

/** The code an item alone is refused with, or 'ok'. */
function problemOf(item: unknown): string {
  const result = receive(frameOf(item));
  if ('code' in result) return `frame: ${result.code}`;
  return result.problems[0] ?? 'ok';
}

const cast = (event: unknown, to: unknown = 'door') => ({ kind: 'cast', to, event });

describe('runtime frames', () => {
  it('carry every kind of runtime message unchanged, with the sender preparing them', () => {
    const prepared = ITEMS.map((item) => {
      const checked = prepareRuntimeItem(item);
      if (!checked.ok) throw new Error(checked.problem.detail);
      return checked.value;
    });
    const result = receive(encodeFrame({ v: PROTOCOL_VERSION, t: 'runtime', messages: prepared }));
    expect(result).toEqual({ items: ITEMS, problems: [] });
  });

  it('keep the good items of a frame with bad ones', () => {
    const good = cast({ type: 'button', digit: 1 });
    const result = receive(frameOf(good, { kind: 'shout' }, cast({ type: 'xstate.stop' }), good));
    expect(result).toEqual({ items: [good, good], problems: [W.UNKNOWN_TAG, W.LOCAL_EVENT] });
  });

  it('keep only the known fields, and copy events into plain data', () => {
    const result = receive(
      frameOf({
        ...cast({ type: 'x', bytes: new Uint8Array([9]) }),
        extra: 1,
        __proto__: { polluted: true },
      }),
    );
    if ('code' in result) throw new Error(result.code);
    const [item] = result.items;
    expect(item).toEqual(cast({ type: 'x', bytes: new Uint8Array([9]) }));
    const event = (item as unknown as { event: { bytes: Uint8Array } }).event;
    expect(Buffer.isBuffer(event.bytes)).toBe(false);
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
  });

  it('refuse a frame whose messages are not an array, closing the link', () => {
    expect(receive(packr.pack({ v: PROTOCOL_VERSION, t: 'runtime', messages: 'x' }))).toEqual({
      code: W.BAD_FRAME,
    });
  });
});

describe('runtime item refusals (only the item is dropped)', () => {
  it('unknown or missing kinds', () => {
    expect(problemOf('cast')).toBe(W.BAD_FIELD);
    expect(problemOf({ to: 'door' })).toBe(W.BAD_FIELD);
    expect(problemOf({ kind: 'exit', to: 'door' })).toBe(W.UNKNOWN_TAG);
    expect(problemOf({ kind: 'x'.repeat(500) })).toBe(W.UNKNOWN_TAG);
  });

  it('local-only event types → WIRE_ERR_LOCAL_EVENT', () => {
    for (const type of [
      'xstate.error.actor.child', // would fake a child's crash to its supervisor
      'xstate.stop',
      'genFsm.stop', // would bypass the stop protocol
      'down', // would fake a monitor's notification
      'nodeup',
      'nodedown',
      'ask', // the Paxos node's own events
      'inbound',
    ]) {
      expect(problemOf(cast({ type })), type).toBe(W.LOCAL_EVENT);
    }
    expect(problemOf(cast({ type: 'all.stop' }))).toBe('ok');
    expect(problemOf(cast({ type: 'info', message: 'hi' }))).toBe('ok');
  });

  it('events: a map with a non-empty string type, no replyTo → WIRE_ERR_BAD_FIELD / OUT_OF_RANGE', () => {
    expect(problemOf({ kind: 'cast', to: 'door' })).toBe(W.BAD_FIELD);
    expect(problemOf(cast(['button']))).toBe(W.BAD_FIELD);
    expect(problemOf(cast({ digit: 1 }))).toBe(W.BAD_FIELD);
    expect(problemOf(cast({ type: 7 }))).toBe(W.BAD_FIELD);
    expect(problemOf(cast({ type: '' }))).toBe(W.OUT_OF_RANGE);
    expect(problemOf(cast({ type: 'x'.repeat(256) }))).toBe(W.OUT_OF_RANGE);
    // replyTo is the receiving node's to set: a peer's plain-data stand-in would break `reply`.
    expect(problemOf(cast({ type: 'get', replyTo: {} }))).toBe(W.BAD_FIELD);
    expect(
      problemOf({ kind: 'call', to: 'c', callId: 1, event: { type: 'get', replyTo: null }, timeoutMs: 1 }),
    ).toBe(W.BAD_FIELD);
  });

  it('event values: NaN, nesting beyond the limit → WIRE_ERR_BAD_VALUE', () => {
    expect(problemOf(cast({ type: 'x', n: Number.NaN }))).toBe(W.BAD_VALUE);
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_VALUE_DEPTH; i++) deep = [deep];
    expect(problemOf(cast({ type: 'x', deep }))).toBe(W.BAD_VALUE);
    expect(problemOf({ kind: 'reply', callId: 1, reply: Number.POSITIVE_INFINITY })).toBe(W.BAD_VALUE);
  });

  it('names and refs of bounded length → WIRE_ERR_BAD_FIELD / OUT_OF_RANGE', () => {
    expect(problemOf(cast({ type: 'x' }, 42))).toBe(W.BAD_FIELD);
    expect(problemOf(cast({ type: 'x' }, ''))).toBe(W.OUT_OF_RANGE);
    expect(problemOf(cast({ type: 'x' }, 'n'.repeat(MAX_ACTOR_NAME_LENGTH)))).toBe('ok');
    expect(problemOf(cast({ type: 'x' }, 'n'.repeat(MAX_ACTOR_NAME_LENGTH + 1)))).toBe(W.OUT_OF_RANGE);
    expect(problemOf({ kind: 'demonitor', ref: 'r'.repeat(MAX_REF_LENGTH + 1) })).toBe(W.OUT_OF_RANGE);
    expect(problemOf({ kind: 'monitor', to: 'door' })).toBe(W.BAD_FIELD);
  });

  it('call ids are non-negative safe integers', () => {
    const call = (callId: unknown) => ({ kind: 'reply', callId, reply: 1 });
    expect(problemOf(call(0))).toBe('ok');
    expect(problemOf(call(-1))).toBe(W.OUT_OF_RANGE);
    expect(problemOf(call(1.5))).toBe(W.OUT_OF_RANGE);
    expect(problemOf(call(2 ** 64))).toBe(W.OUT_OF_RANGE); // a msgpack uint64: decoded as a bigint
    expect(problemOf(call('7'))).toBe(W.BAD_FIELD);
    expect(problemOf({ kind: 'reply', reply: 1 })).toBe(W.BAD_FIELD);
  });

  it('call timeouts: null or 0..2^31-1 ms', () => {
    const call = (timeoutMs: unknown) => ({
      kind: 'call',
      to: 'c',
      callId: 1,
      event: { type: 'get' },
      timeoutMs,
    });
    expect(problemOf(call(null))).toBe('ok');
    expect(problemOf(call(0.5))).toBe('ok');
    expect(problemOf(call(MAX_CALL_TIMEOUT_MS))).toBe('ok');
    expect(problemOf(call(MAX_CALL_TIMEOUT_MS + 1))).toBe(W.OUT_OF_RANGE);
    expect(problemOf(call(-1))).toBe(W.OUT_OF_RANGE);
    expect(problemOf(call('soon'))).toBe(W.BAD_FIELD);
    expect(problemOf({ kind: 'call', to: 'c', callId: 1, event: { type: 'get' } })).toBe(W.BAD_FIELD);
  });

  it('exit reasons and error infos', () => {
    const down = (reason: unknown) => ({ kind: 'down', ref: 'r', reason });
    expect(problemOf(down('killed'))).toBe(W.BAD_FIELD);
    expect(problemOf(down({}))).toBe(W.BAD_FIELD);
    expect(problemOf(down({ shutdown: null }))).toBe('ok');
    expect(problemOf(down({ error: 'boom' }))).toBe(W.BAD_FIELD);
    expect(problemOf(down({ error: { code: 'E', message: 3 } }))).toBe(W.BAD_FIELD);
    expect(problemOf(down({ error: { code: '', message: '' } }))).toBe(W.OUT_OF_RANGE);
    const fail = (message: string) => ({ kind: 'fail', callId: 1, error: { code: 'E', message } });
    expect(problemOf(fail('m'.repeat(MAX_ERROR_MESSAGE_LENGTH)))).toBe('ok');
    expect(problemOf(fail('m'.repeat(MAX_ERROR_MESSAGE_LENGTH + 1)))).toBe(W.OUT_OF_RANGE);
    expect(problemOf({ kind: 'connect', reply: 'yes' })).toBe(W.BAD_FIELD);
  });

  it('never throw, whatever the shape (property)', () => {
    const anything = fc.anything({
      withBigInt: true,
      withTypedArray: true,
      withNullPrototype: true,
      maxDepth: 4,
    });
    const kinds = fc.constantFrom(
      'cast',
      'call',
      'stop',
      'reply',
      'fail',
      'monitor',
      'demonitor',
      'down',
      'connect',
    );
    const shaped = fc.record({
      kind: kinds,
      to: anything,
      callId: anything,
      event: fc.oneof(anything, fc.record({ type: anything, replyTo: anything }, { requiredKeys: ['type'] })),
      timeoutMs: anything,
      reason: fc.oneof(anything, fc.record({ error: anything }), fc.record({ shutdown: anything })),
      error: fc.oneof(anything, fc.record({ code: anything, message: anything })),
      reply: anything,
      ref: anything,
    });
    fc.assert(
      fc.property(fc.oneof(anything, shaped), (raw) => {
        const checked = validateRuntimeItem(raw);
        if (!checked.ok) expect(Object.values(W)).toContain(checked.problem.code);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the sender prepares what it sends', () => {
  const prepared = (message: DistMessage) => prepareRuntimeItem(message);

  it('leaves out fields holding undefined, and carries a reply of undefined as no field', () => {
    const event = { type: 'button', digit: 1, note: undefined, nested: { gone: undefined, kept: 2 } };
    expect(prepared({ kind: 'cast', to: 'door', event: ev(event) })).toEqual({
      ok: true,
      value: { kind: 'cast', to: 'door', event: { type: 'button', digit: 1, nested: { kept: 2 } } },
    });
    const reply = prepared({ kind: 'reply', callId: 1, reply: undefined });
    expect(reply).toEqual({ ok: true, value: { kind: 'reply', callId: 1 } }); // no field at all
    const bytes = encodeFrame({
      v: PROTOCOL_VERSION,
      t: 'runtime',
      messages: [reply.ok ? reply.value : null],
    });
    expect(receive(bytes)).toEqual({ items: [{ kind: 'reply', callId: 1, reply: undefined }], problems: [] });
  });

  it('refuses what no wire can carry, with the code the receiver would use', () => {
    const codeOf = (event: Record<string, unknown>) => {
      const checked = prepared({ kind: 'cast', to: 'door', event: ev({ type: 'x', ...event }) });
      return checked.ok ? 'ok' : checked.problem.code;
    };
    expect(codeOf({ at: new Date(0) })).toBe(W.BAD_VALUE); // an extension type would cost the link
    expect(codeOf({ callback: () => {} })).toBe(W.BAD_VALUE);
    expect(codeOf({ big: 10n })).toBe(W.BAD_VALUE);
    expect(codeOf({ list: [1, undefined] })).toBe(W.BAD_VALUE);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf({ cyclic })).toBe(W.BAD_VALUE);
    expect(codeOf({ replyTo: { send: () => {} } })).toBe(W.BAD_FIELD);
  });

  it('carries a call timeout too long for a timer as none, and cuts long error texts', () => {
    const call = prepared({ kind: 'call', to: 'c', callId: 1, event: { type: 'get' }, timeoutMs: 2 ** 40 });
    expect(call.ok && call.value.kind === 'call' && call.value.timeoutMs).toBeNull();
    const fail = prepared({
      kind: 'fail',
      callId: 1,
      error: { code: 'E', message: 'x'.repeat(10_000) },
      reason: { shutdown: new Map() },
    });
    expect(fail.ok).toBe(true);
    if (fail.ok && fail.value.kind === 'fail') {
      expect(fail.value.error.message).toHaveLength(MAX_ERROR_MESSAGE_LENGTH);
      // A `{ shutdown }` term that is not plain data travels as its string form: `down` always gets through.
      expect(fail.value.reason).toEqual({ shutdown: '[object Map]' });
    }
  });
});
