// Safety invariants checked during a simulation, after every step and on every message sent.
// Each returns violations as readable strings; an empty list means the run is safe so far.
// Besides agreement, validity, durability and persist-before-reply, the ballot invariants the
// acceptors enforce as defence in depth (acceptor.ts) are checked on what the nodes *send*, so a
// node that breaks one is caught even when every acceptor refuses its message: one value per
// (key, ballot), round 0 only from the key's owner, and a ballot's node is its sender. When the
// voters change (MembershipFacts), durability counts per configuration and round 0 per epoch.
import { compareBallots, formatBallot, type Ballot } from '../../src/paxos/ballot.js';
import type {
  AcceptedProposal,
  Envelope,
  PaxosValue,
  PrepareMessage,
  ProposeMessage,
} from '../../src/paxos/messages.js';
import type { MemoryStorage } from '../../src/storage/memoryStorage.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { majority } from '../../src/paxos/quorum.js';
import { isReservedKey } from '../../src/paxos/config.js';

/**
 * What the checker needs to know of a group whose voters change (docs/membership.md): the nodes'
 * durable records grouped by configuration, and whether a sender may use round 0 in an epoch.
 */
export interface MembershipFacts {
  /**
   * Per configuration known so far (every epoch's voters), those voters' durable records of `key`:
   * a value is durably chosen when a majority of some configuration's voters hold it.
   */
  durableGroups(key: string): readonly (readonly (KeyRecord | undefined)[])[];
  /** Whether `sender` durably knows `epoch` complete (I7: round 0 only in a complete epoch). */
  knowsComplete(sender: string, epoch: number): boolean;
}

/** Violations listed per kind; more of the same kind only repeat the story. */
const MAX_PER_KIND = 10;

const show = (value: PaxosValue | undefined): string => JSON.stringify(value ?? null);

export class InvariantChecker {
  readonly violations: string[] = [];
  private readonly failuresByKind = new Map<string, number>();
  /** The one value chosen per key, as first observed anywhere. */
  private readonly chosen = new Map<string, string>();
  /** Every value some ask proposed, per key. */
  private readonly proposed = new Map<string, Set<string>>();
  private readonly durablePromised = new Map<string, Ballot>();
  private readonly durableDecided = new Map<string, string>();
  /** The one value of each (key, ballot), and where it was first seen: `key ␀ round.node`. */
  private readonly ballotValues = new Map<string, { readonly value: string; readonly where: string }>();
  /** The durable acceptance last checked per `node/key`, so an unchanged one is not checked again. */
  private readonly acceptanceSeen = new Map<string, AcceptedProposal>();

  /**
   * @param durableRecords every node's durable records of a key, for the check that a decision a
   *   client observes is already backed by a majority on disk.
   * @param ownerOf the one member that may use round 0 for a key in an epoch (owner.ts), or null
   *   when the owner fast path is off and nobody may.
   * @param membership for a group whose voters change: durability is then judged per
   *   configuration, and round 0 of an epoch is checked against its completion.
   */
  constructor(
    private readonly now: () => number,
    private readonly durableRecords: (key: string) => readonly (KeyRecord | undefined)[] = () => [],
    private readonly ownerOf: (key: string, epoch: number) => string | null = () => null,
    private readonly membership?: MembershipFacts,
  ) {}

  /**
   * Whether `value` of `key` is durably chosen: a majority of some configuration's voters hold it
   * on disk (one configuration, the members, unless the voters change); with the count found.
   */
  private backing(key: string, value: PaxosValue): { backing: number; of: number; chosen: boolean } {
    const groups = this.membership ? this.membership.durableGroups(key) : [this.durableRecords(key)];
    const shown = show(value);
    let best = { backing: 0, of: 0, chosen: true };
    for (const [i, records] of groups.entries()) {
      if (records.length === 0) continue;
      const backing = records.filter(
        (r) => show(r?.decided?.value) === shown || (r?.accepted != null && show(r.accepted.value) === shown),
      ).length;
      const chosen = backing >= majority(records.length);
      if (chosen) return { backing, of: records.length, chosen };
      // Not chosen in any configuration so far: report the last one looked at (the latest).
      if (i === groups.length - 1 || best.of === 0) best = { backing, of: records.length, chosen };
    }
    return best;
  }

