// The quorum reads in flight on one node (docs/membership.md §8.3): each read's `query` to the
// voters, the `state` answers it gathered (this node's own durable record among them), and what the
// pure rule (paxos/reads.ts) concludes after each answer. The rule decides; this class only routes.
import { drawSeed, type RandomSource } from '../base/random.js';
import type { PaxosValue, StateMessage } from '../paxos/messages.js';
import { readers, readOutcome, type ReadOutcome, type ReadReply, type ReadView } from '../paxos/reads.js';
import type { ReplyTo } from './nodeEvents.js';

/** How a read ended, counted in `SupervisorStats.quorumReads`. */
export type QuorumReadEnd = 'decided' | 'accepted' | 'not-decided' | 'recovered';

export interface QuorumReadsOptions {
  readonly self: string;
  /** Whose answers a read needs: the node's configuration as it is when the read starts. */
  readonly view: () => ReadView;
  /** Names reads; drawn once, so a restarted node's read ids do not pick up its old reads' answers. */
  readonly random: RandomSource;
  /** Sends `query` for `key` to every voter but this node. */
  readonly query: (key: string, read: number) => void;
  /** Calls back with this node's own answer, from its durable record (after the key's writes land). */
  readonly ownState: (key: string, read: number, answer: (state: StateMessage) => void) => void;
  /** Runs the key's instance to a decision proposing `value`; the decision (or failure) goes to `replyTo`. */
  readonly recover: (key: string, value: PaxosValue, replyTo: ReplyTo) => void;
  /** A read ended, for the counters. */
  readonly ended: (how: QuorumReadEnd) => void;
  /**
   * Asks again, doubling the wait each time, until the read concludes or its caller gives up: a
   * query or an answer may be lost, and a read sent once would then only time out. `firstMs`: the
   * node's phase timeout now; `maxMs`: the longest wait; `after` runs `task` in a later step of the
   * node (its mailbox) after `ms`, and returns what `cancel` takes.
   */
  readonly resend?: {
    readonly firstMs: () => number;
    readonly maxMs: number;
    readonly after: (ms: number, task: () => void) => unknown;
    readonly cancel: (timer: unknown) => void;
  };
}

interface PendingRead {
  readonly key: string;
  readonly view: ReadView;
  readonly replyTo: ReplyTo;
  readonly replies: ReadReply[];
  /** The re-send timer, and the wait it was armed with. */
  timer?: unknown;
  waitMs: number;
}

export class QuorumReads {
  private readonly reads = new Map<number, PendingRead>();
  /** Drawn at the first read, so a node that never reads draws nothing (seeded runs stay as they were). */
  private nextRead: number | null = null;

  constructor(private readonly options: QuorumReadsOptions) {}

  /** Reads waiting for answers (for inspection and tests). */
  get inFlight(): number {
    return this.reads.size;
  }

  /** Starts a quorum read of `key`; its answer goes to `replyTo` as `paxos.read` (or `paxos.failed`). */
  start(key: string, replyTo: ReplyTo): void {
    // Reads whose callers gave up (a timed-out call) leave as new ones start: bounded by callers.
    for (const [id, read] of this.reads) if (read.replyTo.settled?.() === true) this.forget(id, read);
    // A 31-bit start, so ids stay safe integers (the wire checks them) for as long as a node runs.
    const id = this.nextRead ?? drawSeed(this.options.random) >>> 1;
    this.nextRead = id + 1;
    const firstMs = this.options.resend?.firstMs() ?? 0;
    const read: PendingRead = { key, view: this.options.view(), replyTo, replies: [], waitMs: firstMs };
    this.reads.set(id, read);
    this.options.query(key, id);
    this.armResend(id, read);
    this.options.ownState(key, id, (state) => this.answer(this.options.self, key, state));
  }

  /** Asks the voters again after `read.waitMs` if the read is still open and still wanted. */
  private armResend(id: number, read: PendingRead): void {
    const resend = this.options.resend;
    if (resend === undefined || this.reads.get(id) !== read) return;
    read.timer = resend.after(read.waitMs, () => {
      read.timer = undefined;
      if (this.reads.get(id) !== read) return;
      if (read.replyTo.settled?.() === true) {
        this.forget(id, read);
        return;
      }
      this.options.query(read.key, id);
      read.waitMs = Math.min(resend.maxMs, read.waitMs * 2);
      this.armResend(id, read);
    });
  }

  private forget(id: number, read: PendingRead): void {
    this.reads.delete(id);
    if (read.timer !== undefined) this.options.resend?.cancel(read.timer);
    read.timer = undefined;
  }

  /** A voter's `state` answer (or this node's own): recorded, and the read concluded if it can be. */
  answer(from: string, key: string, state: StateMessage): void {
    const read = this.reads.get(state.read);
    if (read === undefined || read.key !== key || !readers(read.view).includes(from)) return;
    if (read.replies.some((reply) => reply.from === from)) return;
    read.replies.push({ from, accepted: state.accepted, decided: state.decided });
    this.conclude(state.read, read, readOutcome(read.view, read.replies));
  }

  /** Every read in flight fails with `error` (the node stops, or its storage failed). */
  failAll(error: { readonly code: string; readonly message: string }): void {
    for (const [id, read] of [...this.reads]) {
      this.forget(id, read);
      read.replyTo.send({ type: 'paxos.failed', key: read.key, error });
    }
  }

  private conclude(id: number, read: PendingRead, outcome: ReadOutcome): void {
    if (outcome.type === 'waiting') return;
    this.forget(id, read);
    const { key, replyTo } = read;
    switch (outcome.type) {
      case 'chosen':
        this.options.ended(outcome.proof);
        replyTo.send({ type: 'paxos.read', key, decided: true, value: outcome.value });
        return;
      case 'not-decided':
        this.options.ended('not-decided');
        replyTo.send({ type: 'paxos.read', key, decided: false, value: null });
        return;
      case 'recover':
        this.options.ended('recovered');
        this.options.recover(key, outcome.value, {
          send: (reply) =>
            replyTo.send(
              reply.type === 'paxos.decided'
                ? { type: 'paxos.read', key, decided: true, value: reply.value }
                : reply,
            ),
          ...(replyTo.settled ? { settled: replyTo.settled } : {}),
        });
        return;
    }
  }
}
