// The per-node supervisor of Paxos instances: spawns one instance actor per key on demand,
// routes messages to it, restarts it from storage when it crashes (within a restart intensity
// per key), and retires decided and idle instances so live actors do not grow with keys.
// It runs inside the `genPaxosNode` actor (genPaxosNode.ts), which feeds it events.
import { createActor, type ActorRefFrom, type AnyActorRef, type AnyActorScope } from 'xstate';
import { GenPaxosError, ERROR_CODES, errorInfo, type ErrorInfo } from '../errors.js';
import type { Effect } from '../paxos/effects.js';
import type { InstanceMachine, InstanceTiming, InstanceStateName } from '../paxos/instanceMachine.js';
import { isRequest, type Envelope, type PaxosValue } from '../paxos/messages.js';
import { checkKey, checkValue } from '../paxos/validate.js';
import type { Storage } from '../storage/storage.js';
import type { Transport } from '../transport/transport.js';
import type { RuntimeClock } from './clock.js';
import { EffectRunner } from './effectRunner.js';
import { drawSeed, type RandomSource } from './random.js';
import { allowRestart, type RestartIntensity } from './restartIntensity.js';

/** Anything that can receive the node's replies: an XState actor, or the façade's resolver. */
export interface ReplyTo {
  send(event: GenPaxosNodeReply): void;
}

export type GenPaxosNodeReply =
  | { readonly type: 'paxos.decided'; readonly key: string; readonly value: PaxosValue }
  | {
      readonly type: 'paxos.read';
      readonly key: string;
      readonly decided: boolean;
      readonly value: PaxosValue | null;
    }
  | { readonly type: 'paxos.failed'; readonly key: string; readonly error: ErrorInfo };

/** What the supervisor emits for observers (`actor.on(...)`): metrics and logs hang here. */
export type GenPaxosNodeEmitted =
  | { readonly type: 'decided'; readonly key: string; readonly value: PaxosValue }
  | { readonly type: 'instance.restarted'; readonly key: string; readonly error: ErrorInfo }
  | { readonly type: 'instance.failed'; readonly key: string; readonly error: ErrorInfo }
  | { readonly type: 'storage.failed'; readonly error: ErrorInfo }
  | {
      readonly type: 'message.refused';
      readonly reason: string;
      readonly from: string;
      readonly key: string;
    };

export interface KeySupervisorOptions {
  readonly id: string;
  readonly members: readonly string[];
  readonly transport: Transport;
  readonly storage: Storage;
  readonly clock: RuntimeClock;
  readonly random: RandomSource;
  readonly timing: Partial<InstanceTiming>;
  readonly restartIntensity: RestartIntensity;
  readonly instanceLogic: InstanceMachine;
}

/** Counters kept by the supervisor; the actor snapshot exposes them as plain data. */
export interface SupervisorStats {
  spawned: number;
  retired: number;
  restarted: number;
  failedKeys: number;
  decided: number;
  asks: number;
  messagesIn: number;
  messagesRefused: number;
}

type InstanceActor = ActorRefFrom<InstanceMachine>;

export class KeySupervisor {
  readonly stats: SupervisorStats = {
    spawned: 0,
    retired: 0,
    restarted: 0,
    failedKeys: 0,
    decided: 0,
    asks: 0,
    messagesIn: 0,
    messagesRefused: 0,
  };
  readonly runner: EffectRunner;
  private readonly instances = new Map<string, InstanceActor>();
  /** Asks waiting for a key's decision. */
  private readonly waiting = new Map<string, ReplyTo[]>();
  /** The first value asked for a key still undecided: re-asked after a restart. */
  private readonly proposals = new Map<string, PaxosValue>();
  private readonly restarts = new Map<string, number[]>();
  private readonly failed = new Map<string, ErrorInfo>();
  private storageFailure: ErrorInfo | null = null;
  private scope: AnyActorScope | null = null;

  constructor(readonly options: KeySupervisorOptions) {
    this.runner = new EffectRunner({
      self: options.id,
      members: options.members,
      storage: options.storage,
      transport: options.transport,
      onDecided: (key, value) => this.scope?.self.send({ type: 'instance.decided', key, value }),
      onStorageFailure: (error) => this.scope?.self.send({ type: 'storage.failed', error: errorInfo(error) }),
    });
  }

  /** Live instance actors: bounded by keys in flight, not by keys decided. */
  get liveInstances(): number {
    return this.instances.size;
  }

  get storageFailed(): boolean {
    return this.storageFailure !== null;
  }

  /** The live instance of `key`, if any (for inspection and tests). */
  instanceOf(key: string): InstanceActor | undefined {
    return this.instances.get(key);
  }

  /** The state of `key` here: a live instance's state, `decided` from the store, or `nil`. */
  stateOf(key: string): InstanceStateName | 'failed' {
    if (this.failed.has(key)) return 'failed';
    const live = this.instances.get(key);
    if (live) return live.getSnapshot().value as InstanceStateName;
    return this.options.storage.load(key)?.decided ? 'decided' : 'nil';
  }

