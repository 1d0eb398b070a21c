// The panels around the grid: the agreement badge and counters in the header, the banner that
// says when (and why) some nodes or all cannot decide, a card per node (up or down, its links,
// injected faults, a bar of its keys by state, the decisions it missed, and the demo's
// buttons), messages in flight (held ones first, with deliver / drop / duplicate buttons),
// decisions and the event log. Each panel's HTML is replaced only when it changed, so a button
// is never swapped out from under the pointer.
/* global document */
import { progressOf } from '/model/progress.js';
import { clock, esc, STATES } from './common.js';

const shown = new Map();

/** Sets an element's HTML if it changed. */
function put(id, html) {
  if (shown.get(id) === html) return;
  shown.set(id, html);
  document.getElementById(id).innerHTML = html;
}

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

/** Says in words when some nodes, or all, cannot decide (no majority can talk). */
function renderProgress(model) {
  const nodes = model.nodes;
  // Until every member has been seen once, the view cannot tell down from not yet connected.
  const message = nodes.some((n) => n.incarnation === null) ? null : progressOf(nodes).message;
  const el = document.getElementById('progress');
  el.hidden = message === null;
  el.dataset.level = message?.startsWith('No progress') ? 'none' : 'some';
  if (message !== null && el.textContent !== message) el.textContent = message;
}

function nodeCard(view, node, all) {
  const model = view.model;
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
    f.dropRate > 0 || f.delayMs > 0 || f.hold
      ? `<div class="counts">injected: ${[
          f.dropRate > 0 ? `${Math.round(f.dropRate * 100)}% loss` : '',
          f.delayMs > 0 ? `${f.delayMs}+${f.jitterMs} ms delay` : '',
          f.hold ? 'holds every message for you' : '',
        ]
          .filter((p) => p !== '')
          .join(', ')}</div>`
      : '';
  const missed = model.missedCount(node.id);
  const missedNote =
    missed > 0
      ? `<div class="missed-note" data-missed="${missed}">missed ${missed} decision${missed === 1 ? '' : 's'} while down or cut off (hatched grey keys): a Paxos round does not reach a node that is not there; ${esc(node.id)} learns them from its peers' decided logs (catch-up, every few seconds once it is back), or when a key is asked on it again.</div>`
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
    <div class="bar">${bar}</div><div class="counts">${counts || 'no keys yet'}</div>${faults}${missedNote}</div>`;
}

function inFlightRow(view, m) {
  const held = m.heldId !== undefined;
  const age = `${Math.round(Math.max(0, view.model.now - m.t))} ms`;
  const release = (how, text, title) =>
    `<button data-action="release" data-node="${esc(m.from)}" data-id="${m.heldId}" data-how="${how}" title="${title}">${text}</button>`;
  const buttons =
    held && view.controls
      ? `<td class="hand">${release('deliver', 'deliver', 'deliver it now')}${release('drop', 'drop', 'lose it')}${release('duplicate', 'dup', 'deliver a copy, keep it waiting')}</td>`
      : `<td>${held ? 'waiting' : age}</td>`;
  return `<tr data-testid="inflight-row" data-held="${held}" data-type="${m.msg}" data-from="${esc(m.from)}" data-to="${esc(m.to)}" data-key="${esc(m.key)}"><td><span class="tag ${m.msg}">${m.msg}</span></td><td class="mono">${esc(m.ballot ?? '')}</td><td>${esc(m.from)}→${esc(m.to)}</td><td class="mono key">${esc(m.key)}</td>${buttons}</tr>`;
}

function renderInFlight(view) {
  const messages = view.model.inFlightMessages;
  document.getElementById('inflight-count').textContent = String(messages.length);
  // Held messages first, oldest first (the order they would have left in); then the newest others.
  const held = messages.filter((m) => m.heldId !== undefined);
  const moving = messages.filter((m) => m.heldId === undefined);
  const rows = [...held.slice(0, 60), ...moving.slice(-40).reverse()]
    .map((m) => inFlightRow(view, m))
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
        `<tr><td class="mono" title="${esc(d.key)}">${esc(d.key)}</td><td class="mono" title="${esc(d.value)}">${esc(d.value)}</td><td>first on ${esc(d.node)}</td><td>${clock(d.t)}</td></tr>`,
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
  renderProgress(model);
  const nodes = model.nodes;
  put('node-cards', nodes.map((n) => nodeCard(view, n, nodes)).join(''));
  renderInFlight(view);
  renderDecisions(model);
  renderLog(view);
}
