// One node's knowledge of a group's lease log, and what the node should do next. Pure: the
// caller passes the time of its own clock and carries out the asks; nothing here reads a clock,
// sends or persists. docs/leader.md explains the rules; the comments cite them as (R1)…(R6).
//
// (R1) A node proposes a value for slot k only once it knows slots 1…k−1 are decided; so a
//      decided slot implies every slot below it is decided, and asking one below is a safe read.
// (R2) A lease starts at its holder's *first* ask of the claim (before anyone can know of it) and
//      lasts leaseMs of the holder's clock. Claims are unique, so a holder never mistakes an older
//      ask's win, or an earlier incarnation's, for the ask it timed.
// (R3) A node takes over another's lease only once its own clock shows leaseMs + guardMs since it
//      learned that lease (learning comes after the holder's first ask).
// (R4) A renewal is the next slot asked by the holder with the same epoch; any other claim of a
//      slot after a lease carries epoch + 1. So each epoch has exactly one holder.
// (R5) A node that finds it was behind, or has just started, probes: it asks the head with a
//      vacant record until its own probe wins, which proves it has seen the head.
// (R6) A slot decided to anything but a record of this group and slot counts as vacant.
import type { PaxosValue } from '../paxos/messages.js';
import { readLeaseRecord, type LeaseGrant, type LeaseRecord, type ReleaseRecord } from './leaseRecord.js';
import { takeoverAfterMs, type LeaseTiming } from './leaseTiming.js';

export interface LeaseLogOptions {
  readonly group: string;
  /** This node's id: the holder name it claims leases under. */
  readonly self: string;
  /** Whether this node may hold the lease; others only follow. */
  readonly candidate: boolean;
  /** Its place among the candidates (0 first): later ones wait a little longer to take over. */
  readonly rank: number;
  readonly timing: LeaseTiming;
  /** A claim id unique across nodes and incarnations. */
  readonly newClaim: () => string;
}

/** Why the node asks a slot. */
export type AskPurpose = 'fill' | 'probe' | 'takeover' | 'renew' | 'release';

export type LeaseStep =
  | {
      readonly kind: 'ask';
      readonly slot: number;
      readonly value: LeaseRecord;
      readonly purpose: AskPurpose;
    }
  /** Nothing to ask until `untilMs` of this node's clock (null: until something is learned). */
  | { readonly kind: 'wait'; readonly untilMs: number | null };

/** Another node's lease as seen here, valid until `untilMs` of this node's clock. */
export interface LeaderView {
  readonly node: string;
  readonly epoch: number;
  readonly slot: number;
  readonly untilMs: number;
}

export type LeaseRole =
  /** This node holds the lease until `untilMs` of its own clock. */
  | { readonly kind: 'leader'; readonly epoch: number; readonly slot: number; readonly untilMs: number }
  | { readonly kind: 'follower'; readonly leader: LeaderView | null };

interface Known {
  readonly record: LeaseRecord;
  readonly learnedAtMs: number;
}

type Holding = {
  readonly slot: number;
  readonly record: LeaseGrant | ReleaseRecord;
  readonly learnedAtMs: number;
};

/** The log's state as plain data, for snapshots and traces. */
export interface LeaseLogView {
  /** The lowest slot not known here; every slot below it is known. */
  readonly frontier: number;
  /** The last lease or release below the frontier. */
  readonly latest: { readonly slot: number; readonly record: LeaseGrant | ReleaseRecord } | null;
  readonly probing: boolean;
  readonly resigned: boolean;
}

export class LeaseLog {
  private readonly known = new Map<number, Known>();
  private frontier = 1;
  private latest: Holding | null = null;
  /** This incarnation's claims: claim id → slot and first ask time (R2). */
  private readonly claims = new Map<string, { readonly slot: number; readonly firstAskedAtMs: number }>();
  /** The value asked for a slot is fixed by the first ask, so a retry can never differ from it. */
  private readonly pending = new Map<number, { readonly value: LeaseRecord; readonly purpose: AskPurpose }>();
  private probing = true; // (R5) a node starts by catching up
  private resigned = false;

  constructor(readonly options: LeaseLogOptions) {}

