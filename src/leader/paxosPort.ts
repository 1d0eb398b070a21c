// What the leader layer needs of a gen-paxos node: ask a key, read what is decided locally, and
// hear of every decision the node learns. Adapters for the two shapes a node comes in: the
// `GenPaxosNode` handle of `startLink`, and a `genPaxosNode` actor inside a user's XState system.
import { ERROR_CODES, GenPaxosError, errorFromInfo } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import { GenPaxosNode } from '../node/genPaxos.js';
import type { TimerClock } from '../base/clock.js';
import {
  supervisorOf,
  type GenPaxosNodeActorRef,
  type GenPaxosNodeReply,
  type ReplyTo,
} from '../node/genPaxosNode.js';

export interface PaxosPort {
  /** The node's id: the name leases are held under. */
  readonly id: string;
  /** Resolves with the value decided for `key`; rejects with PAXOS_ERR_TIMEOUT after `timeoutMs`. */
  ask(key: string, value: PaxosValue, timeoutMs: number): Promise<PaxosValue>;
  /** The decision for `key` known locally, if the node can say so synchronously. */
  read?(key: string): PaxosValue | undefined;
  /** Calls `listener` for each decision the node learns; returns the unsubscriber. */
  onDecided(listener: (key: string, value: PaxosValue) => void): () => void;
}

/** Anything `startLeader` and the `genLeader` actor accept as their Paxos node. */
export type PaxosSource = GenPaxosNode | GenPaxosNodeActorRef | PaxosPort;

function isPort(source: PaxosSource): source is PaxosPort {
  return typeof (source as PaxosPort).onDecided === 'function';
}

/** A port over `source`. `clock` times the asks of an actor-ref node (the façade times its own). */
export function paxosPortOf(source: PaxosSource, clock: TimerClock): PaxosPort {
  if (isPort(source)) return source;
  if (source instanceof GenPaxosNode) {
    return {
      id: source.id,
      ask: (key, value, timeoutMs) => source.ask(key, value, { timeoutMs }),
      read: (key) => source.read(key),
      onDecided: (listener) => {
        const subscription = source.actor.on('decided', (event) => listener(event.key, event.value));
        return () => subscription.unsubscribe();
      },
    };
  }
  return actorPort(source, clock);
}

function actorPort(ref: GenPaxosNodeActorRef, clock: TimerClock): PaxosPort {
  return {
    id: ref.getSnapshot().context.id,
    ask: (key, value, timeoutMs) =>
      new Promise<PaxosValue>((resolve, reject) => {
        let settled = false;
        const replyTo: ReplyTo = {
          send: (reply: GenPaxosNodeReply) => {
            if (settled || reply.key !== key) return;
            if (reply.type === 'paxos.decided') {
              settled = true;
              clock.clearTimeout(timer);
              resolve(reply.value);
            } else if (reply.type === 'paxos.failed') {
              settled = true;
              clock.clearTimeout(timer);
              reject(errorFromInfo(reply.error));
            }
          },
        };
        const timer = clock.setTimeout(() => {
          if (settled) return;
          settled = true;
          ref.send({ type: 'ask.cancel', key, replyTo });
          reject(new GenPaxosError(ERROR_CODES.TIMEOUT, `no decision for ${key} within ${timeoutMs} ms`));
        }, timeoutMs);
        if (ref.getSnapshot().status !== 'active') {
          settled = true;
          clock.clearTimeout(timer);
          reject(new GenPaxosError(ERROR_CODES.STOPPED, 'the paxos node is not running'));
          return;
        }
        ref.send({ type: 'ask', key, value, replyTo });
      }),
    read: (key) => supervisorOf(ref)?.read(key),
    onDecided: (listener) => {
      const subscription = ref.on('decided', (event) => listener(event.key, event.value));
      return () => subscription.unsubscribe();
    },
  };
}
