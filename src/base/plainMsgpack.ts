// msgpack decoding that keeps every map key. msgpackr renames a `__proto__` key to `__proto_`
// when it decodes maps as objects (its guard against prototype pollution), so a value holding one
// would come back changed. Bytes that contain the characters `__proto__` anywhere are decoded
// with maps as Map objects instead and turned into plain objects whose `__proto__` is an own data
// property (as JSON.parse makes it), never a prototype. Everything else takes msgpackr's fast path.
import { Unpackr, type Options } from 'msgpackr';

const PROTO = Buffer.from('__proto__', 'utf8');

export type PlainUnpack = (bytes: Uint8Array) => unknown;

/** A decoder for `options` (maps as objects, no records) that keeps `__proto__` keys. */
export function createPlainUnpack(options: Options): PlainUnpack {
  const fast = new Unpackr({ ...options, useRecords: false, mapsAsObjects: true });
  const exact = new Unpackr({ ...options, useRecords: false, mapsAsObjects: false });
  return (bytes) => {
    const buffer = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buffer.indexOf(PROTO) < 0) return fast.unpack(buffer);
    return mapsToObjects(exact.unpack(buffer));
  };
}

/** Thrown for a map key that is not a string: values and frames have string keys only. */
export class NonStringKeyError extends Error {}

/** Maps become plain objects, recursively; depth is bounded by the caller's scan. */
function mapsToObjects(value: unknown): unknown {
  if (value instanceof Map) {
    const object: Record<string, unknown> = {};
    for (const [key, item] of value) {
      if (typeof key !== 'string') throw new NonStringKeyError(`a map key of type ${typeof key}`);
      Object.defineProperty(object, key, {
        value: mapsToObjects(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return object;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = mapsToObjects(value[i]);
    return value;
  }
  return value;
}

/**
 * Copies a plain object keeping every own key: assignment would turn a `__proto__` key into the
 * copy's prototype.
 */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