  /**
   * Starts from knowledge kept locally (a node's durable decisions): `records[i]` is slot
   * `fromSlot + i`. The first must be a lease or release, or `fromSlot` must be 1, so that the
   * last lease below the new frontier is among them.
   */
  restore(fromSlot: number, records: readonly PaxosValue[], nowMs: number): void {
    if (this.known.size > 0 || this.frontier !== 1) return;
    this.frontier = fromSlot;
    records.forEach((value, i) => this.learn(fromSlot + i, value, nowMs));
  }

  /** Slot `slot` was decided to `value`; learned at `nowMs`. False if it was known already. */
  learn(slot: number, value: PaxosValue, nowMs: number): boolean {
    if (slot < this.frontier || this.known.has(slot)) return false;
    const { group } = this.options;
    // The first learning counts: it already comes after the decision, hence after the first ask.
    this.known.set(slot, { record: readLeaseRecord(group, slot, value), learnedAtMs: nowMs });
    while (this.known.has(this.frontier)) {
      const known = this.known.get(this.frontier) as Known;
      if (known.record.kind !== 'vacant')
        this.latest = { slot: this.frontier, record: known.record, learnedAtMs: known.learnedAtMs };
      this.pending.delete(this.frontier);
      this.frontier++;
    }
    this.prune();
    return true;
  }

  /** The caller is about to ask `step`: its claim's first ask time is now (R2). */
  asked(step: Extract<LeaseStep, { kind: 'ask' }>, nowMs: number): void {
    if (!this.pending.has(step.slot) && step.slot >= this.frontier)
      this.pending.set(step.slot, { value: step.value, purpose: step.purpose });
    if (!this.claims.has(step.value.claim))
      this.claims.set(step.value.claim, { slot: step.slot, firstAskedAtMs: nowMs });
  }

  /** The ask `step` was answered: the slot is decided to `decided`. */
  answered(step: Extract<LeaseStep, { kind: 'ask' }>, decided: PaxosValue, nowMs: number): void {
    this.learn(step.slot, decided, nowMs);
    const record = readLeaseRecord(this.options.group, step.slot, decided);
    if (step.purpose === 'probe' && record.claim === step.value.claim) {
      this.probing = false; // our own probe won: we have seen the head (R5)
      return;
    }
    if (
      (step.purpose === 'takeover' || step.purpose === 'renew') &&
      record.kind === 'lease' &&
      record.claim !== step.value.claim &&
      step.value.kind === 'lease' &&
      record.epoch !== step.value.epoch
    ) {
      // Not a rival claim of the same lease: a lease we never heard of. We were behind (R5).
      this.probing = true;
    }
  }

  /** Stop acting as leader from now on; a release is asked next if we hold the lease. */
  resign(): void {
    this.resigned = true;
  }

  /** Whether this node holds the last lease by a claim of its own and has not released it yet. */
  get holdsUnreleased(): boolean {
    const top = this.top();
    return top !== null && top.record.kind === 'lease' && this.isMine(top.record);
  }

  /** This node's role at `nowMs` of its clock. */
  role(nowMs: number): LeaseRole {
    const top = this.top();
    if (top === null || top.record.kind === 'release') return { kind: 'follower', leader: null };
    const record = top.record;
    if (record.holder === this.options.self) {
      const claim = this.claims.get(record.claim);
      if (claim !== undefined) {
        const untilMs = claim.firstAskedAtMs + record.leaseMs; // (R2)
        if (!this.resigned && nowMs < untilMs)
          return { kind: 'leader', epoch: record.epoch, slot: top.slot, untilMs };
        return { kind: 'follower', leader: null };
      }
      // Our own name, but not a claim of this incarnation: an earlier one's lease, and not ours
      // to act on. It is waited out like anyone else's (R3); nobody leads as far as we know.
      return { kind: 'follower', leader: null };
    }
    const untilMs = top.learnedAtMs + takeoverAfterMs(record.leaseMs, this.options.timing);
    if (nowMs >= untilMs) return { kind: 'follower', leader: null };
    return {
      kind: 'follower',
      leader: { node: record.holder, epoch: record.epoch, slot: top.slot, untilMs },
    };
  }

