// Deliberately broken variants for the simulation's control runs: each breaks one safety rule,
// and the invariant checker must catch it. A checker that cannot fail proves nothing.
import { enqueueActions } from 'xstate';
import { instanceMachine, type InstanceMachine } from '../../src/paxos/instanceMachine.js';
import { votesRepliesFirst } from '../model/configs.js';
import type { Ballot } from '../../src/paxos/ballot.js';

export type BrokenVariant = 'quorum-of-one' | 'reply-before-persist' | 'no-p2c' | 'amnesia';

/** A proposer that decides on its own vote alone: a "majority" of 1 out of 3. */
const quorumOfOne = instanceMachine.provide({
  guards: {
    hasPromiseQuorum: ({ context }) => context.promises.length >= 1,
    hasAckQuorum: ({ context }) => context.acks.length >= 1,
  },
});

/** An acceptor that sends its promise before writing it. */
const replyBeforePersist = votesRepliesFirst('prepare');

/** The original's proposer: proposes its own value even when a promise reports an accepted one. */
const noP2c = instanceMachine.provide({
  actions: {
    startProposal: enqueueActions(({ context, enqueue }) => {
      const ballot = context.ballot as Ballot;
      const value = context.proposal?.value ?? context.accepted?.value ?? null;
      const accepted = { ballot, value };
      enqueue.assign({ accepted, acks: [context.node], waitMs: context.timing.phaseTimeoutMs });
      enqueue.emit({ type: 'broadcast', key: context.key, message: { type: 'propose', ballot, value } });
      enqueue.emit({
        type: 'persist',
        key: context.key,
        record: { promised: context.promised, accepted, decided: context.decided },
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
    case 'no-p2c':
      return noP2c;
    default:
      return undefined;
  }
}
