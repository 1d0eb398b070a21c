// The cluster as a ring: nodes (dark when up, grey when down), a line per pair coloured by its
// link (green up, red dashed down, orange dotted blocked by an injected fault), and the messages
// in flight as dots moving from sender to receiver, each labelled with its type's short label
// (the legend below the ring spells them out). A held message (delivery by hand) waits near
// its sender with a pause mark.
/* global document */
import { esc, MESSAGE_COLOURS, MESSAGE_LABELS, MESSAGE_TYPES } from './common.js';

const RADIUS = 105;
let last = '';

function positions(nodes) {
  const at = {};
  nodes.forEach((n, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / nodes.length;
    at[n.id] = { x: RADIUS * Math.cos(angle), y: RADIUS * Math.sin(angle) };
  });
  return at;
}

function linkClass(a, b) {
  const blocked = a.faults.blockOut.includes(b.id) || b.faults.blockOut.includes(a.id);
  if (blocked) return 'blocked';
  const up = a.up && b.up && a.links[b.id] !== false && b.links[a.id] !== false;
  return up ? 'up' : 'down';
}

export function setupRing() {
  document.getElementById('ring-legend').innerHTML = MESSAGE_TYPES.map(
    (type) =>
      `<span data-type="${type}"><b style="background:${MESSAGE_COLOURS[type]}">${MESSAGE_LABELS[type]}</b>${type}</span>`,
  ).join('');
}

export function renderRing(view) {
  const model = view.model;
  const nodes = model.nodes;
  const at = positions(nodes);
  let svg = '';
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++) {
      const a = at[nodes[i].id];
      const b = at[nodes[j].id];
      svg += `<line class="link ${linkClass(nodes[i], nodes[j])}" x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}"/>`;
    }
  // The newest messages; each drawn a little further along the longer it has been in flight.
  const messages = model.inFlightMessages.slice(-60);
  for (const [index, m] of messages.entries()) {
    const a = at[m.from];
    const b = at[m.to];
    if (!a || !b) continue;
    const held = m.heldId !== undefined;
    const progress = held ? 0.28 : Math.min(0.85, 0.15 + (model.now - m.t) / 800);
    const offset = ((index % 5) - 2) * 4; // fan out messages on the same link
    const x = a.x + (b.x - a.x) * progress + offset;
    const y = a.y + (b.y - a.y) * progress + offset;
    const label = MESSAGE_LABELS[m.msg] ?? '?';
    svg += `<g class="msg${held ? ' held' : ''}" data-type="${m.msg}"><title>${esc(`${m.msg} ${m.ballot ?? ''} ${m.from}→${m.to} ${m.key}${held ? ' (waiting for you)' : ''}`)}</title><circle cx="${x}" cy="${y}" r="7.5" fill="${MESSAGE_COLOURS[m.msg]}"/><text x="${x}" y="${y}">${label}</text></g>`;
  }
  for (const n of nodes) {
    const p = at[n.id];
    svg += `<g class="node ${n.up ? 'up' : 'down'}" data-node="${esc(n.id)}"><circle cx="${p.x}" cy="${p.y}" r="22"/><text x="${p.x}" y="${p.y}">${esc(n.id)}</text></g>`;
  }
  if (svg !== last) document.getElementById('ring').innerHTML = last = svg;
}
