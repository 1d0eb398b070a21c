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
import { nextBallot } from '../../src/paxos/ballot.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { addSender, hasQuorum } from '../../src/paxos/quorum.js';
import { keyStep } from '../../src/paxos/keyStep.js';
import { ALL_INVARIANTS, type ModelConfig } from './config.js';
import { laxMachine, type LaxRules } from './laxAcceptor.js';
import { KEY } from './nodeSteps.js';

export interface Bounds {
  readonly maxRound: number;
  readonly maxCrashes: number;
  readonly reaskAfterRestart?: boolean;
  /** Values each proposer's client may ask (one per incarnation): 2 by default, 1 for big bounds. */
  readonly values?: 1 | 2;
  /** The nodes that may crash (default: all). */
  readonly crashable?: readonly string[];
}

function named(label: string, bounds: Bounds): string {
  const values = bounds.values ?? 2;
  const who = bounds.crashable ? ` of ${bounds.crashable.join(', ')}` : '';
  return `${label} (rounds ≤ ${bounds.maxRound}, crashes${who} ≤ ${bounds.maxCrashes}, ${values} value${values === 1 ? '' : 's'} per proposer)`;
}

const MEMBERS = ['n1', 'n2', 'n3'];

/** Two proposers, each asked one of two values; n3 is asked nothing but may take over a ballot. */
function proposals(bounds: Bounds): ModelConfig['proposals'] {
  return bounds.values === 1 ? { n1: ['A'], n2: ['B'] } : { n1: ['A', 'C'], n2: ['B', 'D'] };
}

