// Validation of the client protocol's items: requests on the node side, replies on the client
// side (frames.ts). Pure. A bad request with a readable id is answered with an `error` reply
// carrying the problem's code; one without an id can only be counted and dropped.
import {
  CLIENT_REQUEST_TYPES,
  isLocalEventType,
  type LinkFaultSpec,
  type NodeStatus,
  type ReleaseHow,
  MAX_INJECTED_DELAY_MS,
  RELEASE_HOWS,
} from '../wire/frames.js';
import * as field from '../wire/validateFields.js';
import { WIRE_ERROR_CODES, type WireProblem } from '../wire/wireErrors.js';
import {
  MEMBER_REQUEST_TYPES,
  memberRequest,
  membersReport,
  type ClientReply,
  type ClientRequest,
  type MemberRequest,
} from './memberRequests.js';

/** Longest ask timeout a client may request: a minute. */
export const MAX_REQUEST_TIMEOUT_MS = 60_000;

export type CheckedRequest =
  | { readonly ok: true; readonly value: ClientRequest }
  | { readonly ok: false; readonly id: number | null; readonly problem: WireProblem };

export function validateRequest(raw: unknown): CheckedRequest {
  let id: number | null = null;
  const result = field.checked((): ClientRequest => {
    const fields = field.object(raw, 'request');
    id = field.count(fields.id, 'request.id');
    const type = field.tag(fields.type, 'request.type');
    if ((MEMBER_REQUEST_TYPES as readonly string[]).includes(type))
      return memberRequest(id, type as MemberRequest['type'], fields);
    if (!(CLIENT_REQUEST_TYPES as readonly string[]).includes(type)) {
      if (isLocalEventType(type))
        field.fail(WIRE_ERROR_CODES.LOCAL_EVENT, `${field.show(type)} is a local event, not a request`);
      field.fail(WIRE_ERROR_CODES.UNKNOWN_TAG, `unknown request type ${field.show(type)}`);
    }
    switch (type as (typeof CLIENT_REQUEST_TYPES)[number]) {
      case 'ask': {
        const request = {
          id,
          type: 'ask',
          key: field.key(fields.key),
          value: field.value(fields.value, 'value'),
        } as const;
        if (fields.timeoutMs === undefined) return request;
        const timeoutMs = field.count(fields.timeoutMs, 'timeoutMs');
        if (timeoutMs < 1 || timeoutMs > MAX_REQUEST_TIMEOUT_MS)
          field.fail(
            WIRE_ERROR_CODES.OUT_OF_RANGE,
            `timeoutMs must be 1..${MAX_REQUEST_TIMEOUT_MS}, got ${timeoutMs}`,
          );
        return Object.assign({}, request, { timeoutMs }); // not a spread: see paxos/keyStep.ts, `outcome`
      }
      case 'read': {
        const request = { id, type: 'read', key: field.key(fields.key) } as const;
        if (fields.quorum === undefined) return request;
        if (typeof fields.quorum !== 'boolean')
          field.fail(WIRE_ERROR_CODES.BAD_FIELD, 'quorum must be a boolean');
        return Object.assign({}, request, { quorum: fields.quorum });
      }
      case 'status':
        return { id, type: 'status' };
      case 'faults':
        return { id, type: 'faults', faults: linkFaults(fields.faults) };
      case 'release':
        return { id, type: 'release', ...release(fields) };
    }
  });
  return result.ok ? result : { ok: false, id, problem: result.problem };
}

/** A release request's message (an id, or `all`) and what to do with it. */
function release(fields: field.Fields): { held: number | 'all'; how: ReleaseHow } {
  const how = fields.how;
  if (!(RELEASE_HOWS as readonly unknown[]).includes(how))
    field.fail(
      WIRE_ERROR_CODES.BAD_FIELD,
      `how must be one of ${RELEASE_HOWS.join(', ')}, got ${field.show(how)}`,
    );
  if (fields.held === 'all') {
    if (how === 'duplicate')
      field.fail(WIRE_ERROR_CODES.BAD_FIELD, 'held "all" can be delivered or dropped, not duplicated');
    return { held: 'all', how: how as ReleaseHow };
  }
  return { held: field.count(fields.held, 'held'), how: how as ReleaseHow };
}

/** Peer lists, a probability and delays in range; used for requests and replies alike. */
function linkFaults(raw: unknown): LinkFaultSpec {
  const fields = field.object(raw, 'faults');
  const peers = (list: unknown, what: string) =>
    field.array(list ?? [], what, 1024).map((peer) => field.name(peer, what));
  const dropRate = fields.dropRate ?? 0;
  if (typeof dropRate !== 'number' || !(dropRate >= 0 && dropRate <= 1))
    field.fail(
      WIRE_ERROR_CODES.OUT_OF_RANGE,
      `faults.dropRate must be a number from 0 to 1, got ${field.show(dropRate)}`,
    );
  const delay = (value: unknown, what: string) => {
    const ms = value === undefined ? 0 : field.count(value, what);
    if (ms > MAX_INJECTED_DELAY_MS)
      field.fail(
        WIRE_ERROR_CODES.OUT_OF_RANGE,
        `${what} must be at most ${MAX_INJECTED_DELAY_MS}, got ${ms}`,
      );
    return ms;
  };
  const hold = fields.hold ?? false;
  if (typeof hold !== 'boolean') field.fail(WIRE_ERROR_CODES.BAD_FIELD, 'faults.hold must be a boolean');
  return {
    blockOut: peers(fields.blockOut, 'faults.blockOut'),
    blockIn: peers(fields.blockIn, 'faults.blockIn'),
    dropRate,
    delayMs: delay(fields.delayMs, 'faults.delayMs'),
    jitterMs: delay(fields.jitterMs, 'faults.jitterMs'),
    hold,
  };
}

/** A node's reply, as the client sees it. The node is authenticated, but its bytes are still input. */
export function validateReply(raw: unknown): field.Checked<ClientReply> {
  return field.checked((): ClientReply => {
    const fields = field.object(raw, 'reply');
    const id = field.count(fields.id, 'reply.id');
    const type = field.tag(fields.type, 'reply.type');
    switch (type) {
      case 'decided':
        return { id, type, key: field.key(fields.key), value: field.value(fields.value, 'value') };
      case 'read': {
        if (typeof fields.decided !== 'boolean')
          field.fail(WIRE_ERROR_CODES.BAD_FIELD, 'decided must be a boolean');
        const value = fields.decided ? field.value(fields.value, 'value') : null;
        return { id, type, key: field.key(fields.key), decided: fields.decided, value };
      }
      case 'status':
        // Shown to people, never fed to an actor: a map is enough.
        return { id, type, status: field.object(fields.status, 'status') as unknown as NodeStatus };
      case 'faults':
        return { id, type, faults: linkFaults(fields.faults) };
      case 'members':
        return { id, type, members: membersReport(fields.members) };
      case 'release':
        return { id, type, released: field.count(fields.released, 'released') };
      case 'error': {
        const error = {
          id,
          type,
          code: field.tag(fields.code, 'code'),
          message: text(fields.message),
        } as const;
        if (fields.retryAfterMs === undefined) return error;
        return { ...error, retryAfterMs: field.count(fields.retryAfterMs, 'retryAfterMs') };
      }
      default:
        return field.fail(WIRE_ERROR_CODES.UNKNOWN_TAG, `unknown reply type ${field.show(type)}`);
    }
  });
}

function text(raw: unknown): string {
  if (typeof raw !== 'string') field.fail(WIRE_ERROR_CODES.BAD_FIELD, 'message must be a string');
  return raw.slice(0, 4096);
}
