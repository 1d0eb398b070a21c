// Validation of one item of a `runtime` frame (runtimeItems.ts) before it reaches the actor
// runtime. Pure. Returns a fresh item holding only the known fields, its events and values copied
// into plain data, or a coded problem; a bad item costs only itself. The sender runs the same
// checks (prepareRuntimeItem.ts), so a correct node never sends what its peer would refuse.
import { checkValue } from '../../paxos/validate.js';
import type { WireExitReason } from '../../runtime/distribution/remoteRouter.js';
import type { RuntimeErrorInfo } from '../../runtime/runtimeError.js';
import {
  MAX_ACTOR_NAME_LENGTH,
  MAX_CALL_TIMEOUT_MS,
  MAX_ERROR_CODE_LENGTH,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_EVENT_TYPE_LENGTH,
  MAX_REF_LENGTH,
  RUNTIME_ITEM_KINDS,
  isRuntimeLocalEventType,
  type RuntimeItem,
  type RuntimeItemKind,
} from './runtimeItems.js';
import * as field from '../wire/validateFields.js';
import { WIRE_ERROR_CODES } from '../wire/wireErrors.js';

/** An event as it reaches an actor: a plain map with a string `type`. */
export interface WireEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

const ATOM_REASONS: readonly string[] = ['normal', 'shutdown', 'noproc', 'noconnection'];

export function validateRuntimeItem(raw: unknown): field.Checked<RuntimeItem> {
  return field.checked(() => {
    const fields = field.object(raw, 'runtime message');
    const kind = field.tag(fields.kind, 'kind');
    if (!(RUNTIME_ITEM_KINDS as readonly string[]).includes(kind))
      field.fail(WIRE_ERROR_CODES.UNKNOWN_TAG, `unknown runtime message kind ${field.show(kind)}`);
    return item(kind as RuntimeItemKind, fields);
  });
}

function item(kind: RuntimeItemKind, fields: field.Fields): RuntimeItem {
  switch (kind) {
    case 'cast':
      return { kind, to: text(fields.to, 'to', MAX_ACTOR_NAME_LENGTH), event: event(fields.event) };
    case 'call':
      return {
        kind,
        to: text(fields.to, 'to', MAX_ACTOR_NAME_LENGTH),
        callId: field.count(fields.callId, 'callId'),
        event: event(fields.event),
        timeoutMs: timeoutMs(fields.timeoutMs),
      };
    case 'stop':
      return {
        kind,
        to: text(fields.to, 'to', MAX_ACTOR_NAME_LENGTH),
        callId: field.count(fields.callId, 'callId'),
        reason: reason(fields.reason),
      };
    case 'reply':
      // No `reply` field stands for `undefined`, which msgpack cannot carry.
      return {
        kind,
        callId: field.count(fields.callId, 'callId'),
        reply: fields.reply === undefined ? undefined : data(fields.reply, 'reply'),
      };
    case 'fail':
      return {
        kind,
        callId: field.count(fields.callId, 'callId'),
        error: errorInfo(fields.error, 'error'),
        ...(fields.reason !== undefined ? { reason: reason(fields.reason) } : {}),
      };
    case 'monitor':
      return {
        kind,
        to: text(fields.to, 'to', MAX_ACTOR_NAME_LENGTH),
        ref: text(fields.ref, 'ref', MAX_REF_LENGTH),
      };
    case 'demonitor':
      return { kind, ref: text(fields.ref, 'ref', MAX_REF_LENGTH) };
    case 'down':
      return { kind, ref: text(fields.ref, 'ref', MAX_REF_LENGTH), reason: reason(fields.reason) };
    case 'connect':
      if (fields.reply !== undefined && typeof fields.reply !== 'boolean')
        field.fail(
          WIRE_ERROR_CODES.BAD_FIELD,
          `reply must be a boolean, got ${field.describe(fields.reply)}`,
        );
      return { kind, reply: fields.reply === true };
    case 'disconnect':
      return { kind };
  }
}

