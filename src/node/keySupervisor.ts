// The per-node supervisor of Paxos instances: a simple_one_for_one supervisor (the runtime's
// SimpleOneForOne engine) whose children are the per-key instance actors. Every protocol decision
// is the core's (paxos/keyStep.ts): for each ask, message or timer of a key this class asks the
// key's step what to do and carries it out — deliver to the instance (starting it from the record),
// run effects through the effect runner, arm or clear the key's takeover timer. What is left here
// is supervision (restarts within a per-key intensity; a key that keeps crashing is given up, the
// node serves the others), retirement of decided and idle instances, and the asks waiting for keys.
import type { ActorRefFrom, AnyActorScope, EventObject } from 'xstate';
import { GenPaxosError, ERROR_CODES, errorInfo, type ErrorInfo } from '../base/errors.js';
import { drawSeed } from '../base/random.js';
import type { Effect, RefusedEffect } from '../paxos/effects.js';
import {
  DEFAULT_TIMING,
  type InstanceInput,
  type InstanceMachine,
  type InstanceStateName,
} from '../paxos/instanceMachine.js';
import {
  EMPTY_SLOT,
  isRetirable,
  keyStep,
  shouldRetire,
  slotAfter,
  type KeyInput,
  type KeyNode,
  type KeySlot,
} from '../paxos/keyStep.js';
import type { Envelope, PaxosValue } from '../paxos/messages.js';
import { isReservedKey, type ConfigView } from '../paxos/config.js';
import { EMPTY_RECORD, type KeyRecord } from '../paxos/record.js';
import { checkKey, checkValue } from '../paxos/validate.js';
import type { ExitReason } from '../runtime/exitReason.js';
import { EffectRunner, type SettledWrite } from './effectRunner.js';
import type { KeySupervisorOptions } from './keySupervisorOptions.js';
import { emptySupervisorStats, type ReplyTo, type SupervisorStats } from './nodeEvents.js';
import { AdaptiveTiming } from './adaptiveTiming.js';
import { SilentPeers } from './silentPeers.js';
import { InstanceWitnesses } from './instanceWitness.js';
import { TakeoverTimers } from './takeoverTimers.js';
import { PhaseTimer } from './phaseTimer.js';
import { MembershipHooks } from './membership/membershipHooks.js';
import { BallotCounts } from './ballotCounts.js';
import { KeyWaiters } from './keyWaiters.js';
import { KnownDecisions } from './knownDecisions.js';
import { KeyRefusals } from './keyRefusals.js';
import { KeyReads } from './keyReads.js';
import { createInstancePool, errorOf, type InstancePool } from './instancePool.js';
import type { NodeMembership } from './membership/nodeMembership.js';

type InstanceActor = ActorRefFrom<InstanceMachine>;

/** What the supervisor needs of the actor that hosts it: its scope, and a way into its mailbox. */
export interface KeySupervisorHost {
  readonly scope: AnyActorScope;
  /** Delivers a write's outcome to the host's mailbox; the host calls `writeSettled` with it. */
  readonly settle: (write: SettledWrite) => void;
  /** Asks, through the host's mailbox, that an instance be retired; the host calls `retire` with it. */
  readonly retire: (key: string, sessionId: string) => void;
  /** Delivers a fired takeover timer to the host's mailbox; the host calls `takeover` with it. */
  readonly timerFired: (key: string) => void;
  /** Runs `task` in a later step of the host (through its mailbox). */
  readonly later: (task: () => void) => void;
}

