// The guided first tour (live demo, teaching mode): one decision of classic Paxos, message by
// message, on the real nodes, as docs/walkthrough.md tells it. Delivery by hand is on, so the
// tour waits at each step until the learner delivers the message it names (its row in the In
// flight list is highlighted); the key's story and the nodes' statecharts show each step.
/* global document, setTimeout */
import { post } from './controls.js';
import { controlState, freshKey, colourOf } from './teach.js';
import { esc } from './common.js';

const $ = (id) => document.getElementById(id);
let view = null;
let tour = null; // { step, key, asker, first, second, starting }

/** Did a `msg` from `from` to `to` about the tour's key arrive? */
function arrived(from, to, msg) {
  const steps = view.model.storyOf(tour.key)?.steps ?? [];
  return steps.some(
    (s) =>
      s.kind === 'message' &&
      s.msg === msg &&
      s.from === from &&
      s.to === to &&
      s.fate?.outcome === 'arrived',
  );
}

const decidedEverywhere = () =>
  view.model.nodes.every((n) => view.model.stateOf(tour.key, n.id) === 'decided');

/** The steps: what to read, what to do (a message to deliver), and when it is done. */
const STEPS = [
  {
    text: () =>
      view.model.nodes.length !== 3
        ? `<p>This tour follows a cluster of <b>3 nodes</b>, as <code>docs/walkthrough.md</code> does (a majority is 2 of them); this demo has ${view.model.nodes.length}. Run <code>gen-paxos demo --ui --teach --nodes 3</code> to take it.</p>`
        : `<p>This tour follows <b>one decision</b> of classic Paxos on the real nodes, message by message, as <code>docs/walkthrough.md</code> does.</p>
       <p>Press <b>start</b>: the demo stops asking keys of its own, turns on <b>delivery by hand</b> (every message waits in the <i>In flight</i> list until you deliver it, and the nodes' timers stand still), and asks one node for a value.</p>`,
    done: () => tour.key !== null && !tour.starting,
    action: 'start',
  },
  {
    text: () =>
      `<p><b>${tour.asker}</b> was asked <code>${tour.key} = "${tour.value}"</code>. Its instance left <code>nil</code> for <code>preparing</code> with a fresh ballot, and <b>wrote its own promise of that ballot to disk</b> (the disk mark in the story) before sending anything: persist before reply.</p>
       <p>Two <b>prepare</b> messages (phase 1a) now wait in <i>In flight</i>. Deliver the one to <b>${tour.first}</b>.</p>`,
    target: () => ({ from: tour.asker, to: tour.first, msg: 'prepare' }),
    done: () => arrived(tour.asker, tour.first, 'prepare'),
  },
  {
    text: () =>
      `<p><b>${tour.first}</b> had promised nothing, so it <b>promises</b> the ballot (phase 1b): its statechart shows <code>prepare [grantsVote]</code>, an all-state handler, taking it to <code>acknowledged</code>. It wrote the promise to disk first, and only then let the reply go.</p>
       <p>Deliver <b>${tour.first}</b>'s <b>promise</b> to ${tour.asker}.</p>`,
    target: () => ({ from: tour.first, to: tour.asker, msg: 'promise' }),
    done: () => arrived(tour.first, tour.asker, 'promise'),
  },
  {
    text: () =>
      `<p>${tour.asker} now holds promises from <b>a majority</b>: itself and ${tour.first}, 2 of 3. It moved to <code>proposing</code> (<code>always [hasPromiseQuorum]</code>). Neither promise reported an accepted value, so rule P2c leaves it free to propose <b>its own</b> value, "${tour.value}" (phase 2a).</p>
       <p>${tour.second} has not answered (its prepare still waits), and it need not: a majority is enough. Deliver the <b>propose</b> to <b>${tour.first}</b>.</p>`,
    target: () => ({ from: tour.asker, to: tour.first, msg: 'propose' }),
    done: () => arrived(tour.asker, tour.first, 'propose'),
  },
  {
    text: () =>
      `<p>The proposal's ballot is at least the one ${tour.first} promised, so it <b>accepts</b> "${tour.value}", writes the acceptance to disk, and <b>acknowledges</b> it (phase 2b).</p>
       <p>Deliver the <b>acknowledge</b> to ${tour.asker}.</p>`,
    target: () => ({ from: tour.first, to: tour.asker, msg: 'acknowledge' }),
    done: () => arrived(tour.first, tour.asker, 'acknowledge'),
  },
  {
    text: () =>
      `<p>A majority accepted "${tour.value}" in the same ballot: <b>the value is chosen</b>, and no other value can ever be (<code>always [hasAckQuorum]</code>). ${tour.asker} is <code>decided</code> and tells the others with <b>decide</b> messages.</p>
       <p>Press <b>deliver all</b> (maybe twice) until every node knows. ${tour.second} now gets its prepare, the propose and the decide, in that order: it votes late, then learns the value; its votes no longer matter.</p>`,
    done: decidedEverywhere,
  },
  {
    text: () =>
      `<p><b>Decided on every node.</b> Two round trips, and a disk write before every reply that depends on it. The story below lists each step with why it happened; the statecharts show the path each node's machine took.</p>
       <p>Try next: a <b>duel</b> — ask ${tour.first} and ${tour.second} for the same new key with delivery by hand on, and deliver their prepares in different orders; or turn delivery by hand off and watch at a slow speed.</p>`,
    done: () => true,
    action: 'finish',
  },
];

