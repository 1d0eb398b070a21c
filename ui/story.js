// A key's story as a sequence chart: a lane per node, a row per step in the order the view saw
// them, and beside each row its plain-language caption (storyCaption.ts, from the model). A
// message is an arrow from its sender's lane at the row it was sent to its receiver's lane where
// it arrived (so a slow message slopes across the rows it overtook), labelled with its type and
// ballot; a lost or dropped one ends half-way at a cross, a held one (delivery by hand) at a
// pause mark, a delayed one is dotted. Durable writes are disk marks, state changes pills in the
// state's colour, decisions stars. Works live, in replays and for simulation seeds alike: it is
// drawn from the model's story of the key.
/* global document */
import { fateText, storyCaptions } from '/model/storyCaption.js';
import { esc, MESSAGE_COLOURS, MESSAGE_LABELS, MESSAGE_TYPES, STATE_LABELS } from './common.js';

const ROW = 22;
const HEAD = 24;
let lastSignature = '';
let selectedRow = null;
let captionsShown = [];

const $ = (id) => document.getElementById(id);

export function setupStory(view, invalidate) {
  $('story-states').addEventListener('change', invalidate);
  $('story-writes').addEventListener('change', invalidate);
  $('key-close').addEventListener('click', () => {
    view.selectedKey = null;
    invalidate();
  });
  $('key-story').addEventListener('click', (e) => {
    const row = e.target.closest('[data-row]');
    if (!row) return;
    selectedRow = Number(row.dataset.row);
    showDetail();
  });
  $('story-legend').innerHTML = [
    ...MESSAGE_TYPES.map(
      (t) => `<span><i style="background:${MESSAGE_COLOURS[t]}"></i>${MESSAGE_LABELS[t]} ${t}</span>`,
    ),
    '<span><svg width="18" height="10"><line x1="1" y1="5" x2="17" y2="5" class="delayed-sample"/></svg>delayed</span>',
    '<span><svg width="12" height="12"><path d="M2,2 L10,10 M10,2 L2,10" class="cross"/></svg>lost / dropped</span>',
    '<span><svg width="12" height="12"><rect x="2" y="2" width="3" height="8" class="pause"/><rect x="7" y="2" width="3" height="8" class="pause"/></svg>waiting for you</span>',
    '<span><svg width="12" height="12"><rect x="1" y="2" width="10" height="9" rx="2" class="disk"/></svg>on disk</span>',
    '<span><svg width="12" height="12"><polygon points="6,0 7.6,4 12,4.4 8.6,7.2 9.8,12 6,9.4 2.2,12 3.4,7.2 0,4.4 4.4,4" class="star"/></svg>decided</span>',
  ].join('');
}

function showDetail() {
  const detail = $('story-detail');
  const index = selectedRow ?? captionsShown.length - 1;
  const text = captionsShown[index];
  detail.textContent = text === undefined ? '' : `step ${index + 1}: ${text}`;
  for (const row of document.querySelectorAll('#key-story .caption.selected'))
    row.classList.remove('selected');
  document.querySelector(`#key-story .caption[data-row="${index}"]`)?.classList.add('selected');
}

/** Lane x of each node. */
function lanesOf(nodes) {
  const gap = Math.max(48, Math.min(110, 320 / Math.max(1, nodes.length - 1)));
  const at = {};
  nodes.forEach((id, i) => (at[id] = 24 + i * gap));
  return { at, width: 48 + (nodes.length - 1) * gap };
}

/** The y where a message that arrived at event `seq` ends: just above the first row after it. */
function arrivalY(rows, seq, fromRow) {
  let row = rows.findIndex((step) => step.seq > seq);
  if (row < 0) row = rows.length;
  return HEAD + Math.max(row * ROW, fromRow * ROW + ROW * 0.9);
}