export class KeySupervisor {
  readonly stats: SupervisorStats = emptySupervisorStats();
  readonly runner: EffectRunner;
  /** Ballots this node started per key, and per decision (a histogram). */
  readonly ballots: BallotCounts;
  /** The instances: a simple_one_for_one pool of per-key children. */
  private readonly pool: InstancePool;
  /** Every key that is not at rest (EMPTY_SLOT): a live instance, an awaited outcome, or an ask. */
  private readonly slots = new Map<string, KeySlot>();
  /** Asks waiting for a key's decision. */
  private readonly waiting = new KeyWaiters();
  /** Why keys are refused here: voting stopped, this node removed, or the key given up. */
  private readonly refusals: KeyRefusals;
  private host: KeySupervisorHost | null = null;
  private timers: TakeoverTimers | null = null;
  /** The node's configurations, the messages held while one is written, the rescan's answers. */
  readonly hooks: MembershipHooks;
  /** Phase timeouts, from the phases this node's instances complete. */
  readonly timing: AdaptiveTiming;
  /** Samples the instances' phases for `timing`. */
  private readonly phases: PhaseTimer;
  /** Members that did not answer a failed round 0 of this node, until they speak again. */
  readonly silentPeers: SilentPeers;
  /** Reads: what this node knows decided, local reads, quorum reads (docs/membership.md §8). */
  readonly reads: KeyReads;
  /** Decisions known to be chosen here (§8.2, rule 1), durable or not yet. */
  private readonly known: KnownDecisions;
  /** Keys handled without an instance, shown to inspection as their instance would be; null when not inspected. */
  private readonly witnesses: InstanceWitnesses | null;

  constructor(readonly options: KeySupervisorOptions) {
    this.hooks = new MembershipHooks(this, {
      later: (task) => this.host?.later(task),
      adopted: (view, fence) => this.adopted(view, fence),
      now: () => options.clock.now(),
    });
    this.runner = new EffectRunner({
      self: options.id,
      members: options.members,
      // Proposes to the voters; prepares, queries and decisions also to the old voters in transition.
      targets: (message) =>
        message.type === 'propose' ? (this.membership.current?.voters ?? []) : this.membership.members(),
      storage: options.storage,
      transport: options.transport,
      onDecided: (key, value) => this.decided(key, value),
      onAnswer: (key, value) => this.waiting.decided(key, value),
      onRefused: (effect) => this.refused(effect),
      onStorageFailure: (error) => this.storageFailedWith(errorInfo(error)),
      onSettled: (write) => this.host?.settle(write),
      // The decision learned before its record was issued is on disk now: the store answers for it
      // (unless something run on the way issued another write of the key).
      onWritesDurable: (key) => this.known.writesDurable(key),
    });
    this.known = new KnownDecisions({
      storage: options.storage,
      hasPendingWrites: (key) => this.runner.hasPendingWrites(key),
    });
    this.ballots = new BallotCounts(this.stats);
    this.refusals = new KeyRefusals(() => this.hooks.exclusion());
    const { id, members, storage, random } = options;
    this.timing = new AdaptiveTiming({ ...DEFAULT_TIMING, ...options.timing }, options.adaptiveTiming);
    this.phases = new PhaseTimer(this.timing, () => options.clock.now());
    this.silentPeers = new SilentPeers(id, () => this.membership.current?.voters ?? members);
    this.reads = new KeyReads({
      self: id,
      storage,
      clock: options.clock,
      random,
      runner: this.runner,
      refusals: this.refusals,
      known: this.known,
      timing: this.timing,
      stats: this.stats,
      inspected: options.inspect !== undefined,
      view: () => this.membership.current ?? { voters: members },
      later: (task) => this.host?.later(task),
      recover: (key, value, replyTo) => this.recoverKey(key, value, replyTo),
    });
    this.witnesses =
      options.inspect && options.inspectInstanceLess !== false
        ? new InstanceWitnesses({
            logic: options.instanceLogic,
            inspect: options.inspect,
            // Seed 0: a witness draws nothing from the node's random source, so watching changes no run.
            input: (key, record) => this.instanceInput(key, record, 0, false),
          })
        : null;
    this.pool = createInstancePool(
      options,
      (key, restarted) => this.instanceInput(key, storage.load(key) ?? null, drawSeed(random), restarted),
      {
        started: (key, child, restarted) => this.instanceStarted(key, child, restarted),
        emitted: (key, effect) => this.instanceEmitted(key, effect),
        snapshot: (key, snapshot, child) => {
          this.phases.noteTimeouts(key, snapshot.value as InstanceStateName, snapshot.context);
          this.instanceMoved(key, snapshot.value as InstanceStateName, child.sessionId);
        },
        exited: (key, reason, restarting) => this.instanceExited(key, reason, restarting),
        gaveUp: (key, reason) => this.giveUp(key, errorInfo(errorOf(reason))),
      },
    );
  }

