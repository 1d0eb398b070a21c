// Deliberately broken variants for the simulation's control runs: each breaks one safety rule,
// and the invariant checker must catch it. A checker that cannot fail proves nothing.
import { enqueueActions } from 'xstate';
import { handlePrepare } from '../../src/paxos/acceptor.js';
import { instanceMachine, type InstanceMachine } from '../../src/paxos/instanceMachine.js';
import type { PrepareMessage } from '../../src/paxos/messages.js';

export type BrokenVariant = 'quorum-of-one' | 'reply-before-persist' | 'amnesia';

/** A proposer that decides on its own vote alone: a "majority" of 1 out of 3. */
const quorumOfOne = instanceMachine.provide({
  guards: {
    hasPromiseQuorum: ({ context }) => context.promises.length >= 1,
    hasAckQuorum: ({ context }) => context.acks.length >= 1,
  },
});

/** An acceptor that sends its promise before writing it. */
const replyBeforePersist = instanceMachine.provide({
  actions: {
    grantPrepare: enqueueActions(({ context, event, enqueue }) => {
      const e = event as PrepareMessage & { from: string };
      const step = handlePrepare(context, e.ballot);
      enqueue.assign({ ...step.state, highestSeenRound: Math.max(context.highestSeenRound, e.ballot.round) });
      enqueue.emit({ type: 'send', key: context.key, to: e.from, message: step.reply });
      enqueue.emit({
        type: 'persist',
        key: context.key,
        record: { promised: step.state.promised, accepted: step.state.accepted, decided: context.decided },
      });
    }),
  },
});

/** The instance logic of a variant; `amnesia` keeps the machine and loses the disk on crash. */
export function instanceLogicFor(variant: BrokenVariant | undefined): InstanceMachine | undefined {
  switch (variant) {
    case 'quorum-of-one':
      return quorumOfOne;
    case 'reply-before-persist':
      return replyBeforePersist;
    default:
      return undefined;
  }
}
