// A machine definition's top-level states and transitions as plain data: what the Mermaid
// diagrams of the docs (mermaid.ts) and the live view's statecharts are drawn from, so both show
// the machine that runs rather than a picture of it. Root-level handlers (gen_fsm's all-state
// events) have the source "*". The same names label a transition taken at run time (the view
// feed reports them), so a page can tell which edge of the graph an instance just followed.
import type { AnyStateMachine } from 'xstate';

export interface MachineTransition {
  /** A state's key, or `*` for a root-level handler (any state that does not handle the event). */
  readonly source: string;
  /** The state entered; null for a transition that stays put (actions only). */
  readonly target: string | null;
  /** `ask`, `always` (eventless), `after phaseTimeout` (a named delay)… */
  readonly event: string;
  readonly guard?: string;
  readonly actions: readonly string[];
  /** A transition to its own source that exits and re-enters it (entry actions run again). */
  readonly reenter?: boolean;
}

export interface MachineGraph {
  readonly id: string;
  readonly initial: string | null;
  /** Top-level state keys, in definition order. */
  readonly states: readonly string[];
  /** In definition order: each state's eventless, then evented transitions; then the root's. */
  readonly transitions: readonly MachineTransition[];
}

/** The shape of XState's StateNode and TransitionDefinition that this reads. */
interface TransitionLike {
  readonly eventType: string;
  readonly target?: readonly { readonly key: string }[] | undefined;
  readonly guard?: unknown;
  readonly actions?: readonly unknown[];
  readonly reenter?: boolean;
}

interface StateNodeLike {
  readonly key: string;
  readonly id: string;
  readonly states: Record<string, StateNodeLike>;
  readonly transitions: Map<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[] | undefined;
  readonly initial?: { readonly target: readonly { readonly key: string }[] } | undefined;
}

/** A guard's name: its type, or for `and`/`or`/`not` the combination (`and(a, b)`). */
export function guardName(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const parts = (guard as { guards?: unknown }).guards;
    if (Array.isArray(parts) && guard.name) return `${guard.name}(${parts.map(guardName).join(', ')})`;
  }
  if (guard && typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string')
    return guard.type;
  return 'inline';
}

/** An action's name (its type), `inline` for an anonymous one. */
export function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  if (action && typeof action === 'object' && 'type' in action && typeof action.type === 'string')
    return action.type;
  return 'inline';
}

/** An event type as the graph names it: `''` is `always`, XState's `xstate.after.X.…` is `after X`. */
export function eventName(eventType: string): string {
  if (eventType === '') return 'always';
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  return after ? `after ${after[1]}` : eventType;
}

/** The transition `definition` (an XState TransitionDefinition) as the graph has it. */
export function transitionOf(definition: unknown, source: string): MachineTransition {
  const t = definition as TransitionLike;
  const target = t.target?.[0]?.key ?? null;
  const actions = (t.actions ?? []).map(actionName).filter((a) => !a.startsWith('xstate.'));
  return {
    source,
    target,
    event: eventName(t.eventType),
    ...(t.guard !== undefined ? { guard: guardName(t.guard) } : {}),
    actions,
    ...(t.reenter && target === source ? { reenter: true } : {}),
  };
}

export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const root = machine.root as unknown as StateNodeLike;
  const transitions: MachineTransition[] = [];
  for (const [key, state] of Object.entries(root.states)) {
    for (const t of state.always ?? []) transitions.push(transitionOf(t, key));
    for (const list of state.transitions.values())
      for (const t of list) transitions.push(transitionOf(t, key));
  }
  for (const list of root.transitions.values()) for (const t of list) transitions.push(transitionOf(t, '*'));
  return {
    id: root.id,
    initial: root.initial?.target[0]?.key ?? null,
    states: Object.keys(root.states),
    transitions,
  };
}