function messageMark(step, row, rows, at) {
  const x1 = at[step.from];
  const x2 = at[step.to];
  if (x1 === undefined || x2 === undefined) return '';
  const y1 = HEAD + row * ROW + ROW / 2;
  const colour = MESSAGE_COLOURS[step.msg];
  const lost = step.fate?.outcome === 'lost';
  let x2End = x2;
  let y2 = step.fate?.outcome === 'arrived' ? arrivalY(rows, step.fate.seq, row) : HEAD + rows.length * ROW;
  let end = '';
  if (lost || step.held) {
    x2End = x1 + (x2 - x1) * 0.55;
    y2 = y1 + ROW * 0.5;
    end = lost
      ? `<path d="M${x2End - 4},${y2 - 4} L${x2End + 4},${y2 + 4} M${x2End + 4},${y2 - 4} L${x2End - 4},${y2 + 4}" class="cross"/>`
      : `<rect x="${x2End - 5}" y="${y2 - 5}" width="3.5" height="10" class="pause"/><rect x="${x2End + 1.5}" y="${y2 - 5}" width="3.5" height="10" class="pause"/>`;
  }
  const fate = step.held ? 'held' : step.fate ? step.fate.outcome : 'in flight';
  const classes = [
    'arrow',
    step.delayMs ? 'delayed' : '',
    lost ? 'lost' : '',
    step.held || !step.fate ? 'pending' : '',
    step.copyOf !== undefined ? 'copy' : '',
  ]
    .filter((c) => c)
    .join(' ');
  const marker = lost || step.held ? '' : ` marker-end="url(#arrow-${step.msg})"`;
  const label = `${step.msg}${step.ballot ? ` ${step.ballot}` : ''}${step.copyOf !== undefined ? ' (copy)' : ''}`;
  const lx = (x1 + x2End) / 2;
  const ly = y1 + (y2 - y1) * 0.5 - 4;
  return `<g data-testid="story-message" data-type="${step.msg}" data-ballot="${esc(step.ballot ?? '')}" data-from="${esc(step.from)}" data-to="${esc(step.to)}" data-fate="${fate}"${step.copyOf !== undefined ? ' data-copy="true"' : ''} data-row="${row}"><title>${esc(`${label} ${step.from}→${step.to}: ${fateText(step)}`)}</title><line x1="${x1}" y1="${y1}" x2="${x2End}" y2="${y2}" stroke="${colour}" class="${classes}"${marker}/>${end}<text x="${lx}" y="${ly}" class="arrow-label" fill="${colour}">${esc(label)}</text></g>`;
}

function nodeMark(step, row, at) {
  const x = at[step.node];
  if (x === undefined) return '';
  const y = HEAD + row * ROW + ROW / 2;
  switch (step.kind) {
    case 'durable':
      return `<g class="mark" data-row="${row}" data-kind="durable"><title>${esc(`${step.node}: on disk`)}</title><rect x="${x - 6}" y="${y - 6}" width="12" height="11" rx="2" class="disk"/><line x1="${x - 6}" y1="${y - 2.5}" x2="${x + 6}" y2="${y - 2.5}" class="disk-line"/></g>`;
    case 'state':
      return `<g class="mark" data-row="${row}" data-kind="state" data-state="${step.state}"><title>${esc(`${step.node}: ${step.from ?? ''} → ${step.state}`)}</title><rect x="${x - 17}" y="${y - 7}" width="34" height="14" rx="7" style="fill:var(--${step.state})"/><text x="${x}" y="${y}" class="pill">${STATE_LABELS[step.state]}</text></g>`;
    case 'decided': {
      const r = 7;
      const points = Array.from({ length: 10 }, (_, i) => {
        const angle = -Math.PI / 2 + (i * Math.PI) / 5;
        const d = i % 2 === 0 ? r : r * 0.45;
        return `${(x + d * Math.cos(angle)).toFixed(1)},${(y + d * Math.sin(angle)).toFixed(1)}`;
      }).join(' ');
      return `<g class="mark" data-row="${row}" data-kind="decided"><title>${esc(`${step.node} decided ${step.value}`)}</title><polygon points="${points}" class="star"/></g>`;
    }
  }
  return '';
}

