// The per-node supervisor of Paxos instances: a simple_one_for_one supervisor (the runtime's
// SimpleOneForOne engine) whose children are the per-key instance actors. It spawns one on
// demand, routes messages to it, restarts it from storage when it crashes (within a restart
// intensity per key: a key that keeps crashing is given up, the node keeps serving the others),
// and retires decided and idle instances so live actors do not grow with keys.
// It runs inside the `genPaxosNode` actor (genPaxosNode.ts), which feeds it events.
import type { ActorRefFrom, AnyActorScope, EventObject } from 'xstate';
import { GenPaxosError, ERROR_CODES, errorInfo, type ErrorInfo } from '../base/errors.js';
import type { Effect } from '../paxos/effects.js';
import { DEFAULT_TIMING, type InstanceMachine, type InstanceStateName } from '../paxos/instanceMachine.js';
import { isRequest, type Envelope, type PaxosValue } from '../paxos/messages.js';
import { checkKey, checkValue } from '../paxos/validate.js';
import type { RuntimeClock } from '../base/clock.js';
import { EffectRunner } from './effectRunner.js';
import { drawSeed } from '../base/random.js';
import { AcceptorFastPath } from './acceptorFastPath.js';
import { ownerAmongSorted } from '../paxos/owner.js';
import { UNLIMITED_INTENSITY } from '../runtime/supervisor/childSpec.js';
import { SimpleOneForOne } from '../runtime/supervisor/simpleOneForOne.js';
import type { ExitReason } from '../runtime/exitReason.js';
import { Histogram } from '../base/histogram.js';
import type { KeySupervisorOptions } from './keySupervisorOptions.js';
import { emptySupervisorStats, type ReplyTo, type SupervisorStats } from './nodeEvents.js';

type InstanceActor = ActorRefFrom<InstanceMachine>;

/** Buckets of the ballots a node started per decision it proposed. */
export const DECISION_ROUND_BUCKETS: readonly number[] = [1, 2, 3, 4, 5, 8, 13, 21];

export class KeySupervisor {
  readonly stats: SupervisorStats = emptySupervisorStats();
  readonly runner: EffectRunner;
  /** Ballots this node started per decision it took part in as a proposer. */
  readonly decisionRounds = new Histogram(DECISION_ROUND_BUCKETS);
  /** The instances: a simple_one_for_one pool of per-key children. */
  private readonly pool: SimpleOneForOne<InstanceMachine, null>;
  /** Each live instance's last state, to see it fall idle. */
  private readonly lastState = new Map<string, string>();
  /** Asks waiting for a key's decision. */
  private readonly waiting = new Map<string, ReplyTo[]>();
  /** The first value asked for a key still undecided: re-asked after a restart. */
  private readonly proposals = new Map<string, PaxosValue>();
  private readonly failed = new Map<string, ErrorInfo>();
  /** Ballots started per key not yet decided here. */
  private readonly ballots = new Map<string, number>();
  private storageFailure: ErrorInfo | null = null;
  private scope: AnyActorScope | null = null;
  private fastPath: AcceptorFastPath | null = null;
  /** The members in sorted order, to find each key's owner. */
  private readonly sortedMembers: readonly string[];

  constructor(readonly options: KeySupervisorOptions) {
    this.runner = new EffectRunner({
      self: options.id,
      members: options.members,
      storage: options.storage,
      transport: options.transport,
      onDecided: (key, value) => this.scope?.self.send({ type: 'instance.decided', key, value }),
      onStorageFailure: (error) => this.scope?.self.send({ type: 'storage.failed', error: errorInfo(error) }),
    });
    const { id, members, timing, storage, random } = options;
    this.sortedMembers = [...members].sort();
    this.pool = new SimpleOneForOne<InstanceMachine, null>({
      name: `node ${id}`,
      // Restarts are bounded per key (childIntensity), never for the node as a whole.
      intensity: UNLIMITED_INTENSITY,
      now: () => options.clock.now(),
      ...(options.inspect ? { inspect: options.inspect } : {}),
      template: {
        logic: options.instanceLogic,
        restart: 'transient',
        // Each instance is the root of an actor system of its own: XState's scheduler scans every
        // timer of a system whenever one of its actors stops, so sharing the node's system made
        // retiring keys quadratic.
        isolated: true,
        childIntensity: options.restartIntensity,
        // Computed again at every restart, so a restarted instance reloads the key's record.
        input: (key) => ({
          key,
          node: id,
          members,
          record: storage.load(key) ?? null,
          seed: drawSeed(random),
          timing,
          ownerFastPath: options.ownerFastPath,
        }),
        observe: {
          started: (key, child, restarted) => this.instanceStarted(key, child, restarted),
          emitted: (key, effect) => this.instanceEmitted(key, effect),
          snapshot: (key, snapshot, child) =>
            this.instanceMoved(key, String(snapshot.value), child.sessionId),
          exited: (key, reason, restarting) => this.instanceExited(key, reason, restarting),
          gaveUp: (key, reason) => this.giveUp(key, errorInfo(errorOf(reason))),
        },
      },
    });
  }

