// What one model-check run explores: the group, who proposes what, the bounds, and which
// instance machine (the real one, or a deliberately broken variant) every node runs.
import type { InstanceMachine } from '../../src/paxos/instanceMachine.js';
import type { keyStep } from '../../src/paxos/keyStep.js';
import type { Envelope, PaxosValue } from '../../src/paxos/messages.js';

export type InvariantName = 'agreement' | 'validity' | 'learnedIsChosen';

export const ALL_INVARIANTS: readonly InvariantName[] = ['agreement', 'validity', 'learnedIsChosen'];

export interface ModelConfig {
  readonly name: string;
  /** Every member of the group; each runs one instance of the key (proposer, acceptor, learner). */
  readonly members: readonly string[];
  /** The proposers, and the values each one's client may ask for (one ask per incarnation). */
  readonly proposals: Readonly<Record<string, readonly PaxosValue[]>>;
  /** Transitions that would start a ballot above this round are pruned. */
  readonly maxRound: number;
  /** Crash-restarts allowed in one execution, over all nodes. */
  readonly maxCrashes: number;
  /** The nodes that may crash (default: all); fewer keeps a bound with crashes within budget. */
  readonly crashable?: readonly string[];
  /** After a crash the client asks the restarted node again (it timed out on the first ask). */
  readonly reaskAfterRestart: boolean;
  /** What a restarted node loads: its durable record, or nothing (a broken, forgetful acceptor). */
  readonly restartFrom: 'durable' | 'empty';
  readonly machine: InstanceMachine;
  /** The owner fast path (ballot 0 for the key's owner, forwarded asks): on or off. */
  readonly ownerFastPath?: boolean;
  /** Votes and forwards without an instance (keyStep's fast path); default on, as in the node. */
  readonly acceptorFastPath?: boolean;
  /** The per-key step every node runs; a broken variant for a control, else the real one. */
  readonly keyStep?: typeof keyStep;
  /** What an instance started again after retirement loads: the record, or (broken) nothing. */
  readonly respawnFrom?: 'record' | 'empty';
  /** Per node, the owner it believes the key has (a misconfigured member), instead of the real one. */
  readonly ownerOf?: Readonly<Record<string, string | null>>;
  /** Messages in the network from the start, as a misbehaving member would send them. */
  readonly forgeries?: readonly Envelope[];
  /**
   * `atomic`: a step's effects happen together, and a crash may strike between them (what a
   * crash can leave is always a prefix of the emitted effects). `queued`: writes become durable
   * later, one by one, with the effects behind them held (the effect runner's barrier), so a
   * client can observe a node between steps.
   */
  readonly durability: 'atomic' | 'queued';
  /**
   * Client reads of a node's store (`read(key)`, and `ask` of a key already decided there):
   * none, of its durable record, or of its latest record durable or not (`Storage.load`).
   */
  readonly reads: 'none' | 'durable' | 'latest';
  readonly invariants: readonly InvariantName[];
}
