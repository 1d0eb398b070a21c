// The asks waiting on this node for each key's decision: whom to answer when the key is decided,
// given up, or the node stops. A caller that gave up (its call timed out) leaves with the next ask
// of its key, or at once through `remove`.
import type { ErrorInfo } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import type { ReplyTo } from './nodeEvents.js';

export class KeyWaiters {
  private readonly waiting = new Map<string, ReplyTo[]>();

  /** `replyTo` waits for `key`'s decision. */
  add(key: string, replyTo: ReplyTo): void {
    const stillWaiting = this.waiting.get(key)?.filter((r) => r.settled?.() !== true);
    if (stillWaiting) {
      stillWaiting.push(replyTo);
      this.waiting.set(key, stillWaiting);
    } else this.waiting.set(key, [replyTo]);
  }

  /** `replyTo` gave up waiting for `key` (its timeout). */
  remove(key: string, replyTo: ReplyTo): void {
    const waiting = this.waiting.get(key);
    if (!waiting) return;
    const rest = waiting.filter((r) => r !== replyTo);
    if (rest.length > 0) this.waiting.set(key, rest);
    else this.waiting.delete(key);
  }

  has(key: string): boolean {
    return this.waiting.has(key);
  }

  keys(): IterableIterator<string> {
    return this.waiting.keys();
  }

  /** `key` was decided: every ask waiting for it gets `value`. */
  decided(key: string, value: PaxosValue): void {
    const waiting = this.waiting.get(key);
    if (waiting === undefined) return;
    this.waiting.delete(key);
    for (const replyTo of waiting) replyTo.send({ type: 'paxos.decided', key, value });
  }

  /** Every ask waiting for `key` fails with `error`. */
  fail(key: string, error: ErrorInfo): void {
    const waiting = this.waiting.get(key);
    if (waiting === undefined) return;
    this.waiting.delete(key);
    for (const replyTo of waiting) replyTo.send({ type: 'paxos.failed', key, error });
  }

  /** Every ask waiting here fails with `error` (the node stopped, or stopped voting). */
  failAll(error: ErrorInfo): void {
    for (const [key, waiting] of this.waiting)
      for (const replyTo of waiting) replyTo.send({ type: 'paxos.failed', key, error });
    this.waiting.clear();
  }
}
