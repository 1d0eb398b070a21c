// watchExit: every watcher of an actor hears its exit once, with the reason; an unsubscribed one
// does not; an actor watched before it stopped answers later watchers at once; and however many watchers (calls waiting on
// a server) there are, the actor carries one observer for them, so its events do not cost more
// the more calls are in flight.
import { describe, expect, it } from 'vitest';
import { createActor, setup, type AnyActorRef, type Observer, type Snapshot } from 'xstate';
import { watchExit } from '../../src/runtime/actorLike.js';
import type { ExitReason } from '../../src/runtime/exitReason.js';

const waiter = setup({}).createMachine({
  initial: 'idle',
  states: {
    idle: {
      on: {
        crash: {
          actions: () => {
            throw new Error('boom');
          },
        },
        finish: 'done',
      },
    },
    done: { type: 'final' },
  },
});

/** Counts the subscriptions made on `actor`. */
function countingSubscriptions(actor: AnyActorRef): { readonly count: () => number } {
  let count = 0;
  const subscribe = actor.subscribe.bind(actor) as (o: Observer<Snapshot<unknown>>) => unknown;
  (actor as { subscribe: unknown }).subscribe = (observer: Observer<Snapshot<unknown>>) => {
    count++;
    return subscribe(observer);
  };
  return { count: () => count };
}

describe('watchExit', () => {
  it('tells every watcher once, with the reason, through one subscription', () => {
    const actor = createActor(waiter).start();
    const subscriptions = countingSubscriptions(actor);
    const heard: ExitReason[][] = Array.from({ length: 100 }, () => []);
    for (const list of heard) watchExit(actor, (reason) => list.push(reason));
    expect(subscriptions.count()).toBe(1);
    actor.send({ type: 'crash' });
    for (const list of heard) {
      expect(list).toHaveLength(1);
      expect(String((list[0] as { error: Error }).error)).toContain('boom');
    }
  });

  it('forgets a watcher that unsubscribed, and keeps the others', () => {
    const actor = createActor(waiter).start();
    const heard: string[] = [];
    const gone = watchExit(actor, () => heard.push('gone'));
    watchExit(actor, () => heard.push('kept'));
    gone.unsubscribe();
    actor.send({ type: 'finish' });
    expect(heard).toEqual(['kept']);
    expect(watchExit(actor, () => heard.push('after'))).toBeDefined();
    expect(heard).toEqual(['kept', 'after']);
  });

  it('answers at once for a watched actor that has already stopped', () => {
    const actor = createActor(waiter).start();
    watchExit(actor, () => {});
    actor.stop();
    const heard: string[] = [];
    watchExit(actor, () => heard.push('late'));
    expect(heard).toEqual(['late']);
  });
});
