// The configurations the model checker runs: the real machine, and deliberately broken
// variants the checker must find unsafe (STYLE.md: every checker has a control case that must
// fail, so a checker that cannot fail is caught).
import { assign, enqueueActions } from 'xstate';
import { acceptorStep } from '../../src/paxos/acceptor.js';
import {
  instanceMachine,
  type InstanceEvent,
  type InstanceMachine,
} from '../../src/paxos/instanceMachine.js';
import type { Ballot } from '../../src/paxos/ballot.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { chooseValue } from '../../src/paxos/proposer.js';
import { ALL_INVARIANTS, type ModelConfig } from './config.js';

export interface Bounds {
  readonly maxRound: number;
  readonly maxCrashes: number;
  readonly reaskAfterRestart?: boolean;
}

function named(label: string, bounds: Bounds): string {
  return `${label} (rounds ≤ ${bounds.maxRound}, crashes ≤ ${bounds.maxCrashes})`;
}

const GROUP = {
  members: ['n1', 'n2', 'n3'],
  // Two proposers with distinct values; n3 is asked nothing but may still take over a ballot.
  proposals: { n1: 'A', n2: 'B' },
} as const;

/** The instance machine as shipped. */
export function correct(bounds: Bounds): ModelConfig {
  return {
    name: named('correct', bounds),
    ...GROUP,
    maxRound: bounds.maxRound,
    maxCrashes: bounds.maxCrashes,
    reaskAfterRestart: bounds.reaskAfterRestart ?? true,
    restartFrom: 'durable',
    machine: instanceMachine,
    durability: 'atomic',
    reads: 'durable',
    invariants: ALL_INVARIANTS,
  };
}

/** Broken (a): an acceptor restarts with an empty record, forgetting its promises and votes. */
export function forgetfulAcceptor(bounds: Bounds): ModelConfig {
  return {
    ...correct(bounds),
    name: named('broken: acceptor forgets its promise on restart', bounds),
    restartFrom: 'empty',
  };
}

/**
 * Broken (b): a quorum of 1 out of 3. Two quorums need not intersect, which is what every
 * safety argument of Paxos Made Simple §2.2 rests on. Checked for agreement and validity only,
 * so the counterexample shows two different values decided rather than an unchosen one learned.
 */
export function quorumOfOne(bounds: Bounds): ModelConfig {
  return {
    ...correct(bounds),
    name: named('broken: a quorum of 1 out of 3', bounds),
    machine: instanceMachine.provide({
      guards: {
        hasPromiseQuorum: ({ context }) => context.promises.length >= 1,
        hasAckQuorum: ({ context }) => context.acks.length >= 1,
      },
    }),
    invariants: ['agreement', 'validity'],
  };
}

/**
 * Broken (c): the original paxos_fsm's defect. The proposer drops the accepted proposals the
 * promises carry, so P2c (Paxos Made Simple §2.2) no longer holds: it may propose its own value
 * over one already chosen.
 */
export function proposerIgnoresAccepted(bounds: Bounds): ModelConfig {
  return {
    ...correct(bounds),
    name: named('broken: proposer ignores accepted values (P2c)', bounds),
    machine: instanceMachine.provide({
      actions: {
        recordPromise: assign(({ context, event }) => {
          const from = (event as { from: string }).from;
          if (context.promises.some((p) => p.from === from)) return {};
          return { promises: [...context.promises, { from, accepted: null }] };
        }),
      },
    }),
  };
}

type EventOf<T extends InstanceEvent['type']> = Extract<InstanceEvent, { type: T }>;

/**
 * Broken (d): the acceptor replies before its promise or acceptance is durable (the effects of
 * phases 1b and 2b emitted in the wrong order). Only a crash between the reply and the write
 * shows it, so this is the control case for the model's crash-inside-a-step points.
 */
export function repliesBeforePersisting(bounds: Bounds): ModelConfig {
  return {
    ...correct(bounds),
    name: named('broken: acceptor replies before its vote is durable', bounds),
    // Agreement only, so the trace ends in two values rather than one learned too early.
    invariants: ['agreement', 'validity'],
    machine: votesRepliesFirst(),
  };
}

/**
 * The machine with the acceptor's `vote` effects reordered: the reply (or rejection) before the
 * write of the vote it reveals; `only` one message type, or both.
 */
export function votesRepliesFirst(only?: 'prepare' | 'propose'): InstanceMachine {
  return instanceMachine.provide({
    actions: {
      vote: enqueueActions(({ context, event, enqueue }) => {
        const e = event as EventOf<'prepare' | 'propose'>;
        const outcome = acceptorStep({ key: context.key, owner: context.owner }, context, e.from, e);
        if (outcome.granted)
          enqueue.assign({
            ...outcome.state,
            highestSeenRound: Math.max(context.highestSeenRound, e.ballot.round),
          });
        const reorder = only === undefined || only === e.type;
        const sends = outcome.effects.filter((effect) => effect.type !== 'persist');
        const writes = outcome.effects.filter((effect) => effect.type === 'persist');
        for (const effect of reorder ? [...sends, ...writes] : outcome.effects) enqueue.emit(effect);
      }),
    },
  });
}

/**
 * The correct machine with writes that become durable later, one by one, while clients read
 * the nodes' stores: what the runtime does, modelled step by step rather than folded into
 * each machine step. Reads see only durable records (the runtime since commit f35df3d).
 */
export function queuedWrites(bounds: Bounds): ModelConfig {
  return {
    ...correct(bounds),
    name: named('correct, writes queued, reads of durable state', bounds),
    durability: 'queued',
  };
}

/**
 * Broken (e): the runtime bug this model check led to (f35df3d). Clients were answered from
 * `Storage.load`, which sees writes still in flight: a proposer's decision, resting on its own
 * acceptance not yet durable, could be read, then lost in a crash, and another value chosen.
 */
export function readsSeePendingWrites(bounds: Bounds): ModelConfig {
  return {
    ...queuedWrites(bounds),
    name: named('broken: reads see writes not yet durable', bounds),
    reads: 'latest',
    invariants: ['agreement', 'validity'],
  };
}

/** The machine as shipped with the owner fast path on: n1 owns the key (ballot 0), n2 forwards. */
export function correctOwner(bounds: Bounds): ModelConfig {
  return { ...correct(bounds), name: named('correct, owner fast path', bounds), ownerFastPath: true };
}

/**
 * Broken (f): the owner's ballot-0 propose leaves before its own acceptance is durable. After a
 * crash the owner is fresh again and can use ballot 0 a second time, with another value (n2's,
 * forwarded): two values accepted in one ballot.
 */
export function ownerSendsBeforeDurable(bounds: Bounds): ModelConfig {
  return {
    ...correctOwner(bounds),
    name: named('broken: owner proposes ballot 0 before its vote is durable', bounds),
    invariants: ['agreement', 'validity'],
    machine: instanceMachine.provide({
      actions: {
        startProposal: enqueueActions(({ context, enqueue }) => {
          const ballot = context.ballot as Ballot;
          const chosen = chooseValue(context.promises, context.proposal) as { value: PaxosValue };
          const accepted = { ballot, value: chosen.value };
          enqueue.assign({ accepted, acks: [context.node] });
          enqueue.emit({
            type: 'broadcast',
            key: context.key,
            message: { type: 'propose', ballot, value: chosen.value },
          });
          enqueue.emit({
            type: 'persist',
            key: context.key,
            record: { promised: context.promised, accepted, decided: context.decided },
          });
        }),
      },
    }),
  };
}
