// Validation of a decoded frame's outer shape (frames.ts). Pure. A problem here is a problem of
// the whole frame and closes the link; the items of a batch, requests or replies frame are
// left raw for validateMessage.ts / validateRequest.ts, so one bad item drops only itself.
import {
  DIGEST_HEX_LENGTH,
  FRAME_TYPES,
  MAX_BATCH_ITEMS,
  MAX_INCARNATION_RECORDS,
  MAX_REFUSAL_DETAIL_LENGTH,
  NONCE_BYTES,
  PROOF_BYTES,
  SIGNATURE_BYTES,
  PROTOCOL_VERSION,
  isLocalEventType,
  type ChallengeFrame,
  type FrameType,
  type HelloFrame,
  type IncarnationRecord,
  type RefusalFrame,
  type Role,
  type WelcomeFrame,
} from './frames.js';
import * as field from './validateFields.js';
import { WIRE_ERROR_CODES, codeOfCloseReason } from './wireErrors.js';

export type InboundFrame =
  | ChallengeFrame
  | HelloFrame
  | WelcomeFrame
  | RefusalFrame
  | { readonly v: number; readonly t: 'batch'; readonly cfg?: number; readonly envelopes: readonly unknown[] }
  | { readonly v: number; readonly t: 'runtime'; readonly messages: readonly unknown[] }
  | { readonly v: number; readonly t: 'requests'; readonly requests: readonly unknown[] }
  | { readonly v: number; readonly t: 'replies'; readonly replies: readonly unknown[] };

export function validateFrame(raw: unknown): field.Checked<InboundFrame> {
  return field.checked(() => {
    if (!field.isPlainObject(raw))
      field.fail(WIRE_ERROR_CODES.BAD_FRAME, `a frame must be a map, got ${field.describe(raw)}`);
    // The version first: a frame of another version may have any other shape.
    const v = raw.v;
    if (v !== PROTOCOL_VERSION) {
      field.fail(
        WIRE_ERROR_CODES.BAD_VERSION,
        `protocol version ${field.show(v)}, this node speaks ${PROTOCOL_VERSION}`,
      );
    }
    if (typeof raw.t !== 'string')
      field.fail(WIRE_ERROR_CODES.BAD_FRAME, `frame type t must be a string, got ${field.describe(raw.t)}`);
    const t = raw.t;
    if (isLocalEventType(t))
      field.fail(WIRE_ERROR_CODES.LOCAL_EVENT, `${field.show(t)} is a local event, not a frame`);
    if (!(FRAME_TYPES as readonly string[]).includes(t))
      field.fail(WIRE_ERROR_CODES.UNKNOWN_TAG, `unknown frame type ${field.show(t)}`);
    return frameOf(t as FrameType, raw);
  });
}

function frameOf(t: FrameType, raw: field.Fields): InboundFrame {
  const v = PROTOCOL_VERSION;
  switch (t) {
    case 'challenge':
      return { v, t, nonce: field.bytes(raw.nonce, 'nonce', NONCE_BYTES) };
    case 'hello':
      return {
        v,
        t,
        cluster: field.name(raw.cluster, 'cluster'),
        node: field.name(raw.node, 'node'),
        role: role(raw.role),
        incarnation: field.name(raw.incarnation, 'incarnation'),
        ...configuration(raw.cfg, raw.digest),
        ...incarnations(raw.incarnations),
        nonce: field.bytes(raw.nonce, 'nonce', NONCE_BYTES),
        proof: field.bytes(raw.proof, 'proof', PROOF_BYTES),
        ...signature(raw.sig),
      };
    case 'welcome':
      return {
        v,
        t,
        node: field.name(raw.node, 'node'),
        incarnation: field.name(raw.incarnation, 'incarnation'),
        ...configuration(raw.cfg, raw.digest),
        ...incarnations(raw.incarnations),
        proof: field.bytes(raw.proof, 'proof', PROOF_BYTES),
        ...signature(raw.sig),
      };
    case 'refusal':
      return {
        v,
        t,
        node: field.name(raw.node, 'node'),
        code: refusalCode(raw.code),
        detail: refusalDetail(raw.detail),
        proof: field.bytes(raw.proof, 'proof', PROOF_BYTES),
        ...signature(raw.sig),
      };
    case 'batch':
      return {
        v,
        t,
        ...(raw.cfg === undefined || raw.cfg === null ? {} : { cfg: field.count(raw.cfg, 'cfg') }),
        envelopes: items(raw.envelopes, 'envelopes'),
      };
    case 'runtime':
      return { v, t, messages: items(raw.messages, 'messages') };
    case 'requests':
      return { v, t, requests: items(raw.requests, 'requests') };
    case 'replies':
      return { v, t, replies: items(raw.replies, 'replies') };
  }
}

