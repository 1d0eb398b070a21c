// The sending side of runtime items: turns what the actor runtime hands the router into what the
// wire carries, then checks it with the receiver's own validator (validateRuntime.ts). Pure.
// What cannot travel is refused here with the receiver's code, never put on the wire, because an
// extension type (a Date, say) would be refused as a malformed frame and cost the whole link.
import type { WireExitReason } from '../../runtime/distribution/remoteRouter.js';
import type { RuntimeErrorInfo } from '../../runtime/runtimeError.js';
import { checkValue, MAX_VALUE_DEPTH } from '../../paxos/validate.js';
import {
  MAX_CALL_TIMEOUT_MS,
  MAX_ERROR_CODE_LENGTH,
  MAX_ERROR_MESSAGE_LENGTH,
  type RuntimeItem,
} from './runtimeItems.js';
import type { Checked } from '../wire/validateFields.js';
import { validateRuntimeItem } from './validateRuntime.js';

/**
 * `item` as it will be sent, or the problem the receiver would have with it. Normalised first:
 * fields holding `undefined` are left out (as JSON does), a reply of `undefined` travels as no
 * `reply` field, a call timeout too long for a timer travels as `null`, error texts are cut to
 * their limits, and a `{ shutdown }` reason that is not plain data travels as its string form, so
 * `fail` and `down` always get through.
 */
export function prepareRuntimeItem(item: RuntimeItem): Checked<RuntimeItem> {
  const wire = normalise(item);
  const checked = validateRuntimeItem(wire);
  // The normalised item, not the validator's copy: that one reads an absent `reply` as a field
  // holding undefined, which msgpack would encode as an extension type.
  return checked.ok ? { ok: true, value: wire as RuntimeItem } : checked;
}

function normalise(item: RuntimeItem): unknown {
  switch (item.kind) {
    case 'cast':
      return { ...item, event: withoutUndefined(item.event, 0) };
    case 'call':
      return {
        ...item,
        event: withoutUndefined(item.event, 0),
        timeoutMs: item.timeoutMs !== null && item.timeoutMs > MAX_CALL_TIMEOUT_MS ? null : item.timeoutMs,
      };
    case 'stop':
      return { ...item, reason: wireReason(item.reason) };
    case 'reply':
      return item.reply === undefined
        ? { kind: item.kind, callId: item.callId }
        : { ...item, reply: withoutUndefined(item.reply, 0) };
    case 'fail':
      return {
        kind: item.kind,
        callId: item.callId,
        error: errorInfo(item.error),
        ...(item.reason !== undefined ? { reason: wireReason(item.reason) } : {}),
      };
    case 'down':
      return { ...item, reason: wireReason(item.reason) };
    case 'monitor':
    case 'demonitor':
    case 'connect':
    case 'disconnect':
      return item;
  }
}

function wireReason(reason: WireExitReason): WireExitReason {
  if (typeof reason !== 'object') return reason;
  if ('error' in reason) return { error: errorInfo(reason.error) };
  const shutdown = withoutUndefined(reason.shutdown, 0);
  return { shutdown: shutdown !== undefined && checkValue(shutdown) === null ? shutdown : String(shutdown) };
}

function errorInfo(info: RuntimeErrorInfo): RuntimeErrorInfo {
  return {
    code: String(info.code).slice(0, MAX_ERROR_CODE_LENGTH) || 'ERR_UNKNOWN',
    message: String(info.message).slice(0, MAX_ERROR_MESSAGE_LENGTH),
  };
}

/**
 * A copy of `value` without the object fields that hold `undefined`. Only plain objects and arrays
 * are walked (class instances are left for the validator to refuse), and only to the depth the
 * validator accepts, so a cycle ends here too.
 */
function withoutUndefined(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_VALUE_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => withoutUndefined(item, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => [key, withoutUndefined(item, depth + 1)]),
  );
}
