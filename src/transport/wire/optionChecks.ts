// Checks of transport options shared by the peer transport and the client: each returns the
// value or throws a GenPaxosError with PAXOS_ERR_BAD_OPTION naming the option.
import { ERROR_CODES, GenPaxosError } from '../../base/errors.js';
import { MAX_NAME_LENGTH } from './frames.js';

/** A node id, cluster name or incarnation: 1 to MAX_NAME_LENGTH characters. */
export function checkedName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH)
    bad(`${what} must be a string of 1 to ${MAX_NAME_LENGTH} characters, got ${JSON.stringify(value)}`);
  return value;
}

/** The cluster secret as bytes; an empty one would make every HMAC proof trivial. */
export function checkedSecret(secret: unknown): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0)
    bad('secret must be a non-empty string or byte array');
  return bytes;
}

/** `value`, or `fallback` when it is not given; either way a positive finite number. */
export function checkedPositive(value: number | undefined, fallback: number, what: string): number {
  const chosen = value ?? fallback;
  if (typeof chosen !== 'number' || !Number.isFinite(chosen) || chosen <= 0)
    bad(`${what} must be a positive number, got ${String(value)}`);
  return chosen;
}

function bad(message: string): never {
  throw new GenPaxosError(ERROR_CODES.BAD_OPTION, message);
}