  /** Live instance actors: bounded by keys in flight, not by keys decided. */
  get liveInstances(): number {
    return this.pool.size;
  }

  get storageFailed(): boolean {
    return this.storageFailure !== null;
  }

  /** The live instance of `key`, if any (for inspection and tests). */
  instanceOf(key: string): InstanceActor | undefined {
    return this.pool.child(key);
  }

  /**
   * The state of `key` here: a live instance's state; otherwise what its record implies —
   * `decided`, `acknowledged` while a vote of this node is pending, or `nil`.
   */
  stateOf(key: string): InstanceStateName | 'failed' {
    if (this.failed.has(key)) return 'failed';
    const live = this.pool.child(key);
    if (live) return live.getSnapshot().value as InstanceStateName;
    const record = this.options.storage.load(key);
    if (record?.decided) return 'decided';
    return this.fastPath?.isWatching(key) ? 'acknowledged' : 'nil';
  }

  /**
   * The keys this node is working on and has not seen decided: a live instance that is not idle,
   * an ask waiting here, a vote or forward awaiting its outcome, or a key given up (`failed`).
   */
  pendingKeys(): string[] {
    const candidates = new Set([
      ...this.pool.ids(),
      ...this.waiting.keys(),
      ...this.failed.keys(),
      ...(this.fastPath?.watchedKeys() ?? []),
    ]);
    return [...candidates].filter((key) => {
      const state = this.stateOf(key);
      return state !== 'decided' && (state !== 'nil' || this.waiting.has(key));
    });
  }

  start(scope: AnyActorScope): void {
    this.scope = scope;
    this.pool.attach(scope);
    if (this.options.acceptorFastPath) {
      this.fastPath = new AcceptorFastPath({
        // The node actor's clock drives instance timers too (an embedder's SimulatedClock, say).
        clock: (scope.self as unknown as { clock: RuntimeClock }).clock,
        random: this.options.random,
        timing: { ...DEFAULT_TIMING, ...this.options.timing },
        load: (key) => this.options.storage.load(key),
        run: (effect) => this.runner.run(effect),
        takeOver: (key) => this.takeOver(key),
      });
    }
    this.options.transport.listen((envelope) => scope.self.send({ type: 'inbound', envelope }));
    this.resumePending();
  }

  /**
   * Spawns the instances of keys accepted but not decided before the node last stopped: each
   * starts in `acknowledged` and, unless another proposer finishes first, pushes the accepted
   * value to a decision. Without this a key nobody asks again would stay undecided for ever.
   */
  private resumePending(): void {
    for (const key of this.options.storage.pendingKeys?.() ?? []) {
      if (!this.pool.has(key) && !this.failed.has(key)) this.instanceFor(key);
    }
  }

  ask(key: string, value: PaxosValue, replyTo: ReplyTo): void {
    this.stats.asks++;
    const problem = checkKey(key) ?? checkValue(value);
    if (problem !== null) {
      const code = checkKey(key) !== null ? ERROR_CODES.BAD_KEY : ERROR_CODES.BAD_VALUE;
      replyTo.send({ type: 'paxos.failed', key, error: { code, message: problem } });
      return;
    }
    const refusal = this.refusal(key);
    if (refusal !== null) {
      replyTo.send({ type: 'paxos.failed', key, error: refusal });
      return;
    }
    const decided = this.options.storage.load(key)?.decided;
    if (decided) {
      // `load` also sees writes not yet durable: a decision learned a moment ago may still rest
      // on this node's own acceptance in flight to disk. Answer only once it is durable, or a
      // crash could lose it and let the group choose another value (Paxos Made Simple §2.2).
      this.runner.afterWrites(key, () => replyTo.send({ type: 'paxos.decided', key, value: decided.value }));
      return;
    }
    const waiting = this.waiting.get(key);
    if (waiting) waiting.push(replyTo);
    else this.waiting.set(key, [replyTo]);
    if (!this.proposals.has(key)) this.proposals.set(key, value);
    const owner = this.options.ownerFastPath ? ownerAmongSorted(key, this.sortedMembers) : null;
    if (owner !== null && this.forwardWithoutInstance(key, value, owner)) return;
    // An owner out of reach would never get the forward: propose here now, as a takeover would.
    const forwarded = owner !== null && this.outOfReach(owner);
    this.instanceFor(key).send({ type: 'ask', value, ...(forwarded ? { forwarded } : {}) });
  }

