// Checks a decoded JSON value is a well-formed ViewEvent before the model applies it: feeds
// come from other processes and recordings from files, and a bad line must be skipped, never
// crash the aggregator or the page. Browser-safe.
import {
  RELEASE_HOWS,
  VIEW_MESSAGE_TYPES,
  VIEW_STATES,
  type ReleaseHow,
  type RecordingHeader,
  type ViewEvent,
  type ViewMessageType,
  type ViewState,
} from './viewEvents.js';

type Fields = Record<string, unknown>;

const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isBallot = (v: unknown): v is string | null => v === null || isString(v);
const isState = (v: unknown): v is ViewState => VIEW_STATES.includes(v as ViewState);
const isMsg = (v: unknown): v is ViewMessageType => VIEW_MESSAGE_TYPES.includes(v as ViewMessageType);
const isRecord = (v: unknown, item: (x: unknown) => boolean): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(item);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isNullableString = (v: unknown): v is string | null => v === null || isString(v);
/** An optional field: absent, or passing `check`. */
const optional = (v: unknown, check: (x: unknown) => boolean): boolean => v === undefined || check(v);
const isHow = (v: unknown): v is ReleaseHow => RELEASE_HOWS.includes(v as ReleaseHow);
/** The optional fields of a send or drop (MessageDetail). */
const hasDetail = (e: Fields): boolean =>
  optional(e.value, isString) && optional(e.accepted, isNullableString) && optional(e.promised, isString);
/** The optional fields of a state event: the transition taken. */
const hasTransition = (e: Fields): boolean =>
  optional(e.from, isState) &&
  optional(e.event, isString) &&
  optional(e.cause, isString) &&
  optional(e.guard, isString) &&
  optional(e.anyState, isBool) &&
  optional(e.ballot, isString);
const isEnvelope = (e: Fields, peer: 'to' | 'from'): boolean =>
  isString(e.node) && isString(e[peer]) && isString(e.key) && isMsg(e.msg) && isBallot(e.ballot);

const CHECKS: Readonly<Record<ViewEvent['type'], (e: Fields) => boolean>> = {
  snapshot: (e) =>
    isString(e.node) &&
    isString(e.incarnation) &&
    isStringList(e.members) &&
    isRecord(e.links, isBool) &&
    (e.linkReasons === undefined || isRecord(e.linkReasons, isString)) &&
    isRecord(e.states, isState) &&
    isRecord(e.decided, isString),
  state: (e) => isString(e.node) && isString(e.key) && isState(e.state) && hasTransition(e),
  send: (e) => isEnvelope(e, 'to') && hasDetail(e),
  recv: (e) => isEnvelope(e, 'from'),
  drop: (e) => isEnvelope(e, 'to') && hasDetail(e),
  durable: (e) =>
    isString(e.node) &&
    isString(e.key) &&
    isNullableString(e.promised) &&
    isNullableString(e.accepted) &&
    isNullableString(e.value) &&
    isNullableString(e.decided),
  held: (e) => isEnvelope(e, 'to') && isCount(e.id),
  release: (e) => isString(e.node) && isCount(e.id) && isHow(e.how),
  decided: (e) => isString(e.node) && isString(e.key) && isString(e.value),
  link: (e) =>
    isString(e.node) && isString(e.peer) && isBool(e.up) && (e.reason === undefined || isString(e.reason)),
  node: (e) => isString(e.node) && isBool(e.up),
  faults: (e) =>
    isString(e.node) &&
    isStringList(e.blockOut) &&
    isStringList(e.blockIn) &&
    isTime(e.dropRate) &&
    isTime(e.delayMs) &&
    isTime(e.jitterMs) &&
    optional(e.hold, isBool),
  note: (e) => isString(e.text) && (e.node === undefined || isString(e.node)),
  tick: () => true,
};

/** The event, if `raw` is one; otherwise null. */
export function validateViewEvent(raw: unknown): ViewEvent | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const e = raw as Fields;
  if (!isTime(e.t) || typeof e.type !== 'string' || !Object.hasOwn(CHECKS, e.type)) return null;
  return CHECKS[e.type as ViewEvent['type']](e) ? (raw as ViewEvent) : null;
}

/** The header, if `raw` is a recording header. */
export function validateRecordingHeader(raw: unknown): RecordingHeader | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const e = raw as Fields;
  return e.type === 'recording' &&
    typeof e.version === 'number' &&
    isString(e.source) &&
    isStringList(e.nodes)
    ? (raw as RecordingHeader)
    : null;
}