/** Puts the tour over the keys grid: the story, statecharts and In flight list stay in view. */
function place() {
  const grid = $('grid-panel').getBoundingClientRect();
  const card = $('tour');
  const width = card.getBoundingClientRect().width;
  card.style.top = `${Math.max(8, grid.top + 28)}px`;
  card.style.left = `${Math.max(8, grid.left + (grid.width - width) / 2)}px`;
  card.style.right = 'auto';
}

function render() {
  if (tour === null) return;
  place();
  const step = STEPS[tour.step];
  $('tour').dataset.step = String(tour.step);
  $('tour-step').textContent = `guided tour · step ${tour.step + 1} of ${STEPS.length}`;
  const html = step.text();
  if ($('tour-text').dataset.html !== html) {
    $('tour-text').innerHTML = html;
    $('tour-text').dataset.html = html;
  }
  const done = step.done();
  const next = $('tour-next');
  next.textContent = step.action === 'start' ? 'start' : step.action === 'finish' ? 'finish' : 'next ▶';
  next.disabled = step.action === 'start' ? tour.starting || view.model.nodes.length !== 3 : !done;
  $('tour-wait').textContent = tour.starting
    ? 'getting the cluster ready…'
    : step.action
      ? ''
      : done
        ? '✓ done'
        : 'waiting for you…';
  for (const row of document.querySelectorAll('#inflight tr.tour-target'))
    row.classList.remove('tour-target');
  const target = step.target?.();
  if (target && !done) {
    const selector = `#inflight tr[data-held="true"][data-type="${target.msg}"][data-from="${esc(target.from)}"][data-to="${esc(target.to)}"][data-key="${esc(tour.key)}"]`;
    document.querySelector(selector)?.classList.add('tour-target');
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (a while at most) until `condition()` holds. */
async function until(condition, ms) {
  for (let waited = 0; waited < ms && !condition(); waited += 200) await sleep(200);
  return condition();
}

/** Readies the cluster (teaching mode, no asks of its own, quiet), holds messages, asks. */
async function start() {
  tour.starting = true;
  render();
  if (!controlState()?.teach) await post({ action: 'teach', on: true });
  await until(() => view.model.nodes.length > 0 && view.model.nodes.every((n) => n.up), 15_000);
  await post({ action: 'autoask', on: false });
  if (controlState()?.hold) await post({ action: 'hold', on: false });
  // Let the demo's last key finish, so that only the tour's messages wait for the learner.
  await until(() => view.model.activeKeys.length === 0, 15_000);
  await post({ action: 'hold', on: true });
  const ids = view.model.nodes.filter((n) => n.up).map((n) => n.id);
  [tour.asker, tour.first, tour.second] = ids;
  tour.value = colourOf(tour.asker);
  const key = freshKey('colour');
  const result = await post({ action: 'ask', node: tour.asker, key, value: tour.value });
  if (result.ok) {
    tour.key = key;
    view.selectedKey = key;
    view.dirty = true;
    // The ask reaches the node, then its first transition reaches the page: the first step tells it.
    await until(() => view.model.stateOf(key, tour.asker) !== 'nil', 10_000);
  }
  tour.starting = false;
  render();
}

async function finish() {
  const state = controlState();
  if (state?.hold) await post({ action: 'hold', on: false });
  await post({ action: 'autoask', on: true });
  close();
}

function close() {
  tour = null;
  $('tour').hidden = true;
  for (const row of document.querySelectorAll('#inflight tr.tour-target'))
    row.classList.remove('tour-target');
}

export function setupTour(page) {
  view = page;
  $('tour-start').addEventListener('click', () => {
    tour = { step: 0, key: null, asker: null, first: null, second: null, value: null, starting: false };
    $('tour').hidden = false;
    render();
  });
  $('tour-close').addEventListener('click', close);
  $('tour-next').addEventListener('click', async () => {
    if (tour === null) return;
    const step = STEPS[tour.step];
    if (step.action === 'start') {
      await start();
      if (tour?.key) tour.step++;
    } else if (step.action === 'finish') await finish();
    else tour.step++;
    render();
  });
}

/** Called on every render of the page. */
export function renderTour() {
  render();
}
