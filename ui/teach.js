// Teaching mode's panel (live demo only): the switch in the header (the demo restarts its nodes
// with classic Paxos, so every key goes through both phases, and asks one key at a time), slow
// motion (every message waits on its link), delivery by hand (every message waits in the In
// flight list for you; the nodes' timers stand still), the demo's own asks on or off, and a
// form to ask any node for any key yourself. The demo's answer to each control carries its
// switches; `applyState` shows them.
/* global document */
import { post } from './controls.js';
import { esc } from './common.js';

/** The values the teaching demo's nodes ask for, by member order (teachLoad.ts has the same). */
export const COLOURS = ['red', 'blue', 'green', 'amber', 'violet', 'teal', 'pink', 'grey', 'brown'];

let view = null;
let state = null;

const $ = (id) => document.getElementById(id);

/** The demo's switches now (null before the first answer). */
export function controlState() {
  return state;
}

export function colourOf(node) {
  const ids = view.model.nodes.map((n) => n.id);
  return COLOURS[ids.indexOf(node) % COLOURS.length] ?? 'white';
}

/** A key name nobody has used yet: `base`, else `base-2`, `base-3`… */
export function freshKey(base) {
  const used = new Set(view.model.keys);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** Shows the demo's switches. */
export function applyState(next) {
  state = next;
  if (!state) return;
  $('teach-switch').checked = state.teach;
  $('teach-panel').hidden = !state.teach;
  $('hold').checked = state.hold;
  $('autoask').checked = state.autoAsk;
  $('deliver-all').disabled = !state.hold;
  const speeds = [...$('speed').options].map((o) => Number(o.value));
  const nearest = speeds.reduce((a, b) =>
    Math.abs(b - state.delayMs) < Math.abs(a - state.delayMs) ? b : a,
  );
  $('speed').value = String(nearest);
  const delays = [...$('delay').options].map((o) => o.value);
  if (delays.includes(String(state.delayMs))) $('delay').value = String(state.delayMs);
  $('drop').value = String(state.dropRate);
}

export function setupTeach(page, initialState) {
  view = page;
  $('teach-switch-label').hidden = false;
  applyState(initialState);
  $('teach-switch').addEventListener('change', async (e) => {
    const on = e.target.checked;
    e.target.disabled = true;
    $('toast').textContent = on ? 'restarting the nodes with classic Paxos…' : 'restarting the nodes…';
    await post({ action: 'teach', on });
    e.target.disabled = false;
  });
  $('speed').addEventListener('change', () => {
    const delayMs = Number($('speed').value);
    // A little jitter only: slow motion should keep messages in order, mostly.
    post({ action: 'network', dropRate: state?.dropRate ?? 0, delayMs, jitterMs: Math.round(delayMs / 10) });
  });
  $('hold').addEventListener('change', (e) => post({ action: 'hold', on: e.target.checked }));
  $('autoask').addEventListener('change', (e) => post({ action: 'autoask', on: e.target.checked }));
  $('ask-node').addEventListener('change', () => ($('ask-value').value = colourOf($('ask-node').value)));
  $('ask').addEventListener('click', async () => {
    const node = $('ask-node').value;
    const key = $('ask-key').value.trim() || freshKey('colour');
    const result = await post({ action: 'ask', node, key, value: $('ask-value').value || colourOf(node) });
    if (result.ok) {
      view.selectedKey = key;
      $('ask-key').value = '';
      view.dirty = true;
    }
  });
}

/** Keeps the ask form's node list and placeholder current. */
export function renderTeach() {
  if (!view || $('teach-panel').hidden) return;
  const ids = view.model.nodes.map((n) => n.id);
  const select = $('ask-node');
  if ([...select.options].map((o) => o.value).join() !== ids.join()) {
    select.innerHTML = ids.map((id) => `<option>${esc(id)}</option>`).join('');
    $('ask-value').value = colourOf(select.value);
  }
  $('ask-key').placeholder = freshKey('colour');
}