  /** What to do at `nowMs`. */
  next(nowMs: number): LeaseStep {
    const { timing, candidate } = this.options;
    // (R1) A slot beyond the frontier is known, so every slot below it is decided: read them.
    if (this.hasGap()) return this.ask('fill', () => this.vacant());
    if (this.probing) return this.ask('probe', () => this.vacant());
    const latest = this.latest;
    if (this.resigned) {
      if (latest !== null && latest.record.kind === 'lease' && this.isMine(latest.record)) {
        const { epoch } = latest.record;
        return this.ask('release', () => this.release(epoch));
      }
      return { kind: 'wait', untilMs: null };
    }
    if (!candidate) return { kind: 'wait', untilMs: null };
    if (latest === null || latest.record.kind === 'release') {
      const epoch = (latest?.record.epoch ?? 0) + 1;
      return this.ask('takeover', () => this.grant(epoch));
    }
    const record = latest.record;
    const claim = this.claims.get(record.claim);
    if (record.holder === this.options.self && claim !== undefined) {
      const renewAtMs = claim.firstAskedAtMs + timing.renewAfterMs;
      if (nowMs < renewAtMs) return { kind: 'wait', untilMs: renewAtMs };
      return this.ask('renew', () => this.grant(record.epoch)); // (R4)
    }
    const takeoverAtMs =
      latest.learnedAtMs +
      takeoverAfterMs(record.leaseMs, timing) +
      this.options.rank * timing.takeoverStaggerMs; // (R3)
    if (nowMs < takeoverAtMs) return { kind: 'wait', untilMs: takeoverAtMs };
    return this.ask('takeover', () => this.grant(record.epoch + 1)); // (R4)
  }

  view(): LeaseLogView {
    return {
      frontier: this.frontier,
      latest: this.latest ? { slot: this.latest.slot, record: this.latest.record } : null,
      probing: this.probing,
      resigned: this.resigned,
    };
  }

  /** The record known for `slot`, if any (recent slots only: older ones are forgotten). */
  recordOf(slot: number): LeaseRecord | undefined {
    return this.known.get(slot)?.record;
  }

  private ask(purpose: AskPurpose, build: () => LeaseRecord): LeaseStep {
    const slot = this.frontier;
    const pending = this.pending.get(slot);
    if (pending) return { kind: 'ask', slot, value: pending.value, purpose: pending.purpose };
    return { kind: 'ask', slot, value: build(), purpose };
  }

  private grant(epoch: number): LeaseGrant {
    const { group, self, timing } = this.options;
    return {
      kind: 'lease',
      group,
      slot: this.frontier,
      holder: self,
      epoch,
      leaseMs: timing.leaseMs,
      claim: this.options.newClaim(),
    };
  }

  private vacant(): LeaseRecord {
    const { group, self } = this.options;
    return { kind: 'vacant', group, slot: this.frontier, by: self, claim: this.options.newClaim() };
  }

  private release(epoch: number): LeaseRecord {
    const { group, self } = this.options;
    return {
      kind: 'release',
      group,
      slot: this.frontier,
      holder: self,
      epoch,
      claim: this.options.newClaim(),
    };
  }

  private isMine(record: LeaseGrant): boolean {
    return record.holder === this.options.self && this.claims.has(record.claim);
  }

  private hasGap(): boolean {
    for (const slot of this.known.keys()) if (slot > this.frontier) return true;
    return false;
  }

  /** The last lease or release known, gaps included. */
  private top(): Holding | null {
    let best: Holding | null = this.latest;
    for (const [slot, known] of this.known) {
      if (known.record.kind === 'vacant' || (best !== null && slot <= best.slot)) continue;
      best = { slot, record: known.record, learnedAtMs: known.learnedAtMs };
    }
    return best;
  }

  /** Forgets what can no longer matter: slots below the last lease, claims of older slots. */
  private prune(): void {
    const floor = this.latest?.slot ?? 1;
    for (const slot of this.known.keys()) if (slot < floor) this.known.delete(slot);
    for (const slot of this.pending.keys()) if (slot < this.frontier) this.pending.delete(slot);
    for (const [claim, { slot }] of this.claims) if (slot < floor) this.claims.delete(claim);
  }
}