/** The node's per-key step and instance machine as shipped (votes without instances included). */
export function correct(bounds: Bounds): ModelConfig {
  return {
    name: named('correct', bounds),
    members: MEMBERS,
    proposals: proposals(bounds),
    maxRound: bounds.maxRound,
    maxCrashes: bounds.maxCrashes,
    ...(bounds.crashable ? { crashable: bounds.crashable } : {}),
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
    // Every vote in an instance, where the broken machine casts it.
    acceptorFastPath: false,
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
 * Broken (f), the old rule's absence: the owner counts its own round-0 vote, as a majority quorum
 * with itself in it, but its vote is written after the propose leaves (the design before the
 * one-fsync fast path, without its rule that the vote be durable first). After a crash the owner
 * is fresh again and can use ballot 0 a second time, with another value (n2's, forwarded).
 */
export function ownerSendsBeforeDurable(bounds: Bounds): ModelConfig {
  return {
    ...correctOwner(bounds),
    name: named('broken: owner votes in ballot 0, its vote written after the propose', bounds),
    invariants: ['agreement', 'validity'],
    machine: instanceMachine.provide({
      guards: { hasAckQuorum: ({ context }) => hasQuorum(context.acks, context.members.length) },
      actions: {
        // Round 0 starts in the transition that claims ballot 0 (instanceMachine.ts).
        takeFirstBallot: enqueueActions(({ context, event, enqueue }) => {
          const ballot = nextBallot(context.node, -1);
          const value = context.proposal?.value ?? (event as { value: PaxosValue }).value;
          const accepted = { ballot, value };
          enqueue.assign({
            proposal: { value },
            ballot,
            promised: ballot,
            promises: [],
            accepted,
            proposing: accepted,
            acks: [context.node],
          });
          enqueue.emit({ type: 'broadcast', key: context.key, message: { type: 'propose', ballot, value } });
          enqueue.emit({
            type: 'persist',
            key: context.key,
            record: { promised: ballot, accepted, decided: context.decided },
          });
        }),
      },
    }),
  };
}

/**
 * Broken (n), a new rule's absence: acceptors acknowledge a second value in a ballot they already
 * accepted (keeping the first), as handlePropose once did. The owner, which writes nothing for its
 * round 0, proposes a second value with ballot 0 after its first instance retired; an
 * acknowledgement of it from an acceptor holding the first is a vote never cast.
 */
export function acceptsConflictingValues(bounds: Bounds): ModelConfig {
  return {
    ...correctOwner(bounds),
    name: named('broken: acceptors acknowledge a second value in an accepted ballot', bounds),
    acceptorFastPath: false,
    machine: laxMachine({ conflictingValue: true }),
  };
}

/**
 * Broken (o), a new rule's absence: the owner decides its round 0 on a majority as if it had voted
 * (its own vote counted though it cast none), instead of every other member's acceptance.
 */
export function roundZeroOnMajority(bounds: Bounds): ModelConfig {
  return {
    ...correctOwner(bounds),
    name: named('broken: round 0 decided on a majority that counts the owner’s missing vote', bounds),
    machine: instanceMachine.provide({
      guards: {
        hasAckQuorum: ({ context }) =>
          hasQuorum(addSender(context.acks, context.node), context.members.length),
      },
    }),
  };
}

/** Every key in an instance on every node (`acceptorFastPath: false`, what the demo's view watches). */
export function correctInstances(bounds: Bounds): ModelConfig {
  return {
    ...correct(bounds),
    name: named('correct, every vote in an instance', bounds),
    acceptorFastPath: false,
  };
}

/**
 * Broken (g): a vote cast without an instance (keyStep's fast path) replies before its write. The
 * control shows that the model runs the node's own path for keys without an instance: a checker
 * that drove only the machine would call this safe.
 */
export function instancelessRepliesFirst(bounds: Bounds): ModelConfig {
  return {
    ...correct(bounds),
    name: named('broken: a vote without an instance replies before it is durable', bounds),
    invariants: ['agreement', 'validity'],
    keyStep: (node, key, slot, record, input) => {
      const outcome = keyStep(node, key, slot, record, input);
      const sends = outcome.effects.filter((effect) => effect.type !== 'persist');
      const writes = outcome.effects.filter((effect) => effect.type === 'persist');
      return { ...outcome, effects: [...sends, ...writes] };
    },
  };
}

/**
 * Broken (h): an instance started for a key without an instance (after votes cast on the fast path,
 * or after a retirement) loads an empty record instead of the key's: it forgets the node's promise
 * and vote without any crash. Shows that the model starts instances from the record, as the node does.
 */
export function respawnForgets(bounds: Bounds): ModelConfig {
  return {
    ...correct(bounds),
    name: named('broken: a respawned instance forgets the record', bounds),
    invariants: ['agreement', 'validity'],
    respawnFrom: 'empty',
  };
}

/**
 * Broken (i): a key with no instance answers a late request with its accepted value as if it were
 * decided (the decided-answer rule applied without its precondition): a learner learns a value no
 * majority accepted.
 */
export function answersUndecided(bounds: Bounds): ModelConfig {
  return {
    ...correct(bounds),
    name: named('broken: an undecided key answers with its accepted value', bounds),
    keyStep: (node, key, slot, record, input) => {
      const accepted = record.accepted;
      if (
        slot.instance === null &&
        accepted !== null &&
        record.decided === null &&
        input.type === 'message' &&
        (input.message.type === 'prepare' || input.message.type === 'propose')
      ) {
        return {
          slot,
          deliver: null,
          spawn: false,
          effects: [
            { type: 'send', key, to: input.from, message: { type: 'decide', value: accepted.value } },
          ],
          timer: 'keep',
        };
      }
      return keyStep(node, key, slot, record, input);
    },
  };
}

/** Forged messages: n3 proposes 'X' to n1 and n2 in n2's name (ballot 1.n2), never asked by anyone. */
const FORGED_BALLOT = (['n1', 'n2'] as const).map((to) => ({
  from: 'n3',
  to,
  key: KEY,
  message: { type: 'propose', ballot: { round: 1, node: 'n2' }, value: 'X' },
})) as ModelConfig['forgeries'];

/** n3 proposes 'X' with round 0, which skips phase 1 and is the key owner's (n1's) alone. */
const FORGED_ROUND_ZERO = (['n1', 'n2'] as const).map((to) => ({
  from: 'n3',
  to,
  key: KEY,
  message: { type: 'propose', ballot: { round: 0, node: 'n3' }, value: 'X' },
})) as ModelConfig['forgeries'];

/** The real node, with a misbehaving member's forged messages in the network: every one is refused. */
export function refusesForgeries(bounds: Bounds): ModelConfig {
  return {
    ...correctOwner(bounds),
    name: named('correct, forged ballots and round 0 in the network', bounds),
    forgeries: [...(FORGED_BALLOT ?? []), ...(FORGED_ROUND_ZERO ?? [])],
  };
}

/** Broken (l): acceptors that do not check that a ballot is its sender's: a forged value is chosen. */
export function acceptsForgedBallots(bounds: Bounds): ModelConfig {
  return laxAcceptors(bounds, 'broken: acceptors take a ballot in another member’s name', {
    forgeries: FORGED_BALLOT,
    lax: { forgedBallot: true },
  });
}

/** Broken (m): acceptors that take round 0 from any member: a non-owner skips phase 1. */
export function acceptsAnyRoundZero(bounds: Bounds): ModelConfig {
  return laxAcceptors(bounds, 'broken: acceptors take round 0 from a non-owner', {
    forgeries: FORGED_ROUND_ZERO,
    lax: { roundZero: true },
  });
}

function laxAcceptors(
  bounds: Bounds,
  label: string,
  options: { forgeries?: ModelConfig['forgeries']; lax: LaxRules },
): ModelConfig {
  return {
    ...correctOwner(bounds),
    name: named(label, bounds),
    invariants: ['agreement', 'validity'],
    ...(options.forgeries ? { forgeries: options.forgeries } : {}),
    // Every vote in an instance, whose machine gets the lax acceptor.
    acceptorFastPath: false,
    machine: laxMachine(options.lax),
  };
}

/**
 * Broken (p), a new rule's absence: the owner counts every acknowledgement of its round-0 ballot,
 * whatever boot's propose it answers. After a crash, the acknowledgements of the value it sent
 * before count for the value it sends now.
 */
export function countsStaleAcknowledgements(bounds: Bounds): ModelConfig {
  return {
    ...correctOwner(bounds),
    name: named('broken: a restarted owner counts acknowledgements of its earlier round 0', bounds),
    machine: instanceMachine.provide({
      actions: {
        recordAck: enqueueActions(({ context, event, enqueue }) => {
          const acks = addSender(context.acks, (event as { from: string }).from);
          if (acks !== context.acks) enqueue.assign({ acks });
        }),
      },
    }),
  };
}