  /**
   * A client was told `value` for `key` (an ask's answer, or a read): it must already be chosen
   * durably — a majority of nodes hold it on disk, accepted or decided — or a crash could still
   * let the group choose another value (Paxos Made Simple §2.2: chosen = accepted by a majority).
   */
  noteClientSaw(where: string, key: string, value: PaxosValue): void {
    this.noteDecided(where, key, value);
    const { backing, of, chosen } = this.backing(key, value);
    if (!chosen) {
      this.fail(
        `durability: ${where} was told ${show(value)} for ${key}, but only ${backing} of ${of} nodes hold it on disk`,
      );
    }
  }

  /** An ask is about to be invoked: its value becomes a valid decision for the key. */
  noteProposed(key: string, value: PaxosValue): void {
    let values = this.proposed.get(key);
    if (!values) this.proposed.set(key, (values = new Set()));
    values.add(show(value));
  }

  /** A value some node or client observed as decided for `key`: agreement and validity. */
  noteDecided(where: string, key: string, value: PaxosValue): void {
    const shown = show(value);
    const first = this.chosen.get(key);
    if (first === undefined) {
      this.chosen.set(key, shown);
      // Reserved keys (configurations, completions) are proposed by the nodes, not by asks.
      if (!isReservedKey(key) && !this.proposed.get(key)?.has(shown))
        this.fail(`validity: ${where} decided ${shown} for ${key}, which no ask proposed`);
    } else if (first !== shown) {
      this.fail(`agreement: ${where} decided ${shown} for ${key}, but ${first} was decided before`);
    }
  }

  /**
   * After every step: what node `id` has made durable. A decision written but not yet durable is
   * not counted as learned: the node reveals it to no one before its write completes (the effect
   * runner holds every message and answer of the key), and a crash may still take it away together
   * with the proposer's own acceptance it rested on — then it was never chosen (seed 112939).
   */
  checkStorage(id: string, storage: MemoryStorage, keys: Iterable<string>): void {
    for (const key of keys) {
      const durable = storage.loadDurable(key);
      if (durable?.decided) this.noteDecided(`node ${id}`, key, durable.decided.value);
      const slot = `${id}/${key}`;
      const acceptance = durable?.accepted;
      if (acceptance && this.acceptanceSeen.get(slot) !== acceptance) {
        const before = this.acceptanceSeen.get(slot);
        this.acceptanceSeen.set(slot, acceptance);
        if (acceptance.ballot.round !== 0)
          this.noteBallotValue(
            key,
            acceptance.ballot,
            undefined,
            acceptance.value,
            `durable acceptance on ${id}`,
          );
        else if (
          before !== undefined &&
          compareBallots(before.ballot, acceptance.ballot) === 0 &&
          show(before.value) !== show(acceptance.value)
        )
          // Round 0 may hold different values on different acceptors (one per owner boot), but
          // never two on one acceptor (acceptor.ts, conflicting-value).
          this.fail(
            `one value per ballot: ${id} accepted ${show(acceptance.value)} for ${key} at ${formatBallot(acceptance.ballot)}, after ${show(before.value)}`,
          );
      }
      const decidedBefore = this.durableDecided.get(slot);
      if (decidedBefore !== undefined) {
        // Stability: a durably learned value never changes or disappears, crashes included.
        if (show(durable?.decided?.value) !== decidedBefore) {
          this.fail(
            `stability: node ${id} had durably learned ${decidedBefore} for ${key}, now ${show(durable?.decided?.value)}`,
          );
        }
        continue;
      }
      if (durable?.decided) {
        this.durableDecided.set(slot, show(durable.decided.value));
        continue;
      }
      // A durable promise never goes backwards, crashes included.
      const promised = durable?.promised ?? null;
      const before = this.durablePromised.get(slot) ?? null;
      if (compareBallots(promised, before) < 0) {
        this.fail(
          `promise decreased: node ${id} key ${key} from ${formatBallot(before)} to ${formatBallot(promised)}`,
        );
      }
      if (promised) this.durablePromised.set(slot, promised);
    }
  }