/**
 * The configuration a hello or welcome announces: `cfg` (a configuration number) and `digest`
 * (64 lowercase hex characters), both or neither.
 */
function configuration(cfg: unknown, digest: unknown): { cfg?: number; digest?: string } {
  const absent = (raw: unknown) => raw === undefined || raw === null;
  if (absent(cfg) && absent(digest)) return {};
  if (absent(cfg) || absent(digest))
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, 'cfg and digest go together: both or neither');
  const number = field.count(cfg, 'cfg');
  if (typeof digest !== 'string' || !new RegExp(`^[0-9a-f]{${DIGEST_HEX_LENGTH}}$`).test(digest))
    field.fail(
      WIRE_ERROR_CODES.BAD_FIELD,
      `digest must be ${DIGEST_HEX_LENGTH} lowercase hex characters, got ${field.describe(digest)}`,
    );
  return { cfg: number, digest };
}

/** A refusal's code: one of the WIRE_ERR_* codes this node knows, nothing more. */
function refusalCode(raw: unknown): string {
  if (typeof raw !== 'string')
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, `code must be a string, got ${field.describe(raw)}`);
  if (codeOfCloseReason(raw) !== raw)
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, `code must be a WIRE_ERR_* code, got ${field.show(raw)}`);
  return raw;
}

function refusalDetail(raw: unknown): string {
  if (typeof raw !== 'string')
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, `detail must be a string, got ${field.describe(raw)}`);
  if (raw.length > MAX_REFUSAL_DETAIL_LENGTH)
    field.fail(
      WIRE_ERROR_CODES.OUT_OF_RANGE,
      `detail must have at most ${MAX_REFUSAL_DETAIL_LENGTH} characters, got ${raw.length}`,
    );
  return raw;
}

/** The optional Ed25519 signature of a hello, welcome or refusal. */
function signature(raw: unknown): { sig?: Uint8Array } {
  return raw === undefined || raw === null ? {} : { sig: field.bytes(raw, 'sig', SIGNATURE_BYTES) };
}

/**
 * The optional incarnation records of a hello or welcome: at most MAX_INCARNATION_RECORDS pairs
 * `[id, incarnation | null]`, ids unique and in increasing order (so the proof's transcript is
 * canonical), names of 1..128 characters, no incarnation starting with NUL (reserved).
 */
function incarnations(raw: unknown): { incarnations?: readonly IncarnationRecord[] } {
  if (raw === undefined || raw === null) return {};
  const list = field.array(raw, 'incarnations', MAX_INCARNATION_RECORDS);
  let previous: string | null = null;
  const records = list.map((pair, i): IncarnationRecord => {
    const what = `incarnations[${i}]`;
    const entry = field.array(pair, what, 2);
    if (entry.length !== 2)
      field.fail(WIRE_ERROR_CODES.BAD_FIELD, `${what} must be [id, incarnation], got ${entry.length} items`);
    const peer = field.name(entry[0], `${what}[0]`);
    if (previous !== null && peer <= previous)
      field.fail(
        WIRE_ERROR_CODES.BAD_FIELD,
        `${what}: ids must be unique and sorted, ${field.show(peer)} follows ${field.show(previous)}`,
      );
    previous = peer;
    if (entry[1] === null) return [peer, null];
    const incarnation = field.name(entry[1], `${what}[1]`);
    if (incarnation.startsWith('\u0000'))
      field.fail(WIRE_ERROR_CODES.BAD_FIELD, `${what}[1]: an incarnation must not start with NUL`);
    return [peer, incarnation];
  });
  return { incarnations: records };
}

function items(raw: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(raw))
    field.fail(WIRE_ERROR_CODES.BAD_FRAME, `${what} must be an array, got ${field.describe(raw)}`);
  if (raw.length > MAX_BATCH_ITEMS)
    field.fail(WIRE_ERROR_CODES.BAD_FRAME, `${raw.length} ${what} in one frame, at most ${MAX_BATCH_ITEMS}`);
  return raw;
}

function role(raw: unknown): Role {
  if (raw === 'peer' || raw === 'client') return raw;
  return field.fail(WIRE_ERROR_CODES.BAD_FIELD, `role must be "peer" or "client", got ${field.show(raw)}`);
}