  start(scope: AnyActorScope): void {
    this.scope = scope;
    this.options.transport.listen((envelope) => scope.self.send({ type: 'inbound', envelope }));
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
    this.instanceFor(key).send({ type: 'ask', value });
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
    if (from === this.options.id || !this.options.members.includes(from)) {
      this.refuse('not a member', envelope);
      return;
    }
    if (this.storageFailure !== null || this.failed.has(key)) {
      this.refuse(this.storageFailure !== null ? 'storage failed' : 'key failed', envelope);
      return;
    }
    const live = this.instances.get(key);
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
    this.instanceFor(key).send({ ...message, from });
  }

  /** The runner saw a decision become durable: answer the asks waiting for it. */
  decided(key: string, value: PaxosValue): void {
    this.stats.decided++;
    this.proposals.delete(key);
    const waiting = this.waiting.get(key);
    this.waiting.delete(key);
    for (const replyTo of waiting ?? []) replyTo.send({ type: 'paxos.decided', key, value });
    this.scope?.emit({ type: 'decided', key, value });
  }

  /** An instance reached `decided`, or fell idle in `nil`: stop it; storage answers for it now. */
  retire(key: string, sessionId: string): void {
    const live = this.instances.get(key);
    if (!live || live.sessionId !== sessionId || !this.scope) return;
    const state = live.getSnapshot().value;
    if (state !== 'decided' && !(state === 'nil' && !this.waiting.has(key))) return;
    this.instances.delete(key);
    this.stats.retired++;
    this.scope.stopChild(live);
  }

  /** `xstate.error.actor.<key>`: restart the instance from storage, or give the key up. */
  instanceCrashed(key: string, error: unknown): void {
    const live = this.instances.get(key);
    if (!live) return;
    this.instances.delete(key);
    const info = errorInfo(error);
    const history = this.restarts.get(key) ?? [];
    this.restarts.set(key, history);
    if (!allowRestart(history, this.options.clock.now(), this.options.restartIntensity)) {
      this.giveUp(key, info);
      return;
    }
    this.stats.restarted++;
    this.scope?.emit({ type: 'instance.restarted', key, error: info });
    const proposal = this.proposals.get(key);
    if (proposal !== undefined) this.instanceFor(key).send({ type: 'ask', value: proposal });
  }

  storageFailedWith(error: ErrorInfo): void {
    if (this.storageFailure !== null) return;
    this.storageFailure = error;
    this.scope?.emit({ type: 'storage.failed', error });
    for (const key of [...this.instances.keys()]) this.stopInstance(key);
    const failure: ErrorInfo = {
      code: ERROR_CODES.STORAGE_FAILED,
      message: `storage failed: ${error.message}`,
    };
    for (const [key, waiting] of this.waiting)
      for (const r of waiting) r.send({ type: 'paxos.failed', key, error: failure });
    this.waiting.clear();
    this.proposals.clear();
  }

  /** The node actor stops: stop every instance and fail the asks still waiting. */
  stop(): void {
    this.options.transport.listen(() => {});
    for (const key of [...this.instances.keys()]) this.stopInstance(key);
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
    this.scope?.emit({ type: 'instance.failed', key, error });
    const refusal = this.refusal(key) as ErrorInfo;
    for (const replyTo of this.waiting.get(key) ?? [])
      replyTo.send({ type: 'paxos.failed', key, error: refusal });
    this.waiting.delete(key);
  }

  private stopInstance(key: string): void {
    const live = this.instances.get(key);
    this.instances.delete(key);
    if (live && this.scope) this.scope.stopChild(live);
  }

  private refuse(reason: string, envelope: Envelope): void {
    this.stats.messagesRefused++;
    this.scope?.emit({ type: 'message.refused', reason, from: envelope.from, key: envelope.key });
  }

  private instanceFor(key: string): InstanceActor {
    const live = this.instances.get(key);
    if (live) return live;
    const scope = this.scope;
    if (!scope) throw new GenPaxosError(ERROR_CODES.STOPPED, 'the node is not running');
    const { id, members, timing, instanceLogic, storage, random } = this.options;
    const child = createActor(instanceLogic, {
      parent: scope.self as AnyActorRef,
      id: key,
      input: { key, node: id, members, record: storage.load(key) ?? null, seed: drawSeed(random), timing },
    });
    child.on('*', (effect) => this.runner.run(effect as Effect));
    let previous: string | undefined;
    child.subscribe({
      next: (snapshot) => {
        const state = snapshot.value;
        if (state === 'decided' || (state === 'nil' && previous !== undefined && previous !== 'nil')) {
          scope.self.send({ type: 'instance.retire', key, sessionId: child.sessionId });
        }
        previous = state;
      },
      error: () => {}, // reaches the supervisor as xstate.error.actor.<key>
    });
    this.instances.set(key, child);
    this.stats.spawned++;
    child.start();
    return child;
  }
}
