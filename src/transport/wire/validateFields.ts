// Field checks shared by the frame, envelope and request validators. Pure. Each check either
// returns the field as a fresh typed value or throws a FieldProblem that the caller turns into
// a coded refusal; throwing keeps the validators readable as a list of required fields.
import { setOwn } from '../../base/plainMsgpack.js';
import type { Ballot } from '../../paxos/ballot.js';
import type { PaxosValue } from '../../paxos/messages.js';
import { checkKey, checkValue } from '../../paxos/validate.js';
import { MAX_NAME_LENGTH } from './frames.js';
import { WIRE_ERROR_CODES, problem, type WireErrorCode, type WireProblem } from './wireErrors.js';

export class FieldProblem extends Error {
  constructor(readonly problem: WireProblem) {
    super(problem.detail);
  }
}

export function fail(code: WireErrorCode, detail: string): never {
  throw new FieldProblem(problem(code, detail));
}

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: WireProblem };

/** Runs a validator, turning its FieldProblem into a result. Other exceptions are bugs and propagate. */
export function checked<T>(validate: () => T): Checked<T> {
  try {
    return { ok: true, value: validate() };
  } catch (error) {
    if (error instanceof FieldProblem) return { ok: false, problem: error.problem };
    throw error;
  }
}

export type Fields = Readonly<Record<string, unknown>>;

export function isPlainObject(raw: unknown): raw is Fields {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const proto = Object.getPrototypeOf(raw) as unknown;
  return proto === Object.prototype || proto === null;
}

export function object(raw: unknown, what: string): Fields {
  if (!isPlainObject(raw)) fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be a map, got ${describe(raw)}`);
  return raw;
}

export function array(raw: unknown, what: string, maxItems: number): readonly unknown[] {
  if (!Array.isArray(raw)) fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be an array, got ${describe(raw)}`);
  if (raw.length > maxItems)
    fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} has ${raw.length} items, at most ${maxItems}`);
  return raw;
}

/** A node id, cluster name or incarnation: a non-empty string of at most MAX_NAME_LENGTH. */
export function name(raw: unknown, what: string): string {
  if (typeof raw !== 'string')
    fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be a string, got ${describe(raw)}`);
  if (raw.length === 0 || raw.length > MAX_NAME_LENGTH)
    fail(
      WIRE_ERROR_CODES.OUT_OF_RANGE,
      `${what} must have 1 to ${MAX_NAME_LENGTH} characters, got ${raw.length}`,
    );
  return raw;
}

export function bytes(raw: unknown, what: string, length: number): Uint8Array {
  if (!(raw instanceof Uint8Array))
    fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be binary, got ${describe(raw)}`);
  if (raw.byteLength !== length)
    fail(WIRE_ERROR_CODES.OUT_OF_RANGE, `${what} must be ${length} bytes, got ${raw.byteLength}`);
  return plainBytes(raw);
}

/** A non-negative safe integer: ballot rounds, request ids. Bigints (huge msgpack ints) are out of range. */
export function count(raw: unknown, what: string): number {
  if (typeof raw === 'bigint')
    fail(WIRE_ERROR_CODES.OUT_OF_RANGE, `${what} must be a safe integer, got ${raw.toString()}`);
  if (typeof raw !== 'number')
    fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be a number, got ${describe(raw)}`);
  if (!Number.isSafeInteger(raw) || raw < 0)
    fail(WIRE_ERROR_CODES.OUT_OF_RANGE, `${what} must be a non-negative safe integer, got ${raw}`);
  return raw;
}

export function tag(raw: unknown, what: string): string {
  if (typeof raw !== 'string')
    fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be a string, got ${describe(raw)}`);
  if (raw.length > MAX_NAME_LENGTH)
    fail(WIRE_ERROR_CODES.UNKNOWN_TAG, `${what} is ${raw.length} characters long`);
  return raw;
}

export function ballot(raw: unknown, what: string): Ballot {
  const fields = object(raw, what);
  const ballot = { round: count(fields.round, `${what}.round`), node: name(fields.node, `${what}.node`) };
  // The epoch (docs/membership.md §4.2): absent in epoch 0, so epoch-0 frames are unchanged.
  if (fields.epoch === undefined) return ballot;
  const epoch = count(fields.epoch, `${what}.epoch`);
  return epoch === 0 ? ballot : { epoch, ...ballot };
}

export function key(raw: unknown): string {
  const why = checkKey(raw);
  if (why !== null) fail(WIRE_ERROR_CODES.BAD_KEY, why);
  return raw as string;
}

export function value(raw: unknown, what: string): PaxosValue {
  if (raw === undefined) fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} is missing`);
  const why = checkValue(raw);
  if (why !== null) fail(WIRE_ERROR_CODES.BAD_VALUE, why.replace(/^value/, what));
  return plainValue(raw as PaxosValue);
}

/**
 * msgpackr decodes binaries as Node Buffers; values become plain Uint8Arrays, so a value
 * decided over the wire is the same data as one decided in-process. Depth is already bounded.
 */
function plainValue(value: PaxosValue): PaxosValue {
  if (value instanceof Uint8Array) return plainBytes(value);
  if (Array.isArray(value)) return value.map(plainValue);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, PaxosValue> = {};
    for (const [field, item] of Object.entries(value)) setOwn(out, field, plainValue(item as PaxosValue));
    return out;
  }
  return value;
}

function plainBytes(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}

export function describe(raw: unknown): string {
  if (raw === null) return 'null';
  if (raw === undefined) return 'nothing';
  if (Array.isArray(raw)) return 'an array';
  if (raw instanceof Uint8Array) return 'binary';
  if (typeof raw === 'object') return (raw as object).constructor?.name ?? 'an object';
  return typeof raw;
}

/** A short, never-throwing rendering of untrusted input for error details. */
export function show(raw: unknown): string {
  let text: string;
  try {
    text = typeof raw === 'bigint' ? `${raw}n` : (JSON.stringify(raw) ?? describe(raw));
  } catch {
    text = describe(raw);
  }
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