/** A registered name, monitor ref or error code: a non-empty string of bounded length. */
function text(raw: unknown, what: string, maxLength: number): string {
  if (typeof raw !== 'string')
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be a string, got ${field.describe(raw)}`);
  if (raw.length === 0 || raw.length > maxLength)
    field.fail(
      WIRE_ERROR_CODES.OUT_OF_RANGE,
      `${what} must have 1 to ${maxLength} characters, got ${raw.length}`,
    );
  return raw;
}

/**
 * An event for an actor. `replyTo` is refused: the receiving node sets it for calls, and a peer's
 * plain-data stand-in would make the machine's `reply` action throw.
 */
function event(raw: unknown): WireEvent {
  const fields = field.object(raw, 'event');
  const type = text(fields.type, 'event.type', MAX_EVENT_TYPE_LENGTH);
  if (isRuntimeLocalEventType(type))
    field.fail(WIRE_ERROR_CODES.LOCAL_EVENT, `${field.show(type)} is a local event, not a wire message`);
  if ('replyTo' in fields)
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, 'event.replyTo is set by the receiving node, not sent');
  return data(fields, 'event') as WireEvent;
}

/** Any plain data (checkValue's rules: no undefined, NaN, class instances, nesting beyond 64). */
function data(raw: unknown, what: string): unknown {
  const why = checkValue(raw);
  if (why !== null) field.fail(WIRE_ERROR_CODES.BAD_VALUE, why.replace(/^value/, what));
  return plainCopy(raw);
}

function timeoutMs(raw: unknown): number | null {
  if (raw === null) return null;
  if (typeof raw === 'bigint')
    field.fail(WIRE_ERROR_CODES.OUT_OF_RANGE, `timeoutMs must be at most ${MAX_CALL_TIMEOUT_MS}`);
  if (typeof raw !== 'number')
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, `timeoutMs must be a number or null, got ${field.describe(raw)}`);
  if (!(raw >= 0 && raw <= MAX_CALL_TIMEOUT_MS))
    field.fail(WIRE_ERROR_CODES.OUT_OF_RANGE, `timeoutMs must be 0..${MAX_CALL_TIMEOUT_MS}, got ${raw}`);
  return raw;
}

function reason(raw: unknown): WireExitReason {
  if (typeof raw === 'string' && ATOM_REASONS.includes(raw)) return raw as WireExitReason;
  if (field.isPlainObject(raw)) {
    if (raw.error !== undefined) return { error: errorInfo(raw.error, 'reason.error') };
    if (raw.shutdown !== undefined) return { shutdown: data(raw.shutdown, 'reason.shutdown') };
  }
  return field.fail(
    WIRE_ERROR_CODES.BAD_FIELD,
    `reason must be ${ATOM_REASONS.join(', ')}, { shutdown } or { error }, got ${field.show(raw)}`,
  );
}

function errorInfo(raw: unknown, what: string): RuntimeErrorInfo {
  const fields = field.object(raw, what);
  const message = fields.message;
  if (typeof message !== 'string')
    field.fail(
      WIRE_ERROR_CODES.BAD_FIELD,
      `${what}.message must be a string, got ${field.describe(message)}`,
    );
  if (message.length > MAX_ERROR_MESSAGE_LENGTH)
    field.fail(
      WIRE_ERROR_CODES.OUT_OF_RANGE,
      `${what}.message has ${message.length} characters, at most ${MAX_ERROR_MESSAGE_LENGTH}`,
    );
  return { code: text(fields.code, `${what}.code`, MAX_ERROR_CODE_LENGTH), message };
}

/**
 * A copy holding only plain data: binaries as plain Uint8Arrays (msgpackr yields Buffers), maps
 * rebuilt with own data properties only (Object.fromEntries defines `__proto__` as a field, never
 * as the prototype). Depth is already bounded by checkValue.
 */
function plainCopy(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.isBuffer(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : value;
  if (Array.isArray(value)) return value.map(plainCopy);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainCopy(item)]));
  return value;
}