  /** What an instance of `key` starts from: its record, and the node's identity and settings. */
  private instanceInput(
    key: string,
    record: KeyRecord | null,
    seed: number,
    restarted: boolean,
  ): InstanceInput {
    const { id, members, storage } = this.options;
    const owner = this.ownerOf(key);
    return {
      key,
      node: id,
      boot: storage.boot ?? 0,
      restarted,
      members,
      config: this.configView(),
      fence: this.membership.fence,
      record,
      seed,
      timing: this.timing.timing(),
      ownerFastPath: owner !== null,
      ...(owner !== null ? { owner } : {}),
    };
  }

  /** The node's configurations (docs/membership.md §4). */
  get membership(): NodeMembership {
    return this.hooks.membership;
  }

  private configView(): ConfigView {
    return this.hooks.view();
  }

  /** A newer configuration took effect: the live instances run under it from now on (§5.2 rule 3). */
  private adopted(view: ConfigView, fence: number): void {
    this.host?.scope.emit(this.hooks.adoptedEvent(view));
    // Removed (the transition that removed this node is complete): its asks end with the code.
    const excluded = this.hooks.exclusion();
    if (excluded !== null) {
      this.shutDown(excluded);
      return;
    }
    for (const key of this.pool.ids())
      this.pool.child(key)?.send({ type: 'config.adopted', config: view, fence, owner: this.ownerOf(key) });
  }

  /** Live instance actors: bounded by keys in flight, not by keys decided. */
  get liveInstances(): number {
    return this.pool.size;
  }

  get storageFailed(): boolean {
    return this.refusals.storageFailed;
  }

  /** The live instance of `key`, if any (for inspection and tests). */
  instanceOf(key: string): InstanceActor | undefined {
    return this.pool.child(key);
  }

  /**
   * The state of `key` here: a live instance's state; otherwise what its record and slot imply —
   * `decided`, `acknowledged` while this node awaits the outcome of a vote or forward, or `nil`.
   */
  stateOf(key: string): InstanceStateName | 'failed' {
    if (this.refusals.hasFailed(key)) return 'failed';
    const live = this.pool.child(key);
    if (live) return live.getSnapshot().value as InstanceStateName;
    if (this.options.storage.load(key)?.decided) return 'decided';
    return this.slots.get(key)?.awaiting ? 'acknowledged' : 'nil';
  }

  /**
   * The keys this node is working on and has not seen decided: a live instance that is not idle,
   * an ask waiting here, a vote or forward awaiting its outcome, or a key given up (`failed`).
   */
  pendingKeys(): string[] {
    const candidates = new Set([...this.slots.keys(), ...this.waiting.keys(), ...this.refusals.failedKeys()]);
    return [...candidates].filter((key) => {
      const state = this.stateOf(key);
      return state !== 'decided' && (state !== 'nil' || this.waiting.has(key));
    });
  }

  start(host: KeySupervisorHost): void {
    this.host = host;
    this.pool.attach(host.scope);
    // The node actor's clock drives instance timers too (an embedder's SimulatedClock, say).
    const clock = (host.scope.self as unknown as { clock: KeySupervisorOptions['clock'] }).clock;
    this.timers = new TakeoverTimers(
      clock,
      this.options.random,
      () => this.timing.timing(),
      (key) => host.timerFired(key),
    );
    this.options.transport.listen((envelope) => host.scope.self.send({ type: 'inbound', envelope }));
    this.resumePending();
  }

  /**
   * Keys accepted but not decided before the node last stopped: each is taken over, so an
   * instance starts in `acknowledged` and, unless another proposer finishes first, pushes the
   * accepted value to a decision. Without this a key nobody asks again would stay undecided.
   */
  private resumePending(): void {
    for (const key of this.options.storage.pendingKeys?.() ?? []) this.takeover(key);
  }

