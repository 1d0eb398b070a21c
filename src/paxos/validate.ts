// Argument checks for keys and values. Pure: each returns a description of the problem, or
// null when the argument is acceptable; callers turn problems into coded errors.

/** Longest key accepted, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 1024;
/** Deepest nesting of arrays and objects accepted in a value. */
export const MAX_VALUE_DEPTH = 64;

export function checkKey(key: unknown): string | null {
  if (typeof key !== 'string') return `a key must be a string, got ${describe(key)}`;
  if (key.length === 0) return 'a key must not be empty';
  if (key.length > MAX_KEY_LENGTH)
    return `a key must be at most ${MAX_KEY_LENGTH} characters, got ${key.length}`;
  return null;
}

/**
 * Values are what msgpack carries faithfully: strings, finite numbers, booleans, null, byte
 * arrays (Uint8Array), arrays and plain objects of those. Rejected: undefined (msgpack has no
 * such value), NaN and infinities (they break equality between nodes' decisions), bigint,
 * functions, symbols, class instances (Map, Date…), cycles, and nesting deeper than
 * `MAX_VALUE_DEPTH`.
 */
export function checkValue(value: unknown): string | null {
  return checkAt(value, 'value', 0, new Set());
}

function checkAt(value: unknown, path: string, depth: number, seen: Set<object>): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${path} must be a finite number, got ${value}`;
    case 'object':
      break;
    default:
      return `${path} cannot be ${describe(value)}`;
  }
  if (value === null || value instanceof Uint8Array) return null;
  if (depth >= MAX_VALUE_DEPTH) return `${path} is nested deeper than ${MAX_VALUE_DEPTH} levels`;
  if (seen.has(value)) return `${path} contains a cycle`;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const problem = checkAt(value[i], `${path}[${i}]`, depth + 1, seen);
        if (problem !== null) return problem;
      }
      return null;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null)
      return `${path} must be a plain object, got ${describe(value)}`;
    for (const [field, item] of Object.entries(value)) {
      const problem = checkAt(item, `${path}.${field}`, depth + 1, seen);
      if (problem !== null) return problem;
    }
    return null;
  } finally {
    seen.delete(value);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