export function renderStory(view) {
  const panel = $('key-panel');
  const key = view.selectedKey;
  if (key === null) {
    panel.hidden = true;
    lastSignature = '';
    return;
  }
  panel.hidden = false;
  const model = view.model;
  $('key-name').textContent = key;
  const value = model.isDisagreeing(key) ? 'DISAGREEMENT' : model.decidedValueOf(key);
  const story = model.storyOf(key);
  $('key-summary').textContent =
    `${value !== undefined ? `decided ${value}` : 'not decided yet'}${story?.truncated ? ' · story cut short (too many steps)' : ''}`;
  const showStates = $('story-states').checked;
  const showWrites = $('story-writes').checked;
  const steps = story?.steps ?? [];
  const fates = steps.reduce(
    (n, s) => n + (s.kind === 'message' ? (s.fate ? 2 : 0) + (s.held ? 1 : 0) : 0),
    0,
  );
  const nodes = model.nodes.map((n) => n.id);
  const signature = `${key}|${showStates}|${showWrites}|${steps.length}|${fates}|${nodes.join()}`;
  if (signature === lastSignature) return;
  lastSignature = signature;
  if (steps.length === 0) {
    captionsShown = [];
    $('key-story').innerHTML = `<div class="story-empty">${
      story
        ? 'nothing has happened to this key yet'
        : model.keys.includes(key)
          ? 'this key’s story is no longer kept (the view keeps the most recent keys’ stories)'
          : 'this key has not appeared yet at this point of the run'
    }</div>`;
    $('story-detail').textContent = '';
    return;
  }
  const captions = storyCaptions(steps);
  const shown = [];
  steps.forEach((step, i) => {
    if ((step.kind === 'state' && !showStates) || (step.kind === 'durable' && !showWrites)) return;
    shown.push({ step, caption: captions[i] });
  });
  const rows = shown.map((s) => s.step);
  const { at, width } = lanesOf(nodes);
  const height = HEAD + rows.length * ROW + 6;
  let svg = nodes
    .map(
      (id) =>
        `<line x1="${at[id]}" y1="${HEAD - 4}" x2="${at[id]}" y2="${height}" class="lane"/><text x="${at[id]}" y="12" class="lane-name">${esc(id)}</text>`,
    )
    .join('');
  rows.forEach((step, row) => {
    if (row % 2 === 1)
      svg = `<rect x="0" y="${HEAD + row * ROW}" width="${width}" height="${ROW}" class="stripe"/>${svg}`;
  });
  const marks = rows.map((step, row) =>
    step.kind === 'message' ? messageMark(step, row, rows, at) : nodeMark(step, row, at),
  );
  // Node marks under the arrows, so arrows stay readable.
  svg += marks.filter((_, row) => rows[row].kind !== 'message').join('');
  svg += marks.filter((_, row) => rows[row].kind === 'message').join('');
  const t0 = steps[0].t;
  captionsShown = shown.map(
    (s) => `${s.caption}${s.step.kind === 'message' ? ` — ${fateText(s.step)}` : ''}`,
  );
  const captionRows = shown
    .map(
      (s, row) =>
        `<div class="caption kind-${s.step.kind}" data-row="${row}" style="top:${HEAD + row * ROW}px" title="${esc(captionsShown[row])}"><span class="t">+${Math.max(0, Math.round(s.step.t - t0))}</span>${esc(captionsShown[row])}</div>`,
    )
    .join('');
  const scroller = $('key-story');
  const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 30;
  const laneNames = nodes.map((id) => `<span style="left:${at[id]}px">${esc(id)}</span>`).join('');
  scroller.innerHTML = `<div class="story-lanes">${laneNames}<span class="captions-title" style="left:${width + 8}px">what happens</span></div><div class="story-inner" style="height:${height - 20}px;margin-top:-20px"><svg class="story-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${svg}</svg><div class="captions" style="left:${width + 8}px">${captionRows}</div></div>`;
  if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  if (selectedRow !== null && selectedRow >= captionsShown.length) selectedRow = null;
  showDetail();
}

/** Forgets the selected step (another key was selected). */
export function resetStory() {
  selectedRow = null;
  lastSignature = '';
}
