// The node handle's side of a membership change: a ChangeNode (membership/changeMembers.ts) over
// a running node actor, and the changes and transition watch of one handle (MembershipChanges). Everything that touches the node's state runs inside the actor's own
// steps (`node.task` events); asks of reserved keys and recoveries are events with a reply address,
// timed on the node's clock.
import type { Actor } from 'xstate';
import type { RuntimeClock } from '../base/clock.js';
import { ERROR_CODES, GenPaxosError, errorFromInfo } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import { hasMembershipStore } from '../storage/membershipStore.js';
import type { Storage } from '../storage/storage.js';
import type { Transport } from '../transport/transport.js';
import type { GenPaxosNodeLogic } from './genPaxosNode.js';
import type { KeySupervisor } from './keySupervisor.js';
import {
  changeMembers,
  type ChangeMembersOptions,
  type ChangeNode,
  type MembersChange,
} from './membership/changeMembers.js';
import type { MembershipView } from './membership/nodeMembership.js';
import { TransitionWatch } from './transitionWatch.js';
import type { RandomSource } from '../base/random.js';
import { checkTimeout } from './validateOptions.js';
import type { MembershipMessage } from './membership/membershipMessages.js';
import type { GenPaxosNodeReply, ReplyTo } from './nodeEvents.js';

export interface MembershipPortOptions {
  readonly self: string;
  /** The node actor as it runs now (it changes when its supervisor restarts it). */
  readonly actor: () => Actor<GenPaxosNodeLogic> | null;
  readonly clock: RuntimeClock;
  readonly transport: Transport;
  readonly storage: Storage;
}

export function membershipPort(options: MembershipPortOptions): ChangeNode {
  const run = <T>(task: (keys: KeySupervisor) => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const actor = options.actor();
      if (actor === null || actor.getSnapshot().status !== 'active') {
        reject(new GenPaxosError(ERROR_CODES.STOPPED, `node ${options.self} is not running`));
        return;
      }
      actor.send({
        type: 'node.task',
        run: (keys) => {
          try {
            resolve(task(keys));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
      });
    });
  /** Starts `start(replyTo)` in the actor; resolves with the decision, rejects on failure or timeout. */
  const decision = (
    key: string,
    timeoutMs: number,
    start: (keys: KeySupervisor, replyTo: ReplyTo) => void,
  ): Promise<PaxosValue> =>
    new Promise<PaxosValue>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        options.clock.clearTimeout(timer);
        outcome();
      };
      const replyTo: ReplyTo = {
        send: (reply: GenPaxosNodeReply) => {
          if (reply.type === 'paxos.decided' && reply.key === key) finish(() => resolve(reply.value));
          else if (reply.type === 'paxos.failed' && reply.key === key)
            finish(() => reject(errorFromInfo(reply.error)));
        },
        settled: () => settled,
      };
      const timer = options.clock.setTimeout(
        () =>
          finish(() =>
            reject(
              new GenPaxosError(
                ERROR_CODES.TIMEOUT,
                `no decision for ${JSON.stringify(key)} within ${timeoutMs} ms`,
              ),
            ),
          ),
        timeoutMs,
      );
      run((keys) => start(keys, replyTo)).catch((error: Error) => finish(() => reject(error)));
    });
  return {
    self: options.self,
    clock: options.clock,
    canReport: hasMembershipStore(options.storage),
    snapshot: () =>
      run((keys) => ({ chain: keys.membership.chain, completeEpoch: keys.membership.completeEpoch })),
    describe: () => run((keys) => keys.membership.describe()),
    reachable: (peer) => options.transport.isLinkUp?.(peer) !== false,
    readReserved: (key, timeoutMs) =>
      new Promise<PaxosValue | undefined>((resolve, reject) => {
        let settled = false;
        const timer = options.clock.setTimeout(() => {
          settled = true;
          reject(new GenPaxosError(ERROR_CODES.TIMEOUT, `no quorum read ${JSON.stringify(key)} in time`));
        }, timeoutMs);
        const replyTo: ReplyTo = {
          send: (reply: GenPaxosNodeReply) => {
            if (settled || !('key' in reply) || reply.key !== key) return;
            settled = true;
            options.clock.clearTimeout(timer);
            if (reply.type === 'paxos.read') resolve(reply.decided ? (reply.value as PaxosValue) : undefined);
            else if (reply.type === 'paxos.failed') reject(errorFromInfo(reply.error));
            else resolve(reply.value);
          },
          settled: () => settled,
        };
        run((keys) => keys.reads.quorumRead(key, replyTo)).catch((error: Error) => {
          settled = true;
          options.clock.clearTimeout(timer);
          reject(error);
        });
      }),
    learnDone: (epoch) => run((keys) => keys.membership.learnDone(epoch)),
    askReserved: (key, value, timeoutMs) =>
      decision(key, timeoutMs, (keys, replyTo) => keys.ask(key, value, replyTo)),
    recover: (key, value, timeoutMs) =>
      decision(key, timeoutMs, (keys, replyTo) => keys.recoverKey(key, value, replyTo)),
    // A node that stopped meanwhile sends nothing: the change fails on its next step instead.
    send: (to: string, message: MembershipMessage) =>
      void run((keys) => keys.hooks.send(to, message)).catch(() => {}),
    listen: (listener) => {
      let remove: (() => void) | null = null;
      void run((keys) => (remove = keys.hooks.listen(listener))).catch(() => {});
      return () => void run(() => remove?.()).catch(() => {});
    },
  };
}

/** The changes run from one node's handle, and its transition watch (transitionWatch.ts). */
export class MembershipChanges {
  private running = 0;
  private watcher: TransitionWatch | null = null;

  constructor(private readonly options: MembershipPortOptions) {}

  async change(
    change: MembersChange,
    options: ChangeMembersOptions,
    skipRescan: boolean,
  ): Promise<MembershipView> {
    if (options.timeoutMs !== undefined) {
      const problem = checkTimeout(options.timeoutMs);
      if (problem !== null) throw new GenPaxosError(ERROR_CODES.BAD_OPTION, problem);
    }
    this.running++;
    try {
      return await changeMembers(membershipPort(this.options), change, { ...options, skipRescan });
    } finally {
      this.running--;
    }
  }

  /** Starts the watch; `subscribe` hands it every `config.adopted` of the node. */
  watch(
    random: RandomSource,
    timeoutMs: number,
    subscribe: (listener: (view: { complete: boolean; voters: readonly string[] }) => void) => void,
  ): void {
    const watcher = new TransitionWatch({
      self: this.options.self,
      clock: this.options.clock,
      random,
      timeoutMs,
      port: () => membershipPort(this.options),
      busy: () => this.running > 0,
    });
    this.watcher = watcher;
    subscribe((view) => watcher.seen(view));
  }

  seen(view: { readonly complete: boolean; readonly voters: readonly string[] }): void {
    this.watcher?.seen(view);
  }

  stop(): void {
    this.watcher?.stop();
  }
}