  ask(key: string, value: PaxosValue, replyTo: ReplyTo): void {
    this.stats.asks++;
    const problem = checkKey(key) ?? checkValue(value);
    if (problem !== null) {
      const code = checkKey(key) !== null ? ERROR_CODES.BAD_KEY : ERROR_CODES.BAD_VALUE;
      replyTo.send({ type: 'paxos.failed', key, error: { code, message: problem } });
      return;
    }
    const refusal = this.refusals.refusal(key);
    if (refusal !== null) {
      replyTo.send({ type: 'paxos.failed', key, error: refusal });
      return;
    }
    this.waiting.add(key, replyTo);
    const owner = this.ownerOf(key);
    const ownerReachable =
      owner === null || owner === this.options.id || this.options.transport.isLinkUp?.(owner) !== false;
    this.step(key, { type: 'ask', value, ownerReachable });
  }

  /** An ask gave up waiting (its timeout): forget its reply address. */
  cancelAsk(key: string, replyTo: ReplyTo): void {
    this.waiting.remove(key, replyTo);
  }

  /**
   * Decide the key here with both phases, like an ask (keyStep.ts `recover`): a quorum read that
   * found acceptances without proof, or a rescan's recovery (docs/membership.md §6.3).
   */
  recoverKey(key: string, value: PaxosValue, replyTo: ReplyTo): void {
    const refusal = this.refusals.refusal(key);
    if (refusal !== null) {
      replyTo.send({ type: 'paxos.failed', key, error: refusal });
      return;
    }
    this.waiting.add(key, replyTo);
    this.step(key, { type: 'recover', value });
  }

  /** An envelope from a peer: the key's step routes it. */
  inbound(envelope: Envelope): void {
    // While an adoption is written, nothing is answered: replayed once it is durable (I3).
    if (this.hooks.hold(envelope)) return;
    this.stats.messagesIn++;
    if (!this.refusals.votingStopped && this.hooks.inbound(envelope)) return;
    const { from, key, message } = envelope;
    if (message.type === 'reject') this.stats.rejectionsReceived++;
    this.silentPeers.heardFrom(from);
    if (message.type === 'acknowledge' && message.ballot.round === 0)
      this.silentPeers.acknowledged(key, from);
    if (!this.refusals.votingStopped && message.type === 'state' && from !== this.options.id) {
      this.reads.quorumReads.answer(from, key, message);
      return;
    }
    if (this.refusals.votingStopped || this.refusals.hasFailed(key)) {
      this.countRefusal(
        this.refusals.votingStopped ? this.refusals.stoppedReason() : 'key failed',
        from,
        key,
      );
      return;
    }
    this.step(key, { type: 'message', from, message });
  }

  /** A write of the runner settled (through the host's mailbox). */
  writeSettled(write: SettledWrite): void {
    this.runner.settle(write);
  }

  /** A key's takeover timer fired (through the host's mailbox), or the node resumed an accepted key. */
  takeover(key: string): void {
    if (this.refusals.hasFailed(key) || this.refusals.votingStopped) return;
    this.step(key, { type: 'takeover' });
  }

  /**
   * A retirement asked for when the instance moved (through the host's mailbox): stop it if it is
   * still the same instance and still done, and let the record answer for the key.
   */
  retire(key: string, sessionId: string): void {
    const live = this.pool.child(key);
    if (!live || live.sessionId !== sessionId) return;
    const state = live.getSnapshot().value as InstanceStateName;
    if (!isRetirable(state, this.waiting.has(key))) return;
    if (state === 'nil') this.ballots.forget(key);
    this.stats.retired++;
    this.pool.terminateChild(key);
    this.setSlot(key, { ...(this.slots.get(key) ?? EMPTY_SLOT), instance: null });
  }

  /** `xstate.error.actor.<key>` and the like: the pool restarts the instance or gives it up. */
  childExited(event: EventObject): boolean {
    return this.pool.childExited(event);
  }

