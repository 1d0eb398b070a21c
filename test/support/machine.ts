// Helpers for testing the instance machine through XState's pure transition functions: each
// step returns the next snapshot, the effects it emitted (in order) and the timers it set.
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import type { Effect } from '../../src/paxos/effects.js';
import {
  instanceMachine,
  type InstanceInput,
  type InstanceEvent,
  type InstanceMachine,
} from '../../src/paxos/instanceMachine.js';
import type { Ballot } from '../../src/paxos/ballot.js';

export type InstanceSnapshot = ReturnType<typeof initialTransition<InstanceMachine>>[0];

export interface Step {
  readonly snapshot: InstanceSnapshot;
  readonly effects: Effect[];
  /** Delayed events scheduled by this step, by XState event type. */
  readonly timers: { readonly event: string; readonly delayMs: number }[];
}

interface ActionLike {
  readonly type: string;
  readonly params?: { readonly event?: { readonly type: string }; readonly delay?: number } | undefined;
}

function describeActions(snapshot: AnyMachineSnapshot, actions: readonly ActionLike[]): Step {
  const effects: Effect[] = [];
  const timers: { event: string; delayMs: number }[] = [];
  for (const action of actions) {
    if (action.type === 'xstate.emit') effects.push(action.params?.event as Effect);
    if (action.type === 'xstate.raise' && action.params?.delay !== undefined) {
      timers.push({ event: action.params.event?.type as string, delayMs: action.params.delay });
    }
  }
  return { snapshot: snapshot as InstanceSnapshot, effects, timers };
}

export const MEMBERS = ['a', 'b', 'c'] as const;

export function start(input: Partial<InstanceInput> = {}, machine: InstanceMachine = instanceMachine): Step {
  const [snapshot, actions] = initialTransition(machine, {
    key: 'k',
    node: 'a',
    members: MEMBERS,
    seed: 7,
    ...input,
  });
  return describeActions(snapshot, actions as ActionLike[]);
}

export function step(
  from: Step | InstanceSnapshot,
  event: InstanceEvent | { type: string },
  machine: InstanceMachine = instanceMachine,
): Step {
  const snapshot = 'snapshot' in from ? from.snapshot : from;
  const [next, actions] = transition(machine, snapshot, event as InstanceEvent);
  return describeActions(next, actions as ActionLike[]);
}

/** The event XState raises when the named delay of `state` expires. */
export function timeout(delay: 'phaseTimeout' | 'takeover', state: string): { type: string } {
  return { type: `xstate.after.${delay}.paxosInstance.${state}` };
}

export function ballot(round: number, node: string): Ballot {
  return { round, node };
}
