// What a gen_paxos node says to the world: the replies its askers receive, the events its
// observers subscribe to (`actor.on(...)`), and the counters its snapshot carries. Kept apart
// from the supervisor that produces them so users and the façade depend on the vocabulary only.
import type { ErrorInfo } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import type { DecidedPage, KeyOrderPage } from '../storage/decidedLog.js';

/** Anything that can receive the node's replies: an XState actor, or the façade's resolver. */
export interface ReplyTo {
  send(event: GenPaxosNodeReply): void;
  /** True once nobody waits for the answer any more (a call that timed out): it may be dropped. */
  settled?(): boolean;
}

export type GenPaxosNodeReply =
  | { readonly type: 'paxos.decided'; readonly key: string; readonly value: PaxosValue }
  | {
      readonly type: 'paxos.read';
      readonly key: string;
      readonly decided: boolean;
      readonly value: PaxosValue | null;
    }
  | { readonly type: 'paxos.failed'; readonly key: string; readonly error: ErrorInfo }
  /** A page of the node's decided log, for a peer catching up (catchup/catchupPuller.ts). */
  | { readonly type: 'paxos.page'; readonly page: DecidedPage }
  /** A page of the node's decided records in key order, for a peer below its log's floor. */
  | { readonly type: 'paxos.keys'; readonly page: KeyOrderPage };

/** What the supervisor emits for observers (`actor.on(...)`): metrics and logs hang here. */
export type GenPaxosNodeEmitted =
  | {
      readonly type: 'decided';
      readonly key: string;
      readonly value: PaxosValue;
      /** Ballots this node started for the key before the decision (0: it learned it from others). */
      readonly rounds: number;
    }
  | { readonly type: 'instance.restarted'; readonly key: string; readonly error: ErrorInfo }
  | { readonly type: 'instance.failed'; readonly key: string; readonly error: ErrorInfo }
  | { readonly type: 'storage.failed'; readonly error: ErrorInfo }
  /**
   * Catch-up met a key `peer` says was decided with `theirs` where this node decided `local`: an
   * alarm that must never fire (PAXOS_ERR_DISAGREEMENT). The node stops voting.
   */
  | {
      readonly type: 'disagreement';
      readonly key: string;
      readonly peer: string;
      readonly local: PaxosValue;
      readonly theirs: PaxosValue;
    }
  /**
   * The node adopted a configuration, or learned that its transition is complete
   * (docs/membership.md §5.2): its number, epoch, voters, and whether it is complete.
   */
  | {
      readonly type: 'config.adopted';
      readonly config: number;
      readonly epoch: number;
      readonly complete: boolean;
      readonly voters: readonly string[];
    }
  | {
      readonly type: 'message.refused';
      readonly reason: string;
      readonly from: string;
      readonly key: string;
    };

/** Counters kept by the supervisor; the actor snapshot exposes them as plain data. */
export interface SupervisorStats {
  spawned: number;
  retired: number;
  restarted: number;
  failedKeys: number;
  decided: number;
  asks: number;
  messagesIn: number;
  messagesRefused: number;
  /**
   * Refused inbound messages by reason: the core's (`not-member`, `forged-ballot`,
   * `round-zero-not-owner`, `conflicting-value`: paxos/effects.ts) and the node's (`key failed`,
   * `storage failed`).
   */
  refusedByReason: Record<string, number>;
  /** Phase 1 ballots this node started (prepare broadcasts). */
  ballotsStarted: number;
  /** Ballots started beyond the first for the same key: retries after a timeout or a rejection. */
  retries: number;
  /** `reject` messages received: another proposer's ballot was higher. */
  rejectionsReceived: number;
  /**
   * Quorum reads answered, by how (quorumReads.ts): `decided` (a voter knew the decision),
   * `accepted` (a phase-2 quorum of acceptances proved it), `not-decided`, `recovered` (the read
   * ran the key's instance to a decision).
   */
  quorumReads: Record<string, number>;
}

/** A node's counters before its first event. */
export function emptySupervisorStats(): SupervisorStats {
  return {
    spawned: 0,
    retired: 0,
    restarted: 0,
    failedKeys: 0,
    decided: 0,
    asks: 0,
    messagesIn: 0,
    messagesRefused: 0,
    refusedByReason: {},
    ballotsStarted: 0,
    retries: 0,
    rejectionsReceived: 0,
    quorumReads: {},
  };
}
