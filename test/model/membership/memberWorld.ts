// The state of the membership model (memberModel.ts): the nodes with their durable records and
// proposers, the rescan in progress, the network and the ghost acceptances. Plain immutable data.
import type { Ballot } from '../../../src/paxos/ballot.js';
import type { PaxosMessage, PaxosValue } from '../../../src/paxos/messages.js';
import type { PromiseReceived } from '../../../src/paxos/proposer.js';
import type { KeyRecord } from '../../../src/paxos/record.js';
import type { KeyAction, Report } from '../../../src/paxos/rescan.js';
import type { Bits } from '../bitset.js';

/** A node's proposer (in memory): a user value, or null for the rescanner's recovery. */
export interface Proposer {
  readonly value: PaxosValue | null;
  /** The configuration it runs under, and its quorums, fixed when its ballot started. */
  readonly cfg: number;
  readonly p1: readonly (readonly string[])[];
  readonly p2: readonly string[];
  /** null: waiting to start a ballot (after adopting a newer configuration). */
  readonly ballot: Ballot | null;
  readonly phase: 1 | 2;
  readonly promises: readonly PromiseReceived[];
  readonly acks: readonly string[];
  readonly proposing: PaxosValue | null;
}

export interface NodeState {
  /** False once it lost its disk: it never votes again (its peers refuse its new incarnation). */
  readonly up: boolean;
  /** Durable: the highest configuration adopted (its epoch is the node's fence). */
  readonly adopted: number;
  /** Durable: the highest epoch this node knows complete. */
  readonly knownComplete: number;
  /** Durable: the key's record. */
  readonly record: KeyRecord;
  readonly asked: boolean;
  /** Crashed before: round 0 is not used again (owner.ts, a restarted instance). */
  readonly restarted: boolean;
  readonly proposer: Proposer | null;
}

export interface RescanState {
  readonly reports: readonly Report[];
  /** The merged plan for the key: undefined before the merge, null when no report held the key. */
  readonly plan?: KeyAction | null;
  readonly learned: readonly string[];
  readonly recovery: 'decided' | 'empty' | null;
}

export interface MemberWorld {
  readonly nodes: readonly NodeState[];
  /** The highest configuration decided (`\0cfg/N`). */
  readonly cfgDecided: number;
  /** The highest epoch completed (`\0done/e`). */
  readonly completeEpoch: number;
  readonly rescan: RescanState | null;
  readonly crashes: number;
  readonly network: Bits;
  /** Ghost: every acceptance (node, ballot, configuration of the proposer, value) ever made. */
  readonly acceptances: Bits;
  /** Ghost: values some node told a client (decided). */
  readonly learned: readonly string[];
}

/** A message between nodes, with the configuration number its sender ran under (§5.1). */
export interface Envelope {
  readonly from: string;
  readonly to: string;
  readonly cfg: number;
  readonly message:
    PaxosMessage | { readonly type: 'learn'; readonly value: PaxosValue } | { readonly type: 'learned' };
}

export interface Acceptance {
  readonly node: string;
  readonly ballot: Ballot;
  readonly cfg: number;
  readonly value: string;
}

/** A rescan not begun: no reports, no plan yet. */
export function freshRescan(): RescanState {
  return { reports: [], learned: [], recovery: null };
}

/** Orders reports and promises by sender, so equal sets make equal states. */
export function byFrom<T extends { readonly from: string }>(a: T, b: T): number {
  return a.from < b.from ? -1 : a.from > b.from ? 1 : 0;
}

/** Every node in `sets` and `more`, sorted. */
export function union(sets: readonly (readonly string[])[], more: readonly string[]): string[] {
  const all = new Set<string>(more);
  for (const set of sets) for (const id of set) all.add(id);
  return [...all].sort();
}
