// The Paxos messages exchanged between instances of one key. Pure data.
// Each tag is also the XState event type an instance receives (with `from` added).
//
// Paper (Paxos Made Simple)  | here        | original paxos_fsm
// phase 1a prepare           | prepare     | prepare
// phase 1b promise           | promise     | prepare_result
// phase 2a accept request    | propose     | propose
// phase 2b accepted          | acknowledge | propose_result
// (learner notification)     | decide      | decide
// (NACK, an optimisation)    | reject      | (none)
// (client request, forwarded) | forward    | (none)
// (quorum read, reads.ts)    | query/state | (none)
import type { Ballot } from './ballot.js';

/** Any value msgpack encodes: see `validateValue` for the exact rules. */
export type PaxosValue =
  | string
  | number
  | boolean
  | null
  | Uint8Array
  | readonly PaxosValue[]
  | { readonly [field: string]: PaxosValue };

/** What an acceptor has accepted: the value and the ballot it was accepted in. */
export interface AcceptedProposal {
  readonly ballot: Ballot;
  readonly value: PaxosValue;
}

/** Phase 1a: a proposer asks acceptors to promise not to accept below `ballot`. */
export interface PrepareMessage {
  readonly type: 'prepare';
  readonly ballot: Ballot;
}

/** Phase 1b: the promise, carrying the highest-ballot proposal the acceptor accepted (P2c). */
export interface PromiseMessage {
  readonly type: 'promise';
  readonly ballot: Ballot;
  readonly accepted: AcceptedProposal | null;
}

/** Phase 2a: the proposer asks acceptors to accept `value` in `ballot`. */
export interface ProposeMessage {
  readonly type: 'propose';
  readonly ballot: Ballot;
  readonly value: PaxosValue;
  /**
   * Round 0 only: the owner's boot (its store's restart counter). An owner that crashed and forgot
   * its round-0 propose may send another value in the same ballot after restarting; acceptors echo
   * the boot so that it never counts an acknowledgement of the value it sent before (owner.ts).
   */
  readonly boot?: number;
}

/** Phase 2b: the acceptor accepted `ballot` (and, in round 0, the propose of that `boot`). */
export interface AcknowledgeMessage {
  readonly type: 'acknowledge';
  readonly ballot: Ballot;
  readonly boot?: number;
}

/** The acceptor refused `ballot` because it promised the higher `promised`. */
export interface RejectMessage {
  readonly type: 'reject';
  readonly ballot: Ballot;
  readonly promised: Ballot;
}

/** The value is chosen. Sent by a proposer that saw a quorum, and by decided nodes to late senders. */
export interface DecideMessage {
  readonly type: 'decide';
  readonly value: PaxosValue;
}

/**
 * A member asks the key's owner to propose `value` for it: the owner may skip phase 1 with
 * ballot 0 (see owner.ts), which the asking member may not.
 */
export interface ForwardMessage {
  readonly type: 'forward';
  readonly value: PaxosValue;
}

/**
 * A quorum read (reads.ts) asks what a member durably holds for the key. It changes nothing: the
 * member answers with `state`, after every write of the key it issued before is durable.
 */
export interface QueryMessage {
  readonly type: 'query';
  /** Names the read, so that replies to concurrent reads of one key are not mixed up. */
  readonly read: number;
}

/** The answer to a `query`: the member's durable record of the key, its promise left out. */
export interface StateMessage {
  readonly type: 'state';
  readonly read: number;
  readonly accepted: AcceptedProposal | null;
  /** The decision, wrapped: `null` is a value a key can be decided to. */
  readonly decided: { readonly value: PaxosValue } | null;
}

export type PaxosMessage =
  | ForwardMessage
  | PrepareMessage
  | PromiseMessage
  | ProposeMessage
  | AcknowledgeMessage
  | RejectMessage
  | DecideMessage
  | QueryMessage
  | StateMessage;

export type PaxosMessageType = PaxosMessage['type'];

export const PAXOS_MESSAGE_TYPES: readonly PaxosMessageType[] = [
  'forward',
  'prepare',
  'promise',
  'propose',
  'acknowledge',
  'reject',
  'decide',
  'query',
  'state',
];

/** A message with its addressing: what travels between nodes. */
export interface Envelope {
  readonly from: string;
  readonly to: string;
  readonly key: string;
  readonly message: PaxosMessage;
}

/** A message as an instance receives it: the message fields plus the sender. */
export type InboundEvent = PaxosMessage & { readonly from: string };

/** Messages that start or drive a proposal; the others are replies to a proposer. */
export function isRequest(
  message: PaxosMessage,
): message is PrepareMessage | ProposeMessage | ForwardMessage {
  return message.type === 'prepare' || message.type === 'propose' || message.type === 'forward';
}
