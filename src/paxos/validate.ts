// Argument checks for keys and values. Pure: each returns a description of the problem, or
// null when the argument is acceptable; callers turn problems into coded errors.

/** Longest key accepted, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 1024;
/** Deepest nesting of arrays and objects accepted in a value. */
export const MAX_VALUE_DEPTH = 64;
/**
 * Largest value accepted, in bytes of msgpack counted with the widest headers (each string,
 * binary, array and map header as 5 bytes, each number as 9): never less than the value's real
 * encoding. 1 MiB, so that a propose, promise or decide carrying it (plus a key of at most
 * MAX_KEY_LENGTH and the envelope) always fits a peer frame (4 MiB by default, never less than
 * MIN_FRAME_BYTES). docs/wire-protocol.md, "Sizes".
 */
export const MAX_VALUE_BYTES = 1024 * 1024;
/** Headroom of one envelope around its value: key (3 bytes a UTF-16 unit at most), ids, ballot. */
export const MAX_ENVELOPE_OVERHEAD_BYTES = 16 * 1024;
/** The smallest frame bound a transport may be given: one envelope with the largest value. */
export const MIN_FRAME_BYTES = MAX_VALUE_BYTES + MAX_ENVELOPE_OVERHEAD_BYTES;

export function checkKey(key: unknown): string | null {
  if (typeof key !== 'string') return `a key must be a string, got ${describe(key)}`;
  if (key.length === 0) return 'a key must not be empty';
  if (key.length > MAX_KEY_LENGTH)
    return `a key must be at most ${MAX_KEY_LENGTH} characters, got ${key.length}`;
  // A lone surrogate has no UTF-8 form: on the wire it would become U+FFFD, and two distinct keys
  // would be decided as one.
  if (utf8Length(key) < 0) return 'a key must be well-formed Unicode: it has a lone surrogate';
  return null;
}

// eslint-disable-next-line no-control-regex -- every ASCII code unit, NUL included, on purpose
const ASCII = /^[\x00-\x7f]*$/;

/**
 * UTF-8 length of `text`, or -1 when it holds a lone surrogate (no UTF-8 form; msgpack strings
 * are UTF-8, so such a string would not come back as sent).
 */
export function utf8Length(text: string): number {
  // A long ASCII string (most values) is one byte a character, proven by one native regex scan,
  // about five times faster than the loop below at 256 characters; short ones loop faster.
  if (text.length > 32 && ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      bytes += 4;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return -1;
    else bytes += 3;
  }
  return bytes;
}

/**
 * Values are what msgpack carries faithfully: well-formed strings, finite numbers, booleans,
 * null, byte arrays (Uint8Array), arrays and plain objects of those (any own keys, `__proto__`
 * and `constructor` included), of at most `MAX_VALUE_BYTES`. Rejected: undefined (msgpack has no
 * such value), NaN and infinities (they break equality between nodes' decisions), bigint,
 * functions, symbols, class instances (Map, Date…), cycles, strings or keys with a lone surrogate
 * (UTF-8 has no form for them), nesting deeper than `MAX_VALUE_DEPTH`, and larger values.
 */
export function checkValue(value: unknown): string | null {
  return measureValue(value).problem;
}

/**
 * checkValue's verdict with the value's size (msgpack bytes counted with the widest headers; once
 * past MAX_VALUE_BYTES the count stops early). Admission control weighs asks by it.
 */
export function measureValue(value: unknown): { readonly problem: string | null; readonly bytes: number } {
  const walk: Walk = { bytes: 0, seen: null };
  const problem = checkAt(value, 'value', 0, walk);
  if (problem !== null) return { problem, bytes: walk.bytes };
  if (walk.bytes > MAX_VALUE_BYTES)
    return { problem: `value is over ${MAX_VALUE_BYTES} bytes of msgpack`, bytes: walk.bytes };
  return { problem: null, bytes: walk.bytes };
}

interface Walk {
  /** The encoded size so far, counted with the widest headers. */
  bytes: number;
  /**
   * The containers on the path from the root, to refuse cycles. Made at the first container:
   * most values are a string or a number, checked several times per ask, and need none.
   */
  seen: Set<object> | null;
}

/** Header of a string, binary, array or map, counted at its widest. */
const HEADER_BYTES = 5;

function checkAt(value: unknown, path: string, depth: number, walk: Walk): string | null {
  // Stop early on a huge value: its size is already known to be too much.
  if (walk.bytes > MAX_VALUE_BYTES) return null;
  switch (typeof value) {
    case 'string':
      return checkText(value, path, walk);
    case 'boolean':
      walk.bytes += 1;
      return null;
    case 'number':
      walk.bytes += 9;
      return Number.isFinite(value) ? null : `${path} must be a finite number, got ${value}`;
    case 'object':
      break;
    default:
      return `${path} cannot be ${describe(value)}`;
  }
  if (value === null) {
    walk.bytes += 1;
    return null;
  }
  if (value instanceof Uint8Array) {
    walk.bytes += HEADER_BYTES + value.byteLength;
    return null;
  }
  if (depth >= MAX_VALUE_DEPTH) return `${path} is nested deeper than ${MAX_VALUE_DEPTH} levels`;
  const seen = (walk.seen ??= new Set());
  if (seen.has(value)) return `${path} contains a cycle`;
  seen.add(value);
  walk.bytes += HEADER_BYTES;
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const problem = checkAt(value[i], `${path}[${i}]`, depth + 1, walk);
        if (problem !== null) return problem;
      }
      return null;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null)
      return `${path} must be a plain object, got ${describe(value)}`;
    for (const field of Object.keys(value)) {
      const keyProblem = checkText(field, `${path} key ${JSON.stringify(field)}`, walk);
      if (keyProblem !== null) return keyProblem;
      const item = (value as Record<string, unknown>)[field];
      const problem = checkAt(item, `${path}.${field}`, depth + 1, walk);
      if (problem !== null) return problem;
    }
    return null;
  } finally {
    seen.delete(value);
  }
}

function checkText(text: string, path: string, walk: Walk): string | null {
  const bytes = utf8Length(text);
  if (bytes < 0) return `${path} must be well-formed Unicode: it has a lone surrogate`;
  walk.bytes += HEADER_BYTES + bytes;
  return null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
