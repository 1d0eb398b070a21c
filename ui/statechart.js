// Live statecharts of the selected key: one per node, drawn from the instance machine's own
// definition (served as /machine.json, laid out by the model's statechartLayout.js), with the
// state the node's instance is in highlighted and the last transition it took marked with the
// event and guard that caused it (from the key's story: the view feed reports each transition).
// An edge from "any state" is a root-level handler (gen_fsm's all-state events).
/* global document, fetch */
import { ANY_STATE, layoutStatechart } from '/model/statechartLayout.js';
import { esc } from './common.js';

let graph = null;
let layout = null;
let lastHtml = '';

/** Fetches the machine graph once. */
export async function setupStatecharts() {
  try {
    graph = await (await fetch('/machine.json')).json();
    layout = layoutStatechart(graph);
  } catch {
    graph = null;
  }
}

/** The last transition of `node` in `steps` (a state step with its `from`), if any. */
function lastTransition(steps, node) {
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i];
    if (step.kind === 'state' && step.node === node) return step.from !== undefined ? step : null;
  }
  return null;
}

/** The index of the graph's transition that `step` reports, or -1. */
function transitionIndex(step) {
  const source = step.anyState ? ANY_STATE : step.from;
  return graph.transitions.findIndex(
    (t) =>
      t.source === source &&
      t.target === step.state &&
      t.event === step.event &&
      (t.guard ?? undefined) === (step.guard ?? undefined),
  );
}

const label = (t) => `${t.event}${t.guard ? ` [${t.guard}]` : ''}`;

function chart(node, active, last) {
  const lastIndex = last ? transitionIndex(last) : -1;
  const edges = layout.edges
    .map((edge) => {
      const isLast = edge.transitions.includes(lastIndex);
      const titles = edge.transitions.map((i) => {
        const t = graph.transitions[i];
        return `${t.source === ANY_STATE ? 'any state' : t.source} → ${t.target}: ${label(t)}${t.actions.length ? ` / ${t.actions.join(', ')}` : ''}`;
      });
      const text = isLast
        ? `<text x="${edge.labelX}" y="${edge.labelY - 3}" class="edge-label">${esc(label(graph.transitions[lastIndex]))}</text>`
        : '';
      return `<g class="edge${isLast ? ' last' : ''}" data-source="${esc(edge.source)}" data-target="${esc(edge.target)}"${isLast ? ' data-last="true"' : ''}><title>${esc(titles.join('\n'))}</title><path d="${edge.d}" marker-end="url(#arrow-${isLast ? 'last' : 'edge'})"/>${text}</g>`;
    })
    .join('');
  const states = layout.states
    .map((box) => {
      const any = box.id === ANY_STATE;
      const isActive = !any && box.id === active;
      const name = any ? 'any state' : box.id;
      return `<g class="state${any ? ' any' : ''}"${any ? '' : ` data-state="${esc(box.id)}"`} data-active="${isActive}"><rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="8" ${isActive ? `style="fill:var(--${box.id})"` : ''}/><text x="${box.x + box.width / 2}" y="${box.y + box.height / 2}">${esc(name)}</text></g>`;
    })
    .join('');
  const caption = last
    ? `${esc(last.from)} → ${esc(last.state)} on <b>${esc(last.event)}${last.guard ? ` [${esc(last.guard)}]` : ''}</b>${last.cause ? `, after a ${esc(last.cause)}` : ''}${last.anyState ? ' (an all-state handler)' : ''}${last.ballot ? ` · ballot ${esc(last.ballot)}` : ''}`
    : active === 'nil'
      ? 'no instance: nothing promised or asked here yet'
      : active === 'failed'
        ? 'the node gave this key up (its instance kept crashing)'
        : `in ${esc(active)} (how it got there is not in the story)`;
  return `<div class="chart" data-testid="statechart" data-node="${esc(node)}" data-active-state="${esc(active)}"><div class="chart-title"><b>${esc(node)}</b> <span>${caption}</span></div><svg viewBox="0 0 ${layout.width} ${layout.height}" class="chart-svg">${edges}${states}</svg></div>`;
}

export function renderStatecharts(view) {
  const key = view.selectedKey;
  if (key === null) {
    lastHtml = '';
    return;
  }
  const el = document.getElementById('statecharts');
  if (graph === null) {
    el.textContent = 'the machine definition could not be loaded';
    return;
  }
  const model = view.model;
  const steps = model.storyOf(key)?.steps ?? [];
  const html = model.nodes
    .map((n) => chart(n.id, model.stateOf(key, n.id), lastTransition(steps, n.id)))
    .join('');
  if (html !== lastHtml) el.innerHTML = lastHtml = html;
}