  /** `owner` is another member, and the transport knows it cannot reach that member now. */
  private outOfReach(owner: string): boolean {
    return owner !== this.options.id && this.options.transport.isLinkUp?.(owner) === false;
  }

  /**
   * A fresh key owned by another member: forward the ask to the owner, who proposes without
   * phase 1, and wait for its decision without an actor here — the same as the instance's own
   * `forwardToOwner` then `acknowledged`, watched by the fast path's takeover watchdog.
   */
  private forwardWithoutInstance(key: string, value: PaxosValue, owner: string): boolean {
    if (!this.fastPath || this.pool.has(key)) return false;
    if (this.fastPath.isWatching(key)) return true; // forwarded already, or a vote pending: wait
    if (owner === this.options.id || this.options.storage.load(key) !== undefined) return false;
    if (this.outOfReach(owner)) return false;
    this.runner.run({ type: 'send', key, to: owner, message: { type: 'forward', value } });
    this.fastPath.watch(key);
    return true;
  }

  /** An ask gave up waiting (its timeout): forget its reply address. */
  cancelAsk(key: string, replyTo: ReplyTo): void {
    const waiting = this.waiting.get(key);
    if (!waiting) return;
    const rest = waiting.filter((r) => r !== replyTo);
    if (rest.length > 0) this.waiting.set(key, rest);
    else this.waiting.delete(key);
  }

  read(key: string): PaxosValue | undefined {
    // A decision whose write is still in flight is not known yet: a crash could lose it.
    if (this.runner.hasPendingWrites(key)) return undefined;
    return this.options.storage.load(key)?.decided?.value;
  }

  /** An envelope from a peer: route it to its key's instance, or answer from the store. */
  inbound(envelope: Envelope): void {
    this.stats.messagesIn++;
    const { from, key, message } = envelope;
    if (message.type === 'reject') this.stats.rejectionsReceived++;
    if (from === this.options.id || !this.options.members.includes(from)) {
      this.refuse('not a member', envelope);
      return;
    }
    if (this.storageFailure !== null || this.failed.has(key)) {
      this.refuse(this.storageFailure !== null ? 'storage failed' : 'key failed', envelope);
      return;
    }
    const live = this.pool.child(key);
    if (live) {
      live.send({ ...message, from });
      return;
    }
    const decided = this.options.storage.load(key)?.decided;
    if (decided) {
      // A retired key: late requests learn the decision; late replies and decides need nothing.
      if (isRequest(message)) {
        this.runner.sendAfterWrites({
          from: this.options.id,
          to: from,
          key,
          message: { type: 'decide', value: decided.value },
        });
      }
      return;
    }
    // Replies to a proposer that is no longer running are stale: no instance is spawned for them.
    if (message.type === 'promise' || message.type === 'acknowledge' || message.type === 'reject') return;
    // A forwarded ask is a proposal to make, which only an instance can do.
    if (this.fastPath && message.type !== 'forward') this.fastPath.handle(key, { ...message, from });
    else this.instanceFor(key).send({ ...message, from });
  }

  /** The runner saw a decision become durable: answer the asks waiting for it. */
  decided(key: string, value: PaxosValue): void {
    this.stats.decided++;
    this.proposals.delete(key);
    const rounds = this.ballots.get(key) ?? 0;
    this.ballots.delete(key);
    if (rounds > 0) this.decisionRounds.observe(rounds);
    const waiting = this.waiting.get(key);
    this.waiting.delete(key);
    for (const replyTo of waiting ?? []) replyTo.send({ type: 'paxos.decided', key, value });
    this.scope?.emit({ type: 'decided', key, value, rounds });
  }

  /** An instance reached `decided`, or fell idle in `nil`: stop it; storage answers for it now. */
  retire(key: string, sessionId: string): void {
    const live = this.pool.child(key);
    if (!live || live.sessionId !== sessionId) return;
    const state = live.getSnapshot().value;
    if (state !== 'decided' && !(state === 'nil' && !this.waiting.has(key))) return;
    if (state === 'nil') this.ballots.delete(key);
    this.lastState.delete(key);
    this.stats.retired++;
    this.pool.terminateChild(key);
  }

  /** `xstate.error.actor.<key>` and the like: the pool restarts the instance or gives it up. */
  childExited(event: EventObject): boolean {
    return this.pool.childExited(event);
  }

  storageFailedWith(error: ErrorInfo): void {
    if (this.storageFailure !== null) return;
    this.storageFailure = error;
    this.scope?.emit({ type: 'storage.failed', error });
    this.fastPath?.stop();
    this.pool.shutdown();
    const failure: ErrorInfo = {
      code: ERROR_CODES.STORAGE_FAILED,
      message: `storage failed: ${error.message}`,
    };
    for (const [key, waiting] of this.waiting)
      for (const r of waiting) r.send({ type: 'paxos.failed', key, error: failure });
    this.waiting.clear();
    this.proposals.clear();
    this.ballots.clear();
  }

