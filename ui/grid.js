// The nodes × keys grid, virtualised: only the rows in view are in the DOM, so thousands of
// keys cost what thirty do. Newest keys first; filters for keys in progress and disagreeing
// keys; a click selects a key: its story and statecharts open below, and the event log can
// follow it. A hatched grey cell is a decision the node missed (down or cut off at the time).
/* global document */
import { esc, STATE_LABELS } from './common.js';

const ROW_PX = 22;

let lastHead = '';
let lastRows = '';

export function setupGrid(view, invalidate) {
  const scroller = document.getElementById('grid');
  scroller.addEventListener('scroll', invalidate);
  document.getElementById('filter').addEventListener('change', invalidate);
  document.getElementById('search').addEventListener('input', invalidate);
  document.getElementById('grid-rows').addEventListener('click', (e) => {
    const row = e.target.closest('[data-key]');
    if (!row) return;
    view.selectedKey = view.selectedKey === row.dataset.key ? null : row.dataset.key;
    invalidate();
  });
}

/** The keys to list, as a length and an accessor (no copy of all keys for the default view). */
function rowsOf(model) {
  const filter = document.getElementById('filter').value;
  const search = document.getElementById('search').value.trim();
  let keys;
  if (filter === 'active') keys = [...model.activeKeys].reverse();
  else if (filter === 'disagreeing') keys = model.keys.filter((k) => model.isDisagreeing(k)).reverse();
  else if (search === '') {
    const all = model.keys;
    return { length: all.length, at: (i) => all[all.length - 1 - i] };
  } else keys = [...model.keys].reverse();
  if (search !== '') keys = keys.filter((k) => k.includes(search));
  return { length: keys.length, at: (i) => keys[i] };
}

export function renderGrid(view) {
  const model = view.model;
  const nodes = model.nodes;
  const cols = `minmax(70px, 150px) repeat(${nodes.length}, minmax(30px, 44px)) minmax(50px, 1fr)`;
  const panel = document.getElementById('grid-panel');
  panel.style.setProperty('--grid-cols', cols);
  const head = `<span>key</span>${nodes.map((n) => `<span>${esc(n.id)}</span>`).join('')}<span>decided value</span>`;
  if (head !== lastHead) document.getElementById('grid-head').innerHTML = lastHead = head;

  const rows = rowsOf(model);
  const scroller = document.getElementById('grid');
  document.getElementById('grid-spacer').style.height = `${rows.length * ROW_PX}px`;
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_PX) - 5);
  const last = Math.min(rows.length, first + Math.ceil(scroller.clientHeight / ROW_PX) + 10);
  let html = '';
  for (let i = first; i < last; i++) {
    const key = rows.at(i);
    const bad = model.isDisagreeing(key);
    const cells = nodes
      .map((n) => {
        const state = model.stateOf(key, n.id);
        const missed = state !== 'decided' && model.missed(key, n.id);
        const title = missed
          ? `${n.id} missed this decision (it was down or cut off): it learns the value only when the key is asked there again`
          : `${n.id}: ${state}`;
        return `<span class="cell${n.up ? '' : ' down'}${missed ? ' missed' : ''}" data-node="${esc(n.id)}" data-state="${state}" title="${esc(title)}">${STATE_LABELS[state]}</span>`;
      })
      .join('');
    const value = bad ? 'DISAGREE' : (model.decidedValueOf(key) ?? '');
    const classes = `grid-row${bad ? ' disagreeing' : ''}${key === view.selectedKey ? ' selected' : ''}`;
    html += `<div class="${classes}" style="position:absolute;top:${i * ROW_PX}px;left:0;right:0" data-testid="key-row" data-key="${esc(key)}"><span class="key">${esc(key)}</span>${cells}<span class="value" title="${esc(value)}">${esc(value)}</span></div>`;
  }
  if (html !== lastRows) document.getElementById('grid-rows').innerHTML = lastRows = html;
  document.getElementById('key-count').textContent =
    rows.length === model.keyCount ? `${model.keyCount}` : `${rows.length} of ${model.keyCount}`;
}