  storageFailedWith(error: ErrorInfo): void {
    if (this.refusals.votingStopped) return;
    this.host?.scope.emit({ type: 'storage.failed', error });
    this.stopVoting({ code: ERROR_CODES.STORAGE_FAILED, message: `storage failed: ${error.message}` });
  }

  /**
   * From now on this node neither votes nor proposes (a failed disk, or an alarm such as
   * PAXOS_ERR_DISAGREEMENT): every instance stops and every ask fails with `failure`.
   */
  stopVoting(failure: ErrorInfo): void {
    if (!this.refusals.stopVoting(failure)) return;
    this.shutDown(failure);
    this.ballots.clear();
  }

  /** The node actor stops: stop every instance and fail the asks still waiting. */
  stop(): void {
    this.options.transport.listen(() => {});
    this.shutDown(
      errorInfo(new GenPaxosError(ERROR_CODES.STOPPED, 'the node stopped before the key was decided')),
    );
    this.host = null;
  }

  /** Every instance and timer stopped, every ask and read waiting here failed with `error`. */
  private shutDown(error: ErrorInfo): void {
    this.timers?.stop();
    this.pool.shutdown();
    this.witnesses?.stopAll();
    this.slots.clear();
    this.waiting.failAll(error);
    this.reads.quorumReads.failAll(error);
  }

  /** Asks the key's step what to do with `input`, and does it. */
  private step(key: string, input: KeyInput): void {
    const slot = this.slots.get(key) ?? EMPTY_SLOT;
    const record = this.options.storage.load(key) ?? EMPTY_RECORD;
    const outcome = keyStep(this.nodeOf(key), key, slot, record, input);
    if (this.witnesses !== null && slot.instance === null && outcome.deliver === null && !outcome.spawn)
      this.witnesses.stepped(this.nodeOf(key), key, slot, record, input, this.waiting.has(key));
    this.setSlot(key, slotAfter(outcome.slot, outcome.effects));
    if (outcome.timer === 'arm') this.timers?.arm(key);
    else if (outcome.timer === 'clear') this.timers?.clear(key);
    for (const effect of outcome.effects) this.runner.run(effect);
    if (outcome.deliver === null && !outcome.spawn) return;
    const instance = this.instanceFor(key);
    if (outcome.deliver !== null) instance.send(outcome.deliver);
  }

  private nodeOf(key: string): KeyNode {
    return {
      self: this.options.id,
      members: this.membership.members(),
      owner: this.ownerOf(key),
      config: this.configView(),
      fence: this.membership.fence,
      acceptorFastPath: this.options.acceptorFastPath,
      everyPeerReachable: this.everyPeerReachable(),
    };
  }

  /** Every other member's link is up, as far as the transport knows (one without link state: yes). */
  private everyPeerReachable(): boolean {
    if (this.silentPeers.anySuspected) return false;
    const isLinkUp = this.options.transport.isLinkUp;
    if (isLinkUp === undefined) return true;
    for (const member of this.configView().voters)
      if (member !== this.options.id && isLinkUp.call(this.options.transport, member) === false) return false;
    return true;
  }

  private ownerOf(key: string): string | null {
    return this.options.ownerFastPath ? this.hooks.ownerOf(key) : null;
  }

  /** Keeps a slot only while it holds something: idle keys cost no memory. */
  private setSlot(key: string, slot: KeySlot): void {
    if (slot.instance === null && !slot.awaiting && slot.proposal === null) this.slots.delete(key);
    else this.slots.set(key, slot);
  }

  private instanceFor(key: string): InstanceActor {
    if (!this.host) throw new GenPaxosError(ERROR_CODES.STOPPED, 'the node is not running');
    const live = this.pool.child(key);
    if (live) return live;
    // The instance takes over whatever the key awaited: its own timers replace the takeover timer.
    this.timers?.clear(key);
    const slot = this.slots.get(key) ?? EMPTY_SLOT;
    this.setSlot(key, { ...slot, awaiting: false });
    this.witnesses?.end(key);
    const child = this.pool.startChild(key, null);
    this.setSlot(key, {
      ...(this.slots.get(key) ?? EMPTY_SLOT),
      instance: child.getSnapshot().value as InstanceStateName,
    });
    return child;
  }

