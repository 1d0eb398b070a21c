// What one membership model-check run explores (docs/membership.md §12): the chain of
// configurations, who asks what, the bounds and faults, and which rule of the protocol (if any)
// is deliberately broken for a must-fail control.
import type { Configuration } from '../../../src/paxos/config.js';
import type { PaxosValue } from '../../../src/paxos/messages.js';

/** One broken rule each: the controls of §12.2. */
export interface BrokenRules {
  /** C1: the transition completes as soon as the configuration is decided, without the rescan. */
  readonly skipRescan?: boolean;
  /** C2: transitional phase 1 asks a majority of the new voters only (both quorums change at once). */
  readonly bothQuorumsAtOnce?: boolean;
  /** C3: the new owner takes round 0 (no phase 1) while its epoch is still in transition. */
  readonly ownerSkipsPhase1?: boolean;
  /** C4: acceptors keep voting on ballots of older epochs after they adopted a newer one. */
  readonly noFence?: boolean;
  /**
   * C11: a recovery instance that learns the decision from another proposer's `decide` counts the
   * key as recovered, although its own phase 2 never put the value into a majority of the new voters.
   */
  readonly recoveryTrustsDecide?: boolean;
}

/** A scripted start: the prefix (docs/membership.md §11, step 1–2). */
export type Prefix =
  /** c proposed v1 at 1.c, a accepted, c decided and told a; c→b lost; c lost its disk. */
  | 'issue15-decided'
  /** The same, but c's decide to a is late: a holds v1 accepted, not decided, until it arrives. */
  | 'issue15-accepted';

export interface MemberScenario {
  readonly name: string;
  /** Configurations 0..N in order (chain[i].number === i). */
  readonly chain: readonly Configuration[];
  /** Every node that ever exists, at most 8. */
  readonly nodes: readonly string[];
  /** The one key every node runs. */
  readonly key: string;
  /** Each asking node's value (one ask per incarnation, in whatever configuration it has adopted). */
  readonly asks: Readonly<Record<string, PaxosValue>>;
  /** A node asks only while it has adopted this configuration (default: any it is a voter of). */
  readonly askUnder?: Readonly<Record<string, number>>;
  readonly ownerFastPath: boolean;
  /** Ballots above this round (in any epoch) are not explored. */
  readonly maxRound: number;
  readonly maxCrashes: number;
  /** Nodes that may crash-restart (default: every node). */
  readonly crashable?: readonly string[];
  /** The node that runs the change and its rescan (a voter of every configuration). */
  readonly rescanner: string;
  /** A node that loses its disk before the first change and never returns (refused if it tries). */
  readonly diskLoss?: string;
  readonly prefix?: Prefix;
  readonly broken?: BrokenRules;
}
