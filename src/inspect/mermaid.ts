// State diagrams generated from machine definitions, in Mermaid's stateDiagram-v2 syntax, so
// the docs draw the machine that runs rather than a picture of it. Root-level handlers (gen_fsm's
// all-state events) are drawn from an "any state" pseudo-state.
import type { AnyStateMachine } from 'xstate';

interface TransitionLike {
  readonly eventType: string;
  readonly target?: readonly { readonly key: string }[] | undefined;
  readonly guard?: unknown;
  readonly actions?: readonly unknown[];
}

interface StateNodeLike {
  readonly key: string;
  readonly states: Record<string, StateNodeLike>;
  readonly transitions: Map<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[] | undefined;
  readonly initial?: { readonly target: readonly { readonly key: string }[] } | undefined;
}

function nameOf(item: unknown): string {
  if (typeof item === 'string') return item;
  if (item && typeof item === 'object' && 'type' in item && typeof item.type === 'string') return item.type;
  return 'inline';
}

function eventLabel(eventType: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  return after ? `after ${after[1]}` : eventType;
}

function label(transition: TransitionLike, eventType: string): string {
  const guard = transition.guard === undefined ? '' : ` [${nameOf(transition.guard)}]`;
  const actions = (transition.actions ?? []).map(nameOf).filter((a) => !a.startsWith('xstate.'));
  return `${eventLabel(eventType)}${guard}${actions.length > 0 ? ` / ${actions.join(', ')}` : ''}`;
}

/** The Mermaid source of `machine`'s top-level states and transitions. */
export function machineToMermaid(machine: AnyStateMachine): string {
  const root = machine.root as unknown as StateNodeLike;
  const lines = ['stateDiagram-v2'];
  const initial = root.initial?.target[0]?.key;
  if (initial) lines.push(`  [*] --> ${initial}`);
  const edge = (from: string, transition: TransitionLike, eventType: string) => {
    const targets = transition.target?.map((t) => t.key) ?? [from === 'any' ? 'any' : from];
    for (const to of targets) lines.push(`  ${from} --> ${to} : ${label(transition, eventType)}`);
  };
  for (const [key, state] of Object.entries(root.states)) {
    for (const transition of state.always ?? []) edge(key, transition, 'always');
    for (const [eventType, transitions] of state.transitions)
      for (const t of transitions) edge(key, t, eventType);
  }
  if (root.transitions.size > 0) {
    lines.push('  state "any state (unless it handles the event)" as any');
    for (const [eventType, transitions] of root.transitions)
      for (const t of transitions) edge('any', t, eventType);
  }
  return lines.join('\n');
}
