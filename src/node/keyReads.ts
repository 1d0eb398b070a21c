// The reads a node answers (docs/membership.md §8): what it knows decided (`read`, and an ask of a
// decided key answered without a step), a local read that keeps read-your-writes across a crash,
// and a linearizable quorum read (quorumReads.ts) that may run a key to its decision.
import type { RuntimeClock } from '../base/clock.js';
import type { RandomSource } from '../base/random.js';
import { answerOfDecided } from '../paxos/learner.js';
import type { PaxosValue } from '../paxos/messages.js';
import { stateReply, type ReadView } from '../paxos/reads.js';
import { EMPTY_RECORD } from '../paxos/record.js';
import type { Storage } from '../storage/storage.js';
import type { AdaptiveTiming } from './adaptiveTiming.js';
import type { EffectRunner } from './effectRunner.js';
import type { KeyRefusals } from './keyRefusals.js';
import type { KnownDecisions } from './knownDecisions.js';
import type { ReplyTo, SupervisorStats } from './nodeEvents.js';
import { QuorumReads } from './quorumReads.js';

export interface KeyReadsDeps {
  readonly self: string;
  readonly storage: Storage;
  readonly clock: RuntimeClock;
  readonly random: RandomSource;
  readonly runner: EffectRunner;
  readonly refusals: KeyRefusals;
  readonly known: KnownDecisions;
  readonly timing: AdaptiveTiming;
  readonly stats: SupervisorStats;
  /** The node is inspected: every ask goes through its key's step, so the view sees it. */
  readonly inspected: boolean;
  /** The adopted configuration: in transition a read needs majorities of both voter sets (§8.3). */
  readonly view: () => ReadView;
  /** Runs `task` in a later step of the node (its mailbox). */
  readonly later: (task: () => void) => void;
  /** Decides the key here with both phases, like an ask; the outcome goes to `replyTo`. */
  readonly recover: (key: string, value: PaxosValue, replyTo: ReplyTo) => void;
}

export class KeyReads {
  /** Quorum reads waiting for answers (§8.3). */
  readonly quorumReads: QuorumReads;

  constructor(private readonly deps: KeyReadsDeps) {
    const { self, storage, clock, random, runner, timing, stats } = deps;
    this.quorumReads = new QuorumReads({
      self,
      view: deps.view,
      random,
      query: (key, read) => runner.run({ type: 'broadcast', key, message: { type: 'query', read } }),
      ownState: (key, read, answer) =>
        runner.afterWrites(key, () => answer(stateReply(storage.load(key) ?? EMPTY_RECORD, read))),
      recover: deps.recover,
      ended: (how) => (stats.quorumReads[how] = (stats.quorumReads[how] ?? 0) + 1),
      resend: {
        firstMs: () => timing.timing().phaseTimeoutMs,
        maxMs: timing.timing().timeoutBackoffMaxMs,
        // The timer only hands the re-send to the node's mailbox: it runs in one of the node's steps.
        after: (ms, task) => clock.setTimeout(() => deps.later(task), ms),
        cancel: (timer) => clock.clearTimeout(timer),
      },
    });
  }

  /** The decision of `key` known to be chosen here (knownDecisions.ts), or `undefined`. */
  read(key: string): PaxosValue | undefined {
    return this.deps.known.of(key)?.value;
  }

  /**
   * An ask of `key` answered without a step when this node knows the key's decision and nothing
   * refuses the key here: the answer its step would give (`answerOfDecided`, the core's rule), without
   * a trip through the node's mailbox. Undefined otherwise, and always when the node is inspected,
   * so that the view sees every ask.
   */
  decidedAnswer(key: string): PaxosValue | undefined {
    if (this.deps.inspected || this.deps.refusals.refusal(key) !== null) return undefined;
    let known: { readonly value: PaxosValue } | null;
    try {
      known = this.deps.known.of(key);
    } catch {
      return undefined; // a store that fails to read is the node actor's to meet (and restart on)
    }
    if (known === null) return undefined;
    this.deps.stats.asks++;
    return answerOfDecided(known);
  }

  /**
   * A local read that keeps read-your-writes across a crash (§8.2, rule 3): a key decided here is
   * answered at once; a key accepted here but not decided may have been decided (and answered to an
   * asker here) before a crash lost the decided record, so it is resolved with a quorum read.
   */
  readLocal(key: string, replyTo: ReplyTo): void {
    const known = this.deps.known.of(key);
    if (known !== null) {
      replyTo.send({ type: 'paxos.read', key, decided: true, value: known.value });
      return;
    }
    if (this.deps.storage.load(key)?.accepted) {
      this.quorumRead(key, replyTo);
      return;
    }
    replyTo.send({ type: 'paxos.read', key, decided: false, value: null });
  }

  /** A linearizable read of `key` (§8.3): its answer goes to `replyTo` as `paxos.read`. */
  quorumRead(key: string, replyTo: ReplyTo): void {
    const refusal = this.deps.refusals.refusal(key);
    if (refusal !== null) {
      replyTo.send({ type: 'paxos.failed', key, error: refusal });
      return;
    }
    this.quorumReads.start(key, replyTo);
  }
}
