// The live statecharts' layout of the instance machine's own definition: every state and every
// transition that enters a state drawn, boxes apart, edges between the boxes they name, and
// the Paxos path nil → preparing → proposing going left to right.
import { describe, expect, it } from 'vitest';
import { machineGraph } from '../../src/inspect/machineGraph.js';
import { ANY_STATE, layoutStatechart, ranks } from '../../src/inspect/view/model/statechartLayout.js';
import { INSTANCE_STATES, instanceMachine } from '../../src/paxos/instanceMachine.js';

const graph = machineGraph(instanceMachine);
const layout = layoutStatechart(graph);

describe('the statechart layout', () => {
  it('draws every state once, and an "any state" box for the root-level handlers', () => {
    expect(layout.states.map((b) => b.id).sort()).toEqual([...INSTANCE_STATES, ANY_STATE].sort());
  });

  it('keeps boxes apart and inside the drawing', () => {
    for (const a of layout.states) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.y).toBeGreaterThanOrEqual(0);
      expect(a.x + a.width).toBeLessThanOrEqual(layout.width);
      expect(a.y + a.height).toBeLessThanOrEqual(layout.height);
      for (const b of layout.states) {
        if (a === b) continue;
        const apart =
          a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.id} and ${b.id} overlap`).toBe(true);
      }
    }
  });

  it('draws each transition that enters a state in exactly one edge, between the right boxes', () => {
    const drawn = layout.edges.flatMap((e) => e.transitions);
    const entering = graph.transitions.flatMap((t, i) => (t.target === null ? [] : [i]));
    expect([...drawn].sort((a, b) => a - b)).toEqual(entering);
    for (const edge of layout.edges)
      for (const i of edge.transitions) {
        expect(graph.transitions[i]?.source).toBe(edge.source);
        expect(graph.transitions[i]?.target).toBe(edge.target);
      }
  });

  it('puts the phases in order, left to right', () => {
    const rank = ranks(graph);
    expect(rank.get('nil')).toBe(0);
    expect(rank.get('preparing')).toBe(1);
    expect(rank.get('proposing')).toBe(2);
    expect(rank.get('decided')).toBeGreaterThan(2);
  });
});
