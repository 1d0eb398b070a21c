// What several parts of the page share: escaping, the colours and short labels of message
// types and states, times, and the arrowheads the sequence chart and statecharts draw with.
/* global document */

export const esc = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/** One colour per message type (the same in the ring, the tables and the key's story). */
export const MESSAGE_COLOURS = {
  forward: '#5f6b7a',
  prepare: '#d39e00',
  promise: '#8a6d00',
  propose: '#f4511e',
  acknowledge: '#8e63ce',
  reject: '#d93025',
  decide: '#2e9d5b',
};

/** A distinct short label per message type: the paper's phase for the four phase messages. */
export const MESSAGE_LABELS = {
  prepare: '1a',
  promise: '1b',
  propose: '2a',
  acknowledge: '2b',
  reject: 'R',
  decide: 'D',
  forward: 'F',
};

export const MESSAGE_TYPES = Object.keys(MESSAGE_LABELS);

/** Short labels of instance states for grid cells and story marks. */
export const STATE_LABELS = {
  nil: '·',
  preparing: 'prep',
  proposing: 'prop',
  acknowledged: 'ack',
  decided: '✓',
  failed: '✗',
};

export const STATES = ['nil', 'preparing', 'proposing', 'acknowledged', 'decided', 'failed'];

/** A wall-clock time (or a simulation's virtual seconds) for tables and the log. */
export const clock = (t) => {
  const d = new Date(t);
  // Simulations count from 0: show their virtual milliseconds as such.
  if (t < 1e11) return `${(t / 1000).toFixed(3)}s`;
  return `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

/** Arrowhead markers, one per colour, shared by every SVG of the page (`url(#arrow-TYPE)`). */
export function installArrowMarkers() {
  const colours = { ...MESSAGE_COLOURS, edge: '#9aa0aa', last: '#1f2430', lost: '#d93025' };
  document.getElementById('arrow-defs').innerHTML = Object.entries(colours)
    .map(
      ([name, colour]) =>
        `<marker id="arrow-${name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`,
    )
    .join('');
}
