// The client protocol's membership requests (docs/membership.md §13, docs/wire-protocol.md): the
// member list (`members`) and a change (`change`: add, remove, or both to replace one member),
// with their validation on both sides. Pure. They extend the wire's request and reply unions
// (wire/frames.ts) for the client layer; a frame carries them as it carries the others.
import type { ClientReply as BaseClientReply, ClientRequest as BaseClientRequest } from '../wire/frames.js';
import * as field from '../wire/validateFields.js';
import { WIRE_ERROR_CODES } from '../wire/wireErrors.js';

/** Longest a change may be waited for: ten minutes (the node's rescan may take that long). */
export const MAX_CHANGE_TIMEOUT_MS = 600_000;
/** Longest member URL accepted (a ws:// or wss:// URL). */
export const MAX_MEMBER_URL_LENGTH = 2048;
/** Most members a reply may list (voters and leaving voters). */
export const MAX_LISTED_MEMBERS = 1024;

/** A member to add: its id and the ws:// or wss:// URL the others dial it at. */
export interface NewMember {
  readonly id: string;
  readonly url: string;
}

export type MemberRequest =
  | { readonly id: number; readonly type: 'members' }
  | {
      readonly id: number;
      readonly type: 'change';
      /** Both `add` and `remove`: one change that replaces `remove` with `add`. */
      readonly add?: NewMember;
      readonly remove?: string;
      /** How long the node waits for the change to complete (default its own, 60 s). */
      readonly timeoutMs?: number;
    };

/** One member as the answering node sees it (`gen-paxos member list`). */
export interface MemberReport {
  readonly id: string;
  /** Where members dial it: the configuration's URL, else the one this node dials; null if unknown. */
  readonly url: string | null;
  /** True for a voter of the newest configuration; false for a voter that is leaving. */
  readonly voter: boolean;
  /** `self` for the answering node; else its link to the member. */
  readonly link: 'self' | 'up' | 'down';
  /**
   * Why the link is down: the WIRE_ERR_* code of a refusal or close, else what happened
   * (`unreachable`, `heartbeat`, `connecting`…); null when the link is up or this is the node itself.
   */
  readonly linkDown: string | null;
  /** Whether the member pulled every other member's decided log (catch-up); null: not known here. */
  readonly caughtUp: boolean | null;
}

/** The answer to `members`, and to a completed `change`: the node's newest configuration. */
export interface MembersReport {
  /** The node that answered. */
  readonly node: string;
  readonly config: number;
  readonly epoch: number;
  /** True once the change that started this epoch is complete. */
  readonly complete: boolean;
  /** While the transition runs: the voters of the previous epoch; else null. */
  readonly previousVoters: readonly string[] | null;
  readonly members: readonly MemberReport[];
}

export type MemberReply = { readonly id: number; readonly type: 'members'; readonly members: MembersReport };

/** Every request of the client protocol, the membership ones included. */
export type ClientRequest = BaseClientRequest | MemberRequest;
export type ClientReply = BaseClientReply | MemberReply;
export const MEMBER_REQUEST_TYPES: readonly MemberRequest['type'][] = ['members', 'change'];

/** Validates a membership request's fields (its id and type are checked by the caller). */
export function memberRequest(id: number, type: MemberRequest['type'], fields: field.Fields): MemberRequest {
  if (type === 'members') return { id, type };
  const add = fields.add === undefined ? undefined : newMember(fields.add);
  const remove = fields.remove === undefined ? undefined : field.name(fields.remove, 'remove');
  if (add === undefined && remove === undefined)
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, 'a change needs add, remove, or both (a replacement)');
  const request: { id: number; type: 'change'; add?: NewMember; remove?: string; timeoutMs?: number } = {
    id,
    type,
  };
  if (add !== undefined) request.add = add;
  if (remove !== undefined) request.remove = remove;
  if (fields.timeoutMs !== undefined) {
    const timeoutMs = field.count(fields.timeoutMs, 'timeoutMs');
    if (timeoutMs < 1 || timeoutMs > MAX_CHANGE_TIMEOUT_MS)
      field.fail(
        WIRE_ERROR_CODES.OUT_OF_RANGE,
        `timeoutMs must be 1..${MAX_CHANGE_TIMEOUT_MS}, got ${timeoutMs}`,
      );
    request.timeoutMs = timeoutMs;
  }
  return request;
}

function newMember(raw: unknown): NewMember {
  const fields = field.object(raw, 'add');
  return { id: field.name(fields.id, 'add.id'), url: memberUrl(fields.url, 'add.url') };
}

function memberUrl(raw: unknown, what: string): string {
  if (typeof raw !== 'string' || !/^wss?:\/\/[^/\s]+/.test(raw))
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be a ws:// or wss:// URL, got ${field.show(raw)}`);
  if (raw.length > MAX_MEMBER_URL_LENGTH)
    field.fail(WIRE_ERROR_CODES.OUT_OF_RANGE, `${what} is longer than ${MAX_MEMBER_URL_LENGTH} characters`);
  return raw;
}

/** A node's `members` reply, checked field by field: it is shown to people and scripts read it. */
export function membersReport(raw: unknown): MembersReport {
  const fields = field.object(raw, 'members');
  const previous = fields.previousVoters;
  return {
    node: field.name(fields.node, 'members.node'),
    config: field.count(fields.config, 'members.config'),
    epoch: field.count(fields.epoch, 'members.epoch'),
    complete: boolean(fields.complete, 'members.complete'),
    previousVoters:
      previous === null || previous === undefined
        ? null
        : field
            .array(previous, 'members.previousVoters', MAX_LISTED_MEMBERS)
            .map((id) => field.name(id, 'members.previousVoters')),
    members: field
      .array(fields.members, 'members.members', MAX_LISTED_MEMBERS)
      .map((member) => memberReport(member)),
  };
}

function memberReport(raw: unknown): MemberReport {
  const fields = field.object(raw, 'member');
  const link = fields.link;
  if (link !== 'self' && link !== 'up' && link !== 'down')
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, `member.link must be self, up or down, got ${field.show(link)}`);
  return {
    id: field.name(fields.id, 'member.id'),
    url: fields.url === null ? null : text(fields.url, 'member.url'),
    voter: boolean(fields.voter, 'member.voter'),
    link,
    linkDown: fields.linkDown === null ? null : field.tag(fields.linkDown, 'member.linkDown'),
    caughtUp: fields.caughtUp === null ? null : boolean(fields.caughtUp, 'member.caughtUp'),
  };
}

/** A URL as the node knows it (a library user may have given any string): shown, never dialled here. */
function text(raw: unknown, what: string): string {
  if (typeof raw !== 'string') field.fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be a string`);
  return raw.slice(0, MAX_MEMBER_URL_LENGTH);
}

function boolean(raw: unknown, what: string): boolean {
  if (typeof raw !== 'boolean') field.fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be a boolean`);
  return raw;
}
