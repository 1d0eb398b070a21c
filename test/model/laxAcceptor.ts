// Acceptors without some of the defence-in-depth checks of src/paxos/acceptor.ts, for the model's
// controls: each check, removed, must let a misbehaving member break agreement or validity.
import { enqueueActions } from 'xstate';
import { acceptorStep, type AcceptorContext, type AcceptorOutcome } from '../../src/paxos/acceptor.js';
import { ballotsEqual } from '../../src/paxos/ballot.js';
import type { Effect } from '../../src/paxos/effects.js';
import { valuesEqual } from '../../src/paxos/valueEquality.js';
import {
  instanceMachine,
  type InstanceEvent,
  type InstanceMachine,
} from '../../src/paxos/instanceMachine.js';
import type { PrepareMessage, ProposeMessage } from '../../src/paxos/messages.js';
import type { KeyRecord } from '../../src/paxos/record.js';

/** The checks to leave out. */
export interface LaxRules {
  readonly forgedBallot?: boolean;
  readonly roundZero?: boolean;
  /** Acknowledge a second value in an accepted ballot, keeping the first (handlePropose's old way). */
  readonly conflictingValue?: boolean;
}

/** acceptorStep, with the chosen checks skipped (the paper's rules are kept). */
export function laxAcceptorStep(
  rules: LaxRules,
  context: AcceptorContext,
  record: KeyRecord,
  from: string,
  message: PrepareMessage | ProposeMessage,
): AcceptorOutcome {
  // No forged-ballot check: vote as if the member the ballot names had sent the message.
  const sender = rules.forgedBallot ? message.ballot.node : from;
  // No round-0 check: take the sender for the key's owner.
  const owner = rules.roundZero && message.ballot.round === 0 ? sender : context.owner;
  const accepted = record.accepted;
  if (
    rules.conflictingValue &&
    message.type === 'propose' &&
    accepted !== null &&
    ballotsEqual(message.ballot, accepted.ballot) &&
    !valuesEqual(message.value, accepted.value)
  ) {
    // The old acceptor: the same ballot again is "a duplicate", acknowledged, the first value kept.
    return {
      granted: true,
      state: record,
      effects: [
        {
          type: 'send',
          key: context.key,
          to: from,
          message: {
            type: 'acknowledge',
            ballot: message.ballot,
            ...(message.boot === undefined ? {} : { boot: message.boot }),
          },
        },
      ],
    };
  }
  const outcome = acceptorStep({ ...context, owner }, record, sender, message);
  return sender === from ? outcome : redirect(outcome, sender, from);
}

/** The outcome with its replies sent back to the real sender. */
function redirect(outcome: AcceptorOutcome, named: string, sender: string): AcceptorOutcome {
  const effects: Effect[] = outcome.effects.map((effect) =>
    effect.type === 'send' && effect.to === named ? { ...effect, to: sender } : effect,
  );
  return { ...outcome, effects };
}

type EventOf<T extends InstanceEvent['type']> = Extract<InstanceEvent, { type: T }>;

/** The instance machine voting with the lax acceptor. */
export function laxMachine(rules: LaxRules): InstanceMachine {
  const vote = (
    context: Parameters<typeof acceptorStep>[1] & { key: string; owner: string | null },
    e: EventOf<'prepare' | 'propose'>,
  ) => laxAcceptorStep(rules, { key: context.key, owner: context.owner }, context, e.from, e);
  return instanceMachine.provide({
    guards: {
      grantsVote: ({ context, event }) => vote(context, event as EventOf<'prepare' | 'propose'>).granted,
    },
    actions: {
      vote: enqueueActions(({ context, event, enqueue }) => {
        const e = event as EventOf<'prepare' | 'propose'>;
        const outcome = vote(context, e);
        if (outcome.granted)
          enqueue.assign({
            ...outcome.state,
            highestSeenRound: Math.max(context.highestSeenRound, e.ballot.round),
          });
        for (const effect of outcome.effects) enqueue.emit(effect);
      }),
    },
  });
}
