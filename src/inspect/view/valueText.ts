// How the view shows a decided value: compact JSON (byte arrays as {"base64": …}), and for a
// long value its start plus a digest of the whole, so the agreement badge still compares whole
// values while the feed stays small. Equal texts mean equal values.
import { createHash } from 'node:crypto';
import type { PaxosValue } from '../../paxos/messages.js';

/** Values whose JSON is longer than this are shortened (with a digest of the whole). */
export const MAX_VALUE_TEXT = 120;

function plain(value: PaxosValue): unknown {
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v as PaxosValue)]));
  return value;
}

export function valueText(value: PaxosValue): string {
  const json = JSON.stringify(plain(value));
  if (json.length <= MAX_VALUE_TEXT) return json;
  const digest = createHash('sha256').update(json).digest('hex').slice(0, 12);
  return `${json.slice(0, MAX_VALUE_TEXT - 20)}…#${digest}`;
}
