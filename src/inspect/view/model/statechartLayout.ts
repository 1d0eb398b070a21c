// Lays out a machine graph (../../machineGraph.ts, served to the page as /machine.json) for the
// page's live statecharts: states in columns by rank (the longest path from the initial state
// once back edges are set aside, found depth-first in definition order), stacked in definition
// order within a column; root-level handlers start from an "any state" box in the first free
// place of the bottom row. Edges between the same two states are drawn as one curve that lists
// their transitions; an edge along a row arcs away from the others (up on the top row, down on
// the bottom one). Pure geometry in SVG user units; the page scales it. Browser-safe.
import type { MachineGraph } from '../../machineGraph.js';

export interface StateBox {
  /** A state key, or `*` for the "any state" box. */
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface EdgePath {
  readonly source: string;
  readonly target: string;
  /** SVG path data. */
  readonly d: string;
  /** Where a label for the edge goes. */
  readonly labelX: number;
  readonly labelY: number;
  /** Indices into the graph's transitions drawn by this edge. */
  readonly transitions: readonly number[];
}

export interface StatechartLayout {
  readonly width: number;
  readonly height: number;
  readonly states: readonly StateBox[];
  readonly edges: readonly EdgePath[];
}

export const ANY_STATE = '*';
const BOX_W = 98;
const BOX_H = 26;
const COL_GAP = 36;
const ROW_GAP = 34;
const MARGIN = 10;
/** Room above the top row and below the bottom one for arcs and loops. */
const ARC_ROOM = 40;
const LOOP = 20;

/** Each state's column: its longest distance from the initial state over forward edges. */
export function ranks(graph: MachineGraph): Map<string, number> {
  const order = new Map(graph.states.map((s, i) => [s, i]));
  const out = new Map<string, string[]>(graph.states.map((s) => [s, []]));
  for (const t of graph.transitions) {
    if (t.source === ANY_STATE || t.target === null || t.target === t.source) continue;
    const list = out.get(t.source);
    if (list && !list.includes(t.target)) list.push(t.target);
  }
  for (const list of out.values()) list.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  // Depth-first from the initial state (then any state not reached): an edge to a state on the
  // current path closes a cycle and is set aside; the rest form a DAG.
  const forward = new Map<string, string[]>(graph.states.map((s) => [s, []]));
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (state: string): void => {
    visiting.add(state);
    for (const next of out.get(state) ?? []) {
      if (visiting.has(next)) continue; // a back edge
      forward.get(state)?.push(next);
      if (!done.has(next)) visit(next);
    }
    visiting.delete(state);
    done.add(state);
  };
  const starts = [...(graph.initial ? [graph.initial] : []), ...graph.states];
  for (const state of starts) if (!done.has(state)) visit(state);
  const rank = new Map<string, number>();
  const rankOf = (state: string): number => {
    const known = rank.get(state);
    if (known !== undefined) return known;
    let best = 0;
    for (const [from, targets] of forward)
      if (targets.includes(state)) best = Math.max(best, rankOf(from) + 1);
    rank.set(state, best);
    return best;
  };
  for (const state of graph.states) rankOf(state);
  return rank;
}

export function layoutStatechart(graph: MachineGraph): StatechartLayout {
  const rank = ranks(graph);
  const hasAny = graph.transitions.some((t) => t.source === ANY_STATE && t.target !== null);
  const top = MARGIN + ARC_ROOM;
  const rows = new Map<number, number>();
  const place = new Map<string, { column: number; row: number }>();
  for (const state of graph.states) {
    const column = rank.get(state) ?? 0;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    place.set(state, { column, row });
  }
  const columns = Math.max(1, ...[...rank.values()].map((r) => r + 1));
  let maxRows = Math.max(1, ...rows.values());
  if (hasAny) {
    // The first column with room on the bottom row, else a row of its own below.
    let column = 0;
    while (column < columns && (rows.get(column) ?? 0) >= maxRows) column++;
    if (column === columns) {
      column = 0;
      maxRows++;
    }
    place.set(ANY_STATE, { column, row: maxRows - 1 });
  }
  const boxes = new Map<string, StateBox>();
  for (const [id, { column, row }] of place)
    boxes.set(id, {
      id,
      x: MARGIN + column * (BOX_W + COL_GAP),
      y: top + row * (BOX_H + ROW_GAP),
      width: BOX_W,
      height: BOX_H,
    });
  const width = 2 * MARGIN + columns * BOX_W + (columns - 1) * COL_GAP;
  const bottom = top + maxRows * BOX_H + (maxRows - 1) * ROW_GAP;
  const height = bottom + Math.max(ARC_ROOM, LOOP) + MARGIN;

  // One edge per (source, target) pair, carrying every transition between them.
  const pairs = new Map<string, { source: string; target: string; transitions: number[] }>();
  graph.transitions.forEach((t, index) => {
    if (t.target === null) return; // stays put: listed with the state, not drawn
    const name = `${t.source}>${t.target}`;
    const pair = pairs.get(name) ?? { source: t.source, target: t.target, transitions: [] };
    pair.transitions.push(index);
    pairs.set(name, pair);
  });
  const edges: EdgePath[] = [];
  for (const pair of pairs.values()) {
    const a = boxes.get(pair.source);
    const b = boxes.get(pair.target);
    if (!a || !b) continue;
    const reverse = pairs.has(`${pair.target}>${pair.source}`);
    // An edge that skips columns on one row arcs clear of the boxes between: away from the
    // other rows (up from the top row, down from the bottom one). curve() bends to the left of
    // the direction of travel, which is up when travelling right.
    const skipped = a.y === b.y ? Math.max(0, Math.round(Math.abs(b.x - a.x) / (BOX_W + COL_GAP)) - 1) : 0;
    let bend = (reverse ? 12 : 5) + skipped * 13;
    if (skipped > 0) {
      const up = a.y === top || a.y + a.height < bottom;
      const rightwards = b.x > a.x;
      bend = up === rightwards ? bend : -bend;
    }
    edges.push({ ...pair, ...(a === b ? selfLoop(a) : curve(a, b, bend)) });
  }
  return { width, height, states: [...boxes.values()], edges };
}

const centre = (box: StateBox) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

/** Where the ray from `box`'s centre towards (dx, dy) leaves the box. */
function exitPoint(box: StateBox, dx: number, dy: number): { x: number; y: number } {
  const c = centre(box);
  const sx = dx === 0 ? Infinity : box.width / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : box.height / 2 / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: c.x + dx * s, y: c.y + dy * s };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A curve from `a` to `b`, bent to its left by `bend` (so the two directions do not overlap). */
function curve(a: StateBox, b: StateBox, bend: number) {
  const ca = centre(a);
  const cb = centre(b);
  const dx = cb.x - ca.x;
  const dy = cb.y - ca.y;
  const length = Math.hypot(dx, dy) || 1;
  // The normal to the left of the direction of travel.
  const nx = dy / length;
  const ny = -dx / length;
  const start = exitPoint(a, dx + nx * bend, dy + ny * bend);
  const end = exitPoint(b, -dx + nx * bend, -dy + ny * bend);
  const mx = (start.x + end.x) / 2 + nx * bend * 1.6;
  const my = (start.y + end.y) / 2 + ny * bend * 1.6;
  return {
    d: `M${round(start.x)},${round(start.y)} Q${round(mx)},${round(my)} ${round(end.x)},${round(end.y)}`,
    labelX: round((start.x + end.x) / 4 + mx / 2),
    labelY: round((start.y + end.y) / 4 + my / 2),
  };
}

/** A loop above `box`, for a transition that re-enters its own state. */
function selfLoop(box: StateBox) {
  const x1 = box.x + box.width * 0.3;
  const x2 = box.x + box.width * 0.7;
  const y = box.y + box.height;
  return {
    d: `M${round(x1)},${round(y)} C${round(x1 - 10)},${round(y + LOOP)} ${round(x2 + 10)},${round(y + LOOP)} ${round(x2)},${round(y)}`,
    labelX: round(box.x + box.width / 2),
    labelY: round(y + LOOP),
  };
}
