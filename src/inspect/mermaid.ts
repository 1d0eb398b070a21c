// State diagrams generated from machine definitions, in Mermaid's stateDiagram-v2 syntax, so
// the docs draw the machine that runs rather than a picture of it. Root-level handlers (gen_fsm's
// all-state events) are drawn from an "any state" pseudo-state.
import type { AnyStateMachine } from 'xstate';
import { machineGraph, type MachineTransition } from './machineGraph.js';

function label(t: MachineTransition): string {
  const guard = t.guard === undefined ? '' : ` [${t.guard}]`;
  return `${t.event}${guard}${t.actions.length > 0 ? ` / ${t.actions.join(', ')}` : ''}`;
}

/** The Mermaid source of `machine`'s top-level states and transitions. */
export function machineToMermaid(machine: AnyStateMachine): string {
  const graph = machineGraph(machine);
  const lines = ['stateDiagram-v2'];
  if (graph.initial) lines.push(`  [*] --> ${graph.initial}`);
  const node = (key: string) => (key === '*' ? 'any' : key);
  let anyDeclared = false;
  for (const t of graph.transitions) {
    if (t.source === '*' && !anyDeclared) {
      lines.push('  state "any state (unless it handles the event)" as any');
      anyDeclared = true;
    }
    lines.push(`  ${node(t.source)} --> ${node(t.target ?? t.source)} : ${label(t)}`);
  }
  return lines.join('\n');
}
