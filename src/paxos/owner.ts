// Each key has one owner among the members: the only node that may use ballot 0 for it, and so
// skip phase 1 for the key's first proposal. Pure; every node computes the same owner.
//
// Why ballot 0 needs no phase 1: phase 1 of ballot b makes sure no value other than the one it
// adopts can have been chosen in a ballot below b (Paxos Made Simple §2.2, P2c). No ballot is
// below (0, owner) — every other proposer's rounds start at 1, and acceptors refuse round 0 from
// anyone but the owner — so any value is safe for it.
//
// Round 0 is a fast round (Fast Paxos §3) in which the owner does not vote: a value is chosen in it
// only when every other member accepted it (quorum.ts, hasFastQuorum). So the owner writes nothing
// before its propose leaves, and the decision waits for one fsync (the others', in parallel). An
// owner that crashed and forgot its propose may send ballot 0 again with another value: acceptors
// that hold the first refuse the second (acceptor.ts, conflicting-value), so no ballot-0 value is
// chosen unless it is the only one any acceptor holds, and every later phase 1 finds it. Each
// round-0 propose carries the owner's boot (its store's restart counter), echoed by the
// acknowledgements, so a restarted owner never counts an acknowledgement of its earlier value; an
// instance restarted after a crash of its own (same boot) does not use round 0 at all.
import type { Ballot } from './ballot.js';

/** FNV-1a over the key's UTF-16 code units, into the members in sorted order. */
export function ownerOf(key: string, members: readonly string[]): string {
  return ownerAmongSorted(key, [...members].sort());
}

/** `ownerOf` for members already sorted (callers that ask often sort once). */
export function ownerAmongSorted(key: string, sorted: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return sorted[(hash >>> 0) % sorted.length] as string;
}

/** The ballot only the key's owner may use, without phase 1. */
export function firstBallot(owner: string): Ballot {
  return { round: 0, node: owner };
}

/** What `forwardTarget` needs to know about the key on this node. */
export interface ForwardView {
  readonly self: string;
  /** The key's owner, or null when the owner fast path is off. */
  readonly owner: string | null;
  /** Nothing promised, accepted or decided here for the key. */
  readonly fresh: boolean;
  /**
   * The ask must be proposed here: it was forwarded to the owner already and no decision came,
   * or the owner cannot be reached now.
   */
  readonly proposeHere: boolean;
}

/**
 * Where an ask made on this node should go: to the key's owner, who may propose it with ballot 0
 * and no phase 1 — but only for a key fresh here (one this node has voted on is being decided by
 * another proposer already, and the owner's ballot 0 would be refused; phase 1 finds the value
 * sooner), and never twice. Null: propose here, with both phases unless this node is the owner.
 * Safety does not rest on this rule: the acceptors refuse round 0 from anyone but the owner.
 */
export function forwardTarget(view: ForwardView): string | null {
  if (view.owner === null || view.owner === view.self || !view.fresh || view.proposeHere) return null;
  return view.owner;
}

/**
 * This node accepted the round-0 proposal of the key's owner, another member: the owner decides the
 * key, and this node learns it from the owner's decide. That decide is lazy when the owner knows of
 * nobody waiting for it (instanceMachine.ts `learnOwn`), so an ask here tells the owner with a
 * `forward` (keyStep.ts, and the machine's `acknowledged`), and the decide then comes at once.
 */
export function votedForOwnersRoundZero(
  self: string,
  owner: string | null,
  accepted: { readonly ballot: Ballot } | null,
): owner is string {
  return (
    owner !== null &&
    owner !== self &&
    accepted !== null &&
    accepted.ballot.round === 0 &&
    accepted.ballot.node === owner
  );
}