  /** On every message a node sends: the state it reveals must already be durable. */
  checkSent(envelope: Envelope, senderStorage: MemoryStorage): void {
    const durable = senderStorage.loadDurable(envelope.key);
    const message = envelope.message;
    const where = `${envelope.from}→${envelope.to} ${message.type} for ${envelope.key}`;
    const promisedAtLeast = (ballot: Ballot) =>
      durable?.decided != null ||
      (durable?.promised != null && compareBallots(durable.promised, ballot) >= 0);
    if (message.type === 'prepare' || message.type === 'propose') this.checkBallotOwnership(envelope);
    if (message.type === 'propose')
      this.noteBallotValue(
        envelope.key,
        message.ballot,
        message.boot,
        message.value,
        `${envelope.from}→${envelope.to} propose`,
      );
    switch (message.type) {
      case 'propose':
        // The owner's round 0 reveals nothing of its own: it does not vote in it (owner.ts).
        if (message.ballot.round === 0) return;
        if (!promisedAtLeast(message.ballot)) {
          this.fail(
            `persist before reply: ${where} ${formatBallot(message.ballot)} but durable promise is ${formatBallot(durable?.promised ?? null)}`,
          );
        }
        return;
      case 'prepare':
      case 'promise':
        if (!promisedAtLeast(message.ballot)) {
          this.fail(
            `persist before reply: ${where} ${formatBallot(message.ballot)} but durable promise is ${formatBallot(durable?.promised ?? null)}`,
          );
        }
        return;
      case 'acknowledge':
        if (!(
          durable?.decided != null ||
          (durable?.accepted != null && compareBallots(durable.accepted.ballot, message.ballot) >= 0)
        )) {
          this.fail(
            `persist before reply: ${where} ${formatBallot(message.ballot)} but nothing durable accepted it`,
          );
        }
        return;
      case 'decide': {
        // A decide reveals a chosen value: a majority of the members must hold it on disk (the
        // owner of a round 0 sends it holding nothing itself: every other member does).
        const { backing, of, chosen } = this.backing(envelope.key, message.value);
        if (!chosen) {
          this.fail(
            `persist before reply: ${where} ${show(message.value)} but only ${backing} of ${of} nodes hold it on disk`,
          );
        }
        this.noteDecided(`message from ${envelope.from}`, envelope.key, message.value);
        return;
      }
      case 'reject':
        return;
    }
  }

  /**
   * A ballot is its proposer's alone: its node is the sender (ballots are unique because the
   * node id breaks ties, ballot.ts), and round 0, which skips phase 1, is the key owner's
   * (owner.ts) — nobody's when the owner fast path is off.
   */
  private checkBallotOwnership(envelope: Envelope): void {
    const message = envelope.message as PrepareMessage | ProposeMessage;
    const where = `${envelope.from}→${envelope.to} ${message.type} for ${envelope.key}`;
    if (message.ballot.node !== envelope.from)
      this.fail(`ballot not the sender's: ${where} carries ballot ${formatBallot(message.ballot)}`);
    if (message.ballot.round !== 0) return;
    const epoch = message.ballot.epoch ?? 0;
    if (this.membership && epoch > 0 && !this.membership.knowsComplete(envelope.from, epoch))
      this.fail(
        `round 0 in a transition: ${where} ${formatBallot(message.ballot)}, but ${envelope.from} has not durably learned epoch ${epoch} complete`,
      );
    const owner = this.ownerOf(envelope.key, epoch);
    if (envelope.from !== owner) {
      this.fail(
        `round 0 not from the owner: ${where} ${formatBallot(message.ballot)}, ${owner === null ? 'the owner fast path is off' : `the owner is ${owner}`}`,
      );
    }
  }

  /**
   * One value per (key, ballot), among every propose ever sent: the proposer of a ballot proposes
   * one value in it (Paxos Made Simple §2.2). The owner's round 0 is the exception it is built to
   * survive (owner.ts): an owner that crashed and forgot its propose may send another value in it
   * after restarting — but one per boot, which its propose carries and its acknowledgements echo.
   */
  private noteBallotValue(
    key: string,
    ballot: Ballot,
    boot: number | undefined,
    value: PaxosValue,
    where: string,
  ): void {
    const id = `${key}\u0000${formatBallot(ballot)}${ballot.round === 0 ? `\u0000boot ${String(boot)}` : ''}`;
    const shown = show(value);
    const first = this.ballotValues.get(id);
    if (first === undefined) this.ballotValues.set(id, { value: shown, where });
    else if (first.value !== shown) {
      this.fail(
        `one value per ballot: ${key} at ${formatBallot(ballot)} got ${shown} (${where}), but ${first.value} before (${first.where})`,
      );
    }
  }

  chosenValue(key: string): string | undefined {
    return this.chosen.get(key);
  }

  /**
   * Records a violation. Each kind (the words before the colon) is listed at most
   * `MAX_PER_KIND` times, so a flood of one kind cannot hide the first of another.
   */
  private fail(message: string): void {
    const kind = message.slice(0, message.indexOf(':'));
    const seen = this.failuresByKind.get(kind) ?? 0;
    this.failuresByKind.set(kind, seen + 1);
    if (seen < MAX_PER_KIND) this.violations.push(`t=${this.now()} ${message}`);
  }
}