  /** The node actor stops: stop every instance and fail the asks still waiting. */
  stop(): void {
    this.options.transport.listen(() => {});
    this.fastPath?.stop();
    this.pool.shutdown();
    const error = errorInfo(
      new GenPaxosError(ERROR_CODES.STOPPED, 'the node stopped before the key was decided'),
    );
    for (const [key, waiting] of this.waiting)
      for (const r of waiting) r.send({ type: 'paxos.failed', key, error });
    this.waiting.clear();
    this.scope = null;
  }

  private refusal(key: string): ErrorInfo | null {
    if (this.storageFailure !== null) {
      return { code: ERROR_CODES.STORAGE_FAILED, message: `storage failed: ${this.storageFailure.message}` };
    }
    const failure = this.failed.get(key);
    if (failure) {
      return {
        code: ERROR_CODES.INSTANCE_FAILED,
        message: `the instance of key ${JSON.stringify(key)} crashed too often and was given up: ${failure.message}`,
      };
    }
    return null;
  }

  private giveUp(key: string, error: ErrorInfo): void {
    this.failed.set(key, error);
    this.stats.failedKeys++;
    this.proposals.delete(key);
    this.ballots.delete(key);
    this.scope?.emit({ type: 'instance.failed', key, error });
    const refusal = this.refusal(key) as ErrorInfo;
    for (const replyTo of this.waiting.get(key) ?? [])
      replyTo.send({ type: 'paxos.failed', key, error: refusal });
    this.waiting.delete(key);
  }

  private countBallot(key: string): void {
    const started = (this.ballots.get(key) ?? 0) + 1;
    this.ballots.set(key, started);
    this.stats.ballotsStarted++;
    if (started > 1) this.stats.retries++;
  }

  private refuse(reason: string, envelope: Envelope): void {
    this.stats.messagesRefused++;
    this.stats.refusedByReason[reason] = (this.stats.refusedByReason[reason] ?? 0) + 1;
    this.scope?.emit({ type: 'message.refused', reason, from: envelope.from, key: envelope.key });
  }

  private instanceFor(key: string): InstanceActor {
    if (!this.scope) throw new GenPaxosError(ERROR_CODES.STOPPED, 'the node is not running');
    const live = this.pool.child(key);
    if (live) return live;
    this.fastPath?.forget(key);
    return this.pool.startChild(key, null);
  }

  /**
   * A key accepted on the fast path, or an ask forwarded to its owner, is still undecided: an
   * instance takes over, pushing the accepted value or proposing the asked one with both phases.
   */
  private takeOver(key: string): void {
    if (this.pool.has(key) || this.failed.has(key) || this.storageFailure !== null) return;
    if (this.options.storage.load(key)?.decided) return;
    const instance = this.instanceFor(key);
    const proposal = this.proposals.get(key);
    if (proposal !== undefined) instance.send({ type: 'ask', value: proposal, forwarded: true });
  }

  /** A restarted instance is asked again for the value still waiting for a decision. */
  private instanceStarted(key: string, child: InstanceActor, restarted: boolean): void {
    this.lastState.delete(key);
    if (!restarted) {
      this.stats.spawned++;
      return;
    }
    const proposal = this.proposals.get(key);
    if (proposal !== undefined) child.send({ type: 'ask', value: proposal });
  }

  private instanceEmitted(key: string, effect: Effect): void {
    // A ballot starts with its prepare, or — ballot 0, the owner's — with its propose.
    const message = effect.type === 'broadcast' ? effect.message : null;
    if (message?.type === 'prepare' || (message?.type === 'propose' && message.ballot.round === 0))
      this.countBallot(key);
    this.runner.run(effect);
  }

  /** Retires an instance that reached `decided`, or fell back to `nil` after doing something. */
  private instanceMoved(key: string, state: string, sessionId: string): void {
    const previous = this.lastState.get(key);
    this.lastState.set(key, state);
    if (state === 'decided' || (state === 'nil' && previous !== undefined && previous !== 'nil')) {
      this.scope?.self.send({ type: 'instance.retire', key, sessionId });
    }
  }

  private instanceExited(key: string, reason: ExitReason, restarting: boolean): void {
    this.lastState.delete(key);
    if (!restarting) return;
    this.stats.restarted++;
    this.scope?.emit({ type: 'instance.restarted', key, error: errorInfo(errorOf(reason)) });
  }
}

/** The error inside an exit reason (an instance only exits by crashing). */
function errorOf(reason: ExitReason): unknown {
  return typeof reason === 'object' && 'error' in reason ? reason.error : reason;
}
