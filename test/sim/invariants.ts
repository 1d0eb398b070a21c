// Safety invariants checked during a simulation, after every step and on every message sent.
// Each returns violations as readable strings; an empty list means the run is safe so far.
import { compareBallots, formatBallot, type Ballot } from '../../src/paxos/ballot.js';
import type { Envelope, PaxosValue } from '../../src/paxos/messages.js';
import type { MemoryStorage } from '../../src/storage/memoryStorage.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { majority } from '../../src/paxos/quorum.js';

const show = (value: PaxosValue | undefined): string => JSON.stringify(value ?? null);

export class InvariantChecker {
  readonly violations: string[] = [];
  /** The one value chosen per key, as first observed anywhere. */
  private readonly chosen = new Map<string, string>();
  /** Every value some ask proposed, per key. */
  private readonly proposed = new Map<string, Set<string>>();
  private readonly durablePromised = new Map<string, Ballot>();
  private readonly durableDecided = new Map<string, string>();

  /**
   * @param durableRecords every node's durable records of a key, for the check that a decision a
   *   client observes is already backed by a majority on disk.
   */
  constructor(
    private readonly now: () => number,
    private readonly durableRecords: (key: string) => readonly (KeyRecord | undefined)[] = () => [],
  ) {}

  /**
   * A client was told `value` for `key` (an ask's answer, or a read): it must already be chosen
   * durably — a majority of nodes hold it on disk, accepted or decided — or a crash could still
   * let the group choose another value (Paxos Made Simple §2.2: chosen = accepted by a majority).
   */
  noteClientSaw(where: string, key: string, value: PaxosValue): void {
    this.noteDecided(where, key, value);
    const records = this.durableRecords(key);
    if (records.length === 0) return;
    const shown = show(value);
    const backing = records.filter(
      (r) => show(r?.decided?.value) === shown || (r?.accepted != null && show(r.accepted.value) === shown),
    ).length;
    if (backing < majority(records.length)) {
      this.fail(
        `durability: ${where} was told ${shown} for ${key}, but only ${backing} of ${records.length} nodes hold it on disk`,
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
      if (!this.proposed.get(key)?.has(shown))
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
    switch (message.type) {
      case 'prepare':
      case 'promise':
      case 'propose':
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
        const shown = show(message.value);
        if (show(durable?.decided?.value) !== shown && show(durable?.accepted?.value) !== shown) {
          this.fail(
            `persist before reply: ${where} ${shown} but the sender has not durably accepted or learned it`,
          );
        }
        this.noteDecided(`message from ${envelope.from}`, envelope.key, message.value);
        return;
      }
      case 'reject':
        return;
    }
  }

  chosenValue(key: string): string | undefined {
    return this.chosen.get(key);
  }

  private fail(message: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.now()} ${message}`);
  }
}
