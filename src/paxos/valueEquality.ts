// Structural equality of Paxos values (messages.ts): what "the same value" means when an acceptor
// checks a second propose of a ballot, and when learners compare decisions. Pure.
import type { PaxosValue } from './messages.js';

export function valuesEqual(a: PaxosValue, b: PaxosValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i] as PaxosValue, b[i] as PaxosValue)) return false;
    return true;
  }
  const fields = Object.keys(a);
  if (fields.length !== Object.keys(b).length) return false;
  const other = b as Readonly<Record<string, PaxosValue>>;
  for (const field of fields) {
    if (!Object.prototype.hasOwnProperty.call(b, field)) return false;
    if (
      !valuesEqual(
        (a as Readonly<Record<string, PaxosValue>>)[field] as PaxosValue,
        other[field] as PaxosValue,
      )
    )
      return false;
  }
  return true;
}
