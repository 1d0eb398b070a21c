// The node's port for layers built on it (the leader layer, your own code): ask a key, read what is
// decided locally, hear of every decision the node learns. `startLink`'s handle is one; `actorPort`
// makes one of a genPaxosNode actor inside your own XState system, through its events only.
import type { TimerClock } from '../base/clock.js';
import { ERROR_CODES, GenPaxosError, errorFromInfo } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import type { GenPaxosNodeActorRef } from './genPaxosNode.js';
import type { GenPaxosNodeReply, ReplyTo } from './nodeEvents.js';

export interface PaxosPort {
  /** The node's id. */
  readonly id: string;
  /** Resolves with the value decided for `key`; rejects with PAXOS_ERR_TIMEOUT after `timeoutMs`. */
  ask(key: string, value: PaxosValue, timeoutMs: number): Promise<PaxosValue>;
  /** The decision for `key` known locally, when the node can say so synchronously. */
  read?(key: string): PaxosValue | undefined;
  /** Calls `listener` for each decision the node learns; returns the unsubscriber. */
  onDecided(listener: (key: string, value: PaxosValue) => void): () => void;
}

/**
 * A port over a genPaxosNode actor you spawned yourself: asks are `ask` events with a `replyTo`,
 * timed on `clock`; decisions come from the actor's emitted `decided` events. (No `read`: an actor's
 * local read is an event and its reply, not a synchronous call.)
 *
 * @example
 * const port = actorPort(system.get('paxos'), systemClock);
 * await port.ask('k', 'v', 1000);
 */
export function actorPort(ref: GenPaxosNodeActorRef, clock: TimerClock): PaxosPort {
  return {
    id: ref.getSnapshot().context.id,
    ask: (key, value, timeoutMs) =>
      new Promise<PaxosValue>((resolve, reject) => {
        let settled = false;
        const replyTo: ReplyTo = {
          send: (reply: GenPaxosNodeReply) => {
            if (settled || !('key' in reply) || reply.key !== key) return;
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
          settled: () => settled,
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
    onDecided: (listener) => {
      const subscription = ref.on('decided', (event) => listener(event.key, event.value));
      return () => subscription.unsubscribe();
    },
  };
}
