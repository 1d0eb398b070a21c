// How decided values are printed. Strings print bare (so `$(gen-paxos ask …)` is the value),
// unless they would read as JSON: those print as a JSON string, quoted, so the string
// '{"a":[1,2]}' and the object {"a":[1,2]} never look alike. Everything else prints as JSON,
// with byte arrays as {"base64": "…"} since JSON has no bytes. So a printed line that parses as
// JSON is that JSON value; one that does not is a string, as it is.
import { setOwn } from '../base/plainMsgpack.js';
import type { PaxosValue } from '../paxos/messages.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [field: string]: JsonValue };

export function jsonOf(value: PaxosValue): JsonValue {
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(jsonOf);
  if (typeof value === 'object' && value !== null) {
    const out: { [field: string]: JsonValue } = {};
    // setOwn: a `__proto__` key of the value stays a key (assignment would make it the prototype).
    for (const [field, item] of Object.entries(value)) setOwn(out, field, jsonOf(item as PaxosValue));
    return out;
  }
  return value as JsonValue;
}

export function showValue(value: PaxosValue): string {
  if (typeof value !== 'string') return JSON.stringify(jsonOf(value));
  return readsAsJson(value) ? JSON.stringify(value) : value;
}

function readsAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