  /** A decision is durable here: answer the asks waiting for it. */
  private decided(key: string, value: PaxosValue): void {
    // Known chosen now (the writes it rests on are durable); readable until its decided record,
    // issued with it (learner.ts), is durable too and the store answers for it.
    this.known.learned(key, value);
    this.stats.decided++;
    const rounds = this.ballots.decided(key);
    this.waiting.decided(key, value);
    if (isReservedKey(key)) this.hooks.decided(key, value);
    this.host?.scope.emit({ type: 'decided', key, value, rounds });
  }

  private refused(effect: RefusedEffect): void {
    this.countRefusal(effect.reason, effect.from, effect.key);
    this.hooks.refused(effect.reason, effect.from);
  }

  private giveUp(key: string, error: ErrorInfo): void {
    this.refusals.giveUp(key, error);
    this.stats.failedKeys++;
    this.slots.delete(key);
    this.ballots.forget(key);
    this.host?.scope.emit({ type: 'instance.failed', key, error });
    this.waiting.fail(key, this.refusals.refusal(key) as ErrorInfo);
  }

  private countRefusal(reason: string, from: string, key: string): void {
    this.stats.messagesRefused++;
    this.stats.refusedByReason[reason] = (this.stats.refusedByReason[reason] ?? 0) + 1;
    this.host?.scope.emit({ type: 'message.refused', reason, from, key });
  }

  /**
   * Every move of an instance (inside its own step): note its state; when it is done, ask for its
   * retirement through the mailbox, since an actor cannot be stopped from inside its own step.
   */
  private instanceMoved(key: string, state: InstanceStateName, sessionId: string): void {
    const slot = this.slots.get(key) ?? EMPTY_SLOT;
    if (slot.instance === state) return;
    this.setSlot(key, { ...slot, instance: state });
    this.phases.moved(key, slot.instance, state);
    if (slot.instance === 'proposing') this.silentPeers.roundZeroEnded(key, state === 'decided');
    if (shouldRetire(state, slot.instance, this.waiting.has(key))) this.host?.retire(key, sessionId);
  }

  /** A restarted instance is asked again for the value still waiting for a decision. */
  private instanceStarted(key: string, child: InstanceActor, restarted: boolean): void {
    const slot = this.slots.get(key) ?? EMPTY_SLOT;
    this.setSlot(key, { ...slot, instance: child.getSnapshot().value as InstanceStateName });
    if (!restarted) {
      this.stats.spawned++;
      return;
    }
    const outcome = keyStep(this.nodeOf(key), key, this.slots.get(key) ?? EMPTY_SLOT, EMPTY_RECORD, {
      type: 'restarted',
    });
    if (outcome.deliver !== null) child.send(outcome.deliver);
  }

  private instanceEmitted(key: string, effect: Effect): void {
    // A ballot starts with its prepare, or — ballot 0, the owner's — with its propose.
    const message = effect.type === 'broadcast' ? effect.message : null;
    if (message?.type === 'prepare' || (message?.type === 'propose' && message.ballot.round === 0))
      this.ballots.ballotStarted(key);
    if (message?.type === 'propose' && message.ballot.round === 0) this.silentPeers.roundZeroSent(key);
    if (effect.type === 'decided') this.setSlot(key, slotAfter(this.slots.get(key) ?? EMPTY_SLOT, [effect]));
    this.runner.run(effect);
  }

  private instanceExited(key: string, reason: ExitReason, restarting: boolean): void {
    this.phases.exited(key);
    if (!restarting) {
      this.setSlot(key, { ...(this.slots.get(key) ?? EMPTY_SLOT), instance: null });
      return;
    }
    this.stats.restarted++;
    this.host?.scope.emit({ type: 'instance.restarted', key, error: errorInfo(errorOf(reason)) });
  }
}
