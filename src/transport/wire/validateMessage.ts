// Validation of one envelope from a peer and of the Paxos message it carries (messages.ts).
// Pure. Returns a fresh envelope holding only the known fields, or a coded problem; a bad
// envelope costs only itself, never the other envelopes of its frame.
import {
  PAXOS_MESSAGE_TYPES,
  type AcceptedProposal,
  type Envelope,
  type PaxosMessage,
  type PaxosMessageType,
  type PaxosValue,
} from '../../paxos/messages.js';
import { isLocalEventType } from './frames.js';
import * as field from './validateFields.js';
import { WIRE_ERROR_CODES } from './wireErrors.js';

export function validateEnvelope(raw: unknown): field.Checked<Envelope> {
  return field.checked(() => {
    const fields = field.object(raw, 'envelope');
    return {
      from: field.name(fields.from, 'envelope.from'),
      to: field.name(fields.to, 'envelope.to'),
      key: field.key(fields.key),
      message: paxosMessage(fields.message),
    };
  });
}

function paxosMessage(raw: unknown): PaxosMessage {
  const fields = field.object(raw, 'message');
  const type = field.tag(fields.type, 'message.type');
  if (isLocalEventType(type))
    field.fail(WIRE_ERROR_CODES.LOCAL_EVENT, `${field.show(type)} is a local event, not a wire message`);
  if (!(PAXOS_MESSAGE_TYPES as readonly string[]).includes(type))
    field.fail(WIRE_ERROR_CODES.UNKNOWN_TAG, `unknown message type ${field.show(type)}`);
  switch (type as PaxosMessageType) {
    case 'prepare':
      return { type: 'prepare', ballot: field.ballot(fields.ballot, 'ballot') };
    case 'promise':
      return {
        type: 'promise',
        ballot: field.ballot(fields.ballot, 'ballot'),
        accepted: accepted(fields.accepted),
      };
    case 'propose':
      return {
        type: 'propose',
        ballot: field.ballot(fields.ballot, 'ballot'),
        value: field.value(fields.value, 'value'),
        ...boot(fields.boot),
      };
    case 'acknowledge':
      return { type: 'acknowledge', ballot: field.ballot(fields.ballot, 'ballot'), ...boot(fields.boot) };
    case 'reject':
      return {
        type: 'reject',
        ballot: field.ballot(fields.ballot, 'ballot'),
        promised: field.ballot(fields.promised, 'promised'),
      };
    case 'decide':
      return { type: 'decide', value: field.value(fields.value, 'value') };
    case 'forward':
      return { type: 'forward', value: field.value(fields.value, 'value') };
    case 'query':
      return { type: 'query', read: field.count(fields.read, 'read') };
    case 'state':
      return {
        type: 'state',
        read: field.count(fields.read, 'read'),
        accepted: accepted(fields.accepted),
        decided: decision(fields.decided),
      };
  }
}

/** A state reply's decision: `null` when the member knows none, else `{ value }` (null is a value). */
function decision(raw: unknown): { readonly value: PaxosValue } | null {
  if (raw === null) return null;
  if (raw === undefined)
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, 'decided is missing (null when nothing is decided)');
  const fields = field.object(raw, 'decided');
  return { value: field.value(fields.value, 'decided.value') };
}

/** The owner's boot on a round-0 propose and its acknowledgements (messages.ts); absent otherwise. */
function boot(raw: unknown): { readonly boot?: number } {
  return raw === undefined ? {} : { boot: field.count(raw, 'boot') };
}

/** A promise's accepted proposal: `null` when the acceptor accepted nothing (Paxos Made Simple §2.2, phase 1b). */
function accepted(raw: unknown): AcceptedProposal | null {
  if (raw === null) return null;
  if (raw === undefined)
    field.fail(WIRE_ERROR_CODES.BAD_FIELD, 'accepted is missing (null when nothing was accepted)');
  const fields = field.object(raw, 'accepted');
  return {
    ballot: field.ballot(fields.ballot, 'accepted.ballot'),
    value: field.value(fields.value, 'accepted.value'),
  };
}
