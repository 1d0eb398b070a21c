// One Paxos instance: the proposer, acceptor and learner of one key on one node, as an XState
// v5 machine with the states nil → preparing → proposing → acknowledged → decided (DESIGN.md §2).
// Pure: it reaches the world only through emitted effects (see effects.ts), in the order they
// must happen. Time comes from the actor's clock through named delays; randomness from the
// seeded generator in context.
import { and, enqueueActions, setup } from 'xstate';
import { ballotsEqual, epochOf, nextBallot, type Ballot } from './ballot.js';
import { mayTakeRoundZero, phase1Sets, prepareTargets } from './config.js';
import type { Effect } from './effects.js';
import {
  countsAsAck,
  fastRoundWait,
  initialContext,
  instanceConfig,
  isAckQuorum,
  isAhead,
  isMember,
  nextWait,
  recordOf,
  vote,
  withRequest,
  type AskEvent,
  type ConfigAdoptedEvent,
  type EventOf,
  type InstanceContext,
  type InstanceEvent,
  type InstanceInput,
  type RequestEvent,
} from './instanceContext.js';
import { decidedAnswer, decidedReply, learnEffects } from './learner.js';
import type { AcceptedProposal, PaxosMessage } from './messages.js';
import { forwardTarget, votedForOwnersRoundZero } from './owner.js';
import { chooseValue, highestRound } from './proposer.js';
import { addSender, hasQuorum } from './quorum.js';
import { isFresh, type Decision } from './record.js';

// The context, input, events and shared helpers live in instanceContext.ts; these names stay
// importable from here, where they always were.
export {
  DEFAULT_TIMING,
  type AskEvent,
  type BackoffState,
  type ConfigAdoptedEvent,
  type InstanceConfig,
  type InstanceContext,
  type InstanceEvent,
  type InstanceInput,
  type InstanceTiming,
} from './instanceContext.js';

