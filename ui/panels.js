// The panels around the grid: the agreement badge and counters in the header, a card per node
// (up or down, its links, injected faults, a bar of its keys by state, and the demo's buttons),
// messages in flight, decisions and the event log. Each panel's HTML is replaced only when it
// changed, so a button is never swapped out from under the pointer.
/* global document */

const STATES = ['nil', 'preparing', 'proposing', 'acknowledged', 'decided', 'failed'];
const esc = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
const shown = new Map();

/** Sets an element's HTML if it changed. */
function put(id, html) {
  if (shown.get(id) === html) return;
  shown.set(id, html);
  document.getElementById(id).innerHTML = html;
}

const clock = (t) => {
  const d = new Date(t);
  // Simulations count from 0: show their virtual milliseconds as such.
  if (t < 1e11) return `${(t / 1000).toFixed(3)}s`;
  return `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

export function setupPanels(view, invalidate) {
  document.getElementById('log-filter').addEventListener('change', invalidate);
  put('legend', STATES.map((s) => `<span><i style="background:var(--${s})"></i>${s}</span>`).join(''));
}

function renderHeader(model) {
  const badge = model.badge;
  const el = document.getElementById('badge');
  el.dataset.ok = String(badge.ok);
  el.dataset.offending = badge.offending?.key ?? '';
  el.textContent = badge.ok
    ? `✔ agreement: ${badge.decidedKeys} keys decided, every node agrees`
    : `✘ DISAGREEMENT on ${badge.offending.key}: ${Object.entries(badge.offending.values)
        .map(([n, v]) => `${n}=${v}`)
        .join(' ')}`;
  const c = model.messageCounts;
  document.getElementById('stats').textContent =
    `${model.applied} events · messages ${c.sent} sent, ${c.delivered} delivered, ${c.lost} lost`;
}

function nodeCard(view, node, all) {
  const peers = all.filter((p) => p.id !== node.id);
  const chips = peers
    .map((p) => {
      const blocked = node.faults.blockOut.includes(p.id);
      const up = node.up && node.links[p.id] === true;
      const cls = blocked ? 'blocked' : up ? 'up' : 'down';
      // Why the link is down, as this node reports it (refused by peer: amnesia, unreachable…).
      const why = !up && node.up ? (node.linkReasons?.[p.id] ?? '') : '';
      const title = why ? ` title="${esc(why)}"` : '';
      const label = blocked ? 'cut' : up ? 'up' : why ? `down: ${why}` : 'down';
      return `<span class="chip ${cls}" data-peer="${esc(p.id)}" data-link="${cls}"${title}>→${esc(p.id)} ${esc(label)}</span>`;
    })
    .join('');
  const total = STATES.reduce((n, s) => n + node.counts[s], 0) || 1;
  const bar = STATES.filter((s) => s !== 'nil' && node.counts[s] > 0)
    .map(
      (s) =>
        `<span style="width:${(100 * node.counts[s]) / total}%;background:var(--${s})" title="${s}: ${node.counts[s]}"></span>`,
    )
    .join('');
  const counts = STATES.filter((s) => s !== 'nil' && node.counts[s] > 0)
    .map((s) => `${s} ${node.counts[s]}`)
    .join(' · ');
  const f = node.faults;
  const faults =
    f.dropRate > 0 || f.delayMs > 0
      ? `<div class="counts">injected: ${Math.round(f.dropRate * 100)}% loss, ${f.delayMs}+${f.jitterMs} ms delay</div>`
      : '';
  const buttons = view.controls
    ? `<span class="buttons">
        <button data-action="crash" data-node="${esc(node.id)}" ${node.up ? '' : 'disabled'}>crash</button>
        <button data-action="restart" data-node="${esc(node.id)}" ${node.up ? 'disabled' : ''}>restart</button>
        <button data-action="isolate" data-node="${esc(node.id)}" ${node.up ? '' : 'disabled'}>cut off</button>
      </span>`
    : '';
  return `<div class="node-card" data-node="${esc(node.id)}" data-up="${node.up}" data-decided="${node.counts.decided}">
    <div class="title">${esc(node.id)} <span class="status">${node.up ? 'up' : 'down'}</span>${buttons}</div>
    <div class="chips">${chips}</div>
    <div class="bar">${bar}</div><div class="counts">${counts || 'no keys yet'}</div>${faults}</div>`;
}

function renderInFlight(model) {
  const messages = model.inFlightMessages;
  document.getElementById('inflight-count').textContent = String(messages.length);
  const rows = messages
    .slice(-40)
    .reverse()
    .map(
      (m) =>
        `<tr><td><span class="tag ${m.msg}">${m.msg}</span></td><td class="mono">${esc(m.ballot ?? '')}</td><td>${esc(m.from)}→${esc(m.to)}</td><td class="mono">${esc(m.key)}</td><td>${Math.round(Math.max(0, model.now - m.t))} ms</td></tr>`,
    )
    .join('');
  put('inflight', rows || '<tr><td>nothing in flight</td></tr>');
}

function renderDecisions(model) {
  const decisions = model.decisions;
  document.getElementById('decision-count').textContent = String(model.badge.decidedKeys);
  const rows = decisions
    .slice(-40)
    .reverse()
    .map(
      (d) =>
        `<tr><td class="mono">${esc(d.key)}</td><td class="mono">${esc(d.value)}</td><td>first on ${esc(d.node)}</td><td>${clock(d.t)}</td></tr>`,
    )
    .join('');
  put('decisions', rows || '<tr><td>no decision yet</td></tr>');
}

function renderLog(view) {
  const filter = document.getElementById('log-filter').value;
  const keep = filter === 'key' ? (e) => e.key === view.selectedKey : () => true;
  const lines = [];
  const entries = filter === 'quiet' ? view.model.notableEntries : view.model.logEntries;
  for (let i = entries.length - 1; i >= 0 && lines.length < 200; i--) {
    const e = entries[i];
    if (!keep(e)) continue;
    const cls = e.text.startsWith('DISAGREEMENT') ? 'bad' : e.kind;
    lines.push(`<div class="${cls}"><span class="time">${clock(e.t)}</span>${esc(e.text)}</div>`);
  }
  put('log', lines.join('') || '<div>nothing yet</div>');
}

export function renderPanels(view) {
  const model = view.model;
  renderHeader(model);
  const nodes = model.nodes;
  put('node-cards', nodes.map((n) => nodeCard(view, n, nodes)).join(''));
  renderInFlight(model);
  renderDecisions(model);
  renderLog(view);
}