export const instanceMachine = setup({
  types: {
    context: {} as InstanceContext,
    events: {} as InstanceEvent,
    input: {} as InstanceInput,
    emitted: {} as Effect,
  },
  delays: {
    phaseTimeout: ({ context }) => context.backoff.waitMs,
    takeover: ({ context }) => context.backoff.waitMs,
  },
  guards: {
    fromMember: ({ context, event }) => 'from' in event && isMember(context, event.from),
    /** A prepare or propose this node answers: from a member, and not of an epoch it has not adopted. */
    fromMemberNotAhead: ({ context, event }) => {
      const e = event as EventOf<'prepare' | 'propose'>;
      return isMember(context, e.from) && !isAhead(context, e.ballot);
    },
    /** Phases 1b and 2b: the acceptor promises or accepts (ballot ≥ promised, and no refusal). */
    grantsVote: ({ context, event }) => {
      const e = event as EventOf<'prepare' | 'propose'>;
      return isMember(context, e.from) && !isAhead(context, e.ballot) && vote(context, e).granted;
    },
    /** A newer configuration whose epoch is above the ballot in flight: start again in it. */
    outdatesBallot: ({ context, event }) => {
      const e = event as ConfigAdoptedEvent;
      return context.ballot !== null && epochOf(context.ballot) < e.config.epoch;
    },
    isCurrentBallot: ({ context, event }) => {
      const e = event as EventOf<'promise' | 'acknowledge' | 'reject'>;
      return isMember(context, e.from) && ballotsEqual(e.ballot, context.ballot);
    },
    /** Phase 1: a majority of each phase-1 set (both old and new voters during a transition). */
    hasPromiseQuorum: ({ context }) =>
      hasQuorum(
        context.promises.map((p) => p.from),
        phase1Sets(context.config),
      ),
    /** Phase 2 is won (instanceContext.ts `isAckQuorum`). */
    hasAckQuorum: ({ context }) => isAckQuorum(context, context.acks),
    /**
     * This acknowledgement completes the quorum: `decided` at once, in one step with one assign
     * (XState rebuilds the snapshot at every assign; recording it first, then `always`, took two).
     */
    completesAckQuorum: ({ context, event }) => {
      const e = event as EventOf<'acknowledge'>;
      return countsAsAck(context, e) && isAckQuorum(context, addSender(context.acks, e.from));
    },
    hasSomethingToPush: ({ context }) => context.proposal !== null || context.accepted !== null,
    /** The owner's first proposal for a fresh key may use ballot 0 and skip phase 1 (owner.ts). */
    mayTakeFirstBallot: ({ context, event }) =>
      context.owner === context.node &&
      context.mayUseRoundZero &&
      mayTakeRoundZero(context.config, context.node, context.key, isFresh(context)) &&
      !(event as { classic?: boolean }).classic,
    /** A fresh key asked here, owned by another member: let the owner propose without phase 1. */
    shouldForward: ({ context, event }) =>
      forwardTarget({
        self: context.node,
        owner: context.owner,
        fresh: isFresh(context),
        proposeHere: (event as AskEvent).forwarded === true,
      }) !== null,
    /** Asked for the first time here while awaiting the owner's round 0, voted for (owner.ts). */
    awaitsOwnersDecide: ({ context }) =>
      context.proposal === null && votedForOwnersRoundZero(context.node, context.owner, context.accepted),
    isDecided: ({ context }) => context.decided !== null,
    hasAccepted: ({ context }) => context.accepted !== null,
  },
  actions: {
    recordAsk: enqueueActions(({ context, event, enqueue }) => {
      const proposal = withRequest(context.proposal, event as RequestEvent);
      if (proposal !== context.proposal) enqueue.assign({ proposal });
    }),

    /**
     * The owner's round 0 (owner.ts): it records the ask, claims ballot 0 and proposes at once,
     * without phase 1. It does not vote in its own round 0: nothing to write, one fsync on the
     * critical path — the other members', in parallel. One assign for all of it, since XState
     * rebuilds the whole snapshot at every assign.
     */
    takeFirstBallot: enqueueActions(({ context, event, enqueue }) => {
      const ballot = nextBallot(context.node, -1, context.config.epoch);
      const proposal = withRequest(context.proposal, event as RequestEvent);
      const proposing: AcceptedProposal = { ballot, value: proposal.value };
      const backoff = fastRoundWait(context);
      enqueue.emit({
        type: 'broadcast',
        key: context.key,
        message: { type: 'propose', ballot, value: proposal.value, boot: context.boot },
      });
      enqueue.assign({ proposal, ballot, promised: ballot, promises: [], acks: [], proposing, backoff });
    }),
    /** Ask the owner to propose, and wait (in `acknowledged`) to learn the outcome. */
    forwardToOwner: enqueueActions(({ context, event, enqueue }) => {
      enqueue.emit({
        type: 'send',
        key: context.key,
        to: context.owner as string,
        message: { type: 'forward', value: (event as RequestEvent).value },
      });
    }),

    /**
     * Phases 1b and 2b (acceptor.ts): a granted vote is persisted, then replied; a rejection
     * carries the promised ballot; a refusal is reported and not answered.
     */
    vote: enqueueActions(({ context, event, enqueue }) => {
      const e = event as EventOf<'prepare' | 'propose'>;
      const outcome = vote(context, e);
      if (outcome.granted)
        // The literal key first, then the spread: V8 copies `{ ...state, key }` slowly (keyStep.ts).
        enqueue.assign({
          highestSeenRound: Math.max(context.highestSeenRound, e.ballot.round),
          ...outcome.state,
        });
      for (const effect of outcome.effects) enqueue.emit(effect);
    }),

    /**
     * Phase 1a. A fresh ballot above every round seen, promised to ourselves first; the promise
     * is persisted before the prepare leaves, so a restarted node can never reuse the ballot.
     */
    startBallot: enqueueActions(({ context, enqueue }) => {
      const round = Math.max(
        context.highestSeenRound,
        highestRound(context.promised, context.accepted?.ballot),
      );
      const ballot = nextBallot(context.node, round, context.config.epoch);
      enqueue.assign({
        ballot,
        promised: ballot,
        promises: [{ from: context.node, accepted: context.accepted }],
        acks: [],
        highestSeenRound: ballot.round,
        backoff: nextWait(context, context.timing.phaseTimeoutMs),
      });
      enqueue.emit({ type: 'persist', key: context.key, record: { ...recordOf(context), promised: ballot } });
      enqueue.emit({ type: 'broadcast', key: context.key, message: { type: 'prepare', ballot } });
    }),
    /** A request of an epoch this node has not adopted: no vote; the node fetches the chain (§5.3). */
    refuseAhead: enqueueActions(({ context, event, enqueue }) => {
      const e = event as EventOf<'prepare' | 'propose'>;
      enqueue.emit({
        type: 'refused',
        key: context.key,
        from: e.from,
        message: e.type,
        reason: 'ahead-of-config',
      });
    }),
    /** A newer configuration: its quorums, fence and owner from now on (§5.2 rule 3). */
    adoptConfig: enqueueActions(({ event, enqueue }) => {
      const e = event as ConfigAdoptedEvent;
      enqueue.assign({
        config: instanceConfig(e.config, e.fence),
        members: prepareTargets(e.config),
        owner: e.owner,
      });
    }),
    recordPromise: enqueueActions(({ context, event, enqueue }) => {
      const e = event as EventOf<'promise'>;
      if (context.promises.some((p) => p.from === e.from)) return; // a duplicate is not a second vote
      enqueue.assign({
        promises: [...context.promises, { from: e.from, accepted: e.accepted }],
        highestSeenRound: Math.max(context.highestSeenRound, e.accepted?.ballot.round ?? 0),
      });
    }),

    /**
     * Phase 2a with P2c, once phase 1 is won: propose the highest-ballot value accepted by the
     * quorum, else our own. Our own acceptance is persisted after the propose leaves: the ballot
     * is already durable (our promise), and every message that reveals the acceptance waits for
     * this write. (Round 0 has no phase 1: `takeFirstBallot` proposes.)
     */
    startProposal: enqueueActions(({ context, enqueue }) => {
      const ballot = context.ballot as Ballot;
      const chosen = chooseValue(context.promises, context.proposal);
      if (chosen === undefined) throw new Error(`instance ${context.key}: proposing with nothing to propose`);
      const proposing: AcceptedProposal = { ballot, value: chosen.value };
      const backoff = nextWait(context, context.timing.phaseTimeoutMs);
      enqueue.emit({ type: 'broadcast', key: context.key, message: { type: 'propose', ...proposing } });
      enqueue.assign({ proposing, accepted: proposing, acks: [context.node], backoff });
      enqueue.emit({
        type: 'persist',
        key: context.key,
        record: { ...recordOf(context), accepted: proposing },
      });
    }),
    recordAck: enqueueActions(({ context, event, enqueue }) => {
      const e = event as EventOf<'acknowledge'>;
      if (!countsAsAck(context, e)) return;
      const acks = addSender(context.acks, e.from);
      if (acks !== context.acks) enqueue.assign({ acks });
    }),

    noteRejection: enqueueActions(({ context, event, enqueue }) => {
      const e = event as EventOf<'reject'>;
      enqueue.assign({
        highestSeenRound: Math.max(context.highestSeenRound, e.promised.round),
        backoff: { ...context.backoff, attempt: context.backoff.attempt + 1 },
      });
    }),
    countTimeout: enqueueActions(({ context, enqueue }) => {
      const { attempt, timeouts } = context.backoff;
      enqueue.assign({ backoff: { ...context.backoff, attempt: attempt + 1, timeouts: timeouts + 1 } });
    }),

    /** `acknowledged`: forget our own round and wait, jittered, to learn the outcome. */
    awaitOutcome: enqueueActions(({ context, enqueue }) => {
      const backoff = nextWait(context, context.timing.takeoverMs);
      enqueue.assign({ ballot: null, promises: [], acks: [], proposing: null, backoff });
    }),

    /**
     * A quorum accepted our ballot: the value is chosen. Tell the others, then learn it. In the
     * owner's round 0 for asks of its own, no member is known to wait for the decide (the voters
     * await it behind a takeover timer, and one asked meanwhile tells the owner with a forward),
     * so it is lazy: it may share a frame with the next message to each member, as a Raft
     * leader's commit index rides its next append. Once a member forwarded an ask here, and in
     * every ballot but round 0, it leaves at once.
     */
    learnOwn: enqueueActions(({ context, event, enqueue }) => {
      const decided: Decision = { value: (context.proposing as AcceptedProposal).value };
      // Reached by the acknowledgement that completes the quorum, or by `always` on entry.
      if (event.type === 'acknowledge' && countsAsAck(context, event))
        enqueue.assign({ decided, acks: addSender(context.acks, event.from) });
      else enqueue.assign({ decided });
      const ownFastRound = context.ballot !== null && context.ballot.round === 0;
      const decide: PaxosMessage = { type: 'decide', value: decided.value };
      enqueue.emit(
        ownFastRound && context.proposal !== null && context.proposal.awaitedElsewhere !== true
          ? { type: 'broadcast', key: context.key, message: decide, lazy: true }
          : { type: 'broadcast', key: context.key, message: decide },
      );
      for (const effect of learnEffects(context.key, recordOf(context), decided.value, { ownFastRound }))
        enqueue.emit(effect);
    }),
    /** Another node told us the chosen value. */
    learn: enqueueActions(({ context, event, enqueue }) => {
      const value = (event as EventOf<'decide'>).value;
      enqueue.assign({ decided: { value } });
      for (const effect of learnEffects(context.key, recordOf(context), value)) enqueue.emit(effect);
    }),
    /** A late request after the decision: answer with the decision, never a vote (learner.ts). */
    replyDecided: enqueueActions(({ context, event, enqueue }) => {
      const e = event as EventOf<'prepare' | 'propose' | 'forward'>;
      for (const effect of decidedReply(context.key, context.decided as Decision, e.from, e))
        enqueue.emit(effect);
    }),
    /** A local ask of the decided key: its answer is the decision. */
    answerAsk: enqueueActions(({ context, enqueue }) => {
      for (const effect of decidedAnswer(context.key, context.decided as Decision)) enqueue.emit(effect);
    }),
  },
}).createMachine({
  id: 'paxosInstance',
  context: ({ input }) => initialContext(input),
  initial: 'nil',
  // Acceptor and learner behaviour in every state (gen_fsm's all-state events); states that
  // must behave differently override these.
  on: {
    prepare: [
      { guard: 'grantsVote', target: '.acknowledged', reenter: true, actions: 'vote' },
      { guard: 'fromMemberNotAhead', actions: 'vote' },
      { guard: 'fromMember', actions: 'refuseAhead' },
    ],
    propose: [
      { guard: 'grantsVote', target: '.acknowledged', reenter: true, actions: 'vote' },
      { guard: 'fromMemberNotAhead', actions: 'vote' },
      { guard: 'fromMember', actions: 'refuseAhead' },
    ],
    'config.adopted': { actions: 'adoptConfig' },
    decide: { guard: 'fromMember', target: '.decided', actions: 'learn' },
    ask: { actions: 'recordAsk' },
    // A member's ask forwarded to this node (the key's owner): like a local ask.
    forward: { guard: 'fromMember', actions: 'recordAsk' },
  },
  states: {
    /** No proposal in flight, nothing promised that is still pending. */
    nil: {
      always: [
        { guard: 'isDecided', target: 'decided' },
        // Restarted with an accepted but undecided value: wait to learn, then push it.
        { guard: 'hasAccepted', target: 'acknowledged' },
      ],
      on: {
        ask: [
          { guard: 'mayTakeFirstBallot', target: 'proposing', actions: 'takeFirstBallot' },
          { guard: 'shouldForward', target: 'acknowledged', actions: ['recordAsk', 'forwardToOwner'] },
          { target: 'preparing', actions: 'recordAsk' },
        ],
        forward: [
          {
            guard: and(['fromMember', 'mayTakeFirstBallot']),
            target: 'proposing',
            actions: 'takeFirstBallot',
          },
          // Never forwarded again: a member that is not the owner (or cannot use ballot 0) proposes itself.
          { guard: 'fromMember', target: 'preparing', actions: 'recordAsk' },
        ],
      },
    },
    /** Phase 1: prepare sent, collecting promises from distinct acceptors. */
    preparing: {
      entry: 'startBallot',
      always: { guard: 'hasPromiseQuorum', target: 'proposing', actions: 'startProposal' },
      on: {
        promise: { guard: 'isCurrentBallot', actions: 'recordPromise' },
        reject: { guard: 'isCurrentBallot', target: 'acknowledged', actions: 'noteRejection' },
        'config.adopted': [
          { guard: 'outdatesBallot', target: 'preparing', reenter: true, actions: 'adoptConfig' },
          { actions: 'adoptConfig' },
        ],
      },
      after: { phaseTimeout: { target: 'preparing', reenter: true, actions: 'countTimeout' } },
    },
    /**
     * Phase 2: propose sent, collecting acknowledgements from distinct acceptors. Entered with the
     * propose sent: by `startProposal` once phase 1 is won, by `takeFirstBallot` in round 0.
     */
    proposing: {
      always: { guard: 'hasAckQuorum', target: 'decided', actions: 'learnOwn' },
      on: {
        acknowledge: [
          { guard: and(['isCurrentBallot', 'completesAckQuorum']), target: 'decided', actions: 'learnOwn' },
          { guard: 'isCurrentBallot', actions: 'recordAck' },
        ],
        reject: { guard: 'isCurrentBallot', target: 'acknowledged', actions: 'noteRejection' },
        'config.adopted': [
          { guard: 'outdatesBallot', target: 'preparing', actions: 'adoptConfig' },
          { actions: 'adoptConfig' },
        ],
      },
      after: { phaseTimeout: { target: 'preparing', actions: 'countTimeout' } },
    },
    /** We voted for another proposer's higher ballot (or lost to one): wait, then take over. */
    acknowledged: {
      entry: 'awaitOutcome',
      on: {
        // Tell the owner someone waits here, so that its decide (lazy otherwise) comes at once.
        ask: [
          { guard: 'awaitsOwnersDecide', actions: ['recordAsk', 'forwardToOwner'] },
          { actions: 'recordAsk' },
        ],
      },
      after: {
        takeover: [{ guard: 'hasSomethingToPush', target: 'preparing' }, { target: 'nil' }],
      },
    },
    /** The value is chosen and known here. Never left; the supervisor retires the actor. */
    decided: {
      on: {
        prepare: { guard: 'fromMember', actions: 'replyDecided' },
        propose: { guard: 'fromMember', actions: 'replyDecided' },
        forward: { guard: 'fromMember', actions: 'replyDecided' },
        // No reply: two decided nodes answering each other's decide for ever was a defect of
        // the original.
        decide: { actions: [] },
        ask: { actions: 'answerAsk' },
      },
    },
  },
});

export type InstanceMachine = typeof instanceMachine;
export type InstanceStateName = 'nil' | 'preparing' | 'proposing' | 'acknowledged' | 'decided';
export const INSTANCE_STATES: readonly InstanceStateName[] = [
  'nil',
  'preparing',
  'proposing',
  'acknowledged',
  'decided',
];
