// The cluster view page. Live: follows the demo's aggregated feed (/feed), starting from the
// model snapshot it sends and applying events after it. Replay: a recording on a timeline
// (pause, step, scrub). A selected key opens its story (a sequence chart) and each node's
// statechart. With the demo's controls: faults, and teaching mode with its guided tour.
// Plain ES modules, no framework: the model is the same compiled TypeScript the demo runs
// (served under /model/), the rest is rendering.
/* global document, window, location, WebSocket, fetch, setInterval, setTimeout */
import { ClusterModel } from '/model/clusterModel.js';
import { parseRecording } from '/model/recording.js';
import { Timeline } from '/model/timeline.js';
import { installArrowMarkers } from './common.js';
import { pageToken, setupControls } from './controls.js';
import { renderGrid, setupGrid } from './grid.js';
import { renderPanels, setupPanels } from './panels.js';
import { setupReplay } from './replay.js';
import { renderRing, setupRing } from './ring.js';
import { renderStatecharts, setupStatecharts } from './statechart.js';
import { renderStory, resetStory, setupStory } from './story.js';
import { applyState, renderTeach, setupTeach } from './teach.js';
import { renderTour, setupTour } from './tour.js';

/** Everything the renderers read. `model` is replaced on resync and when a replay seeks back. */
const view = {
  model: new ClusterModel(),
  mode: 'connecting',
  controls: false,
  selectedKey: null,
  dirty: true,
  socket: null,
  /** Live only: the page is frozen while the model keeps following the feed. */
  paused: false,
};
window.genPaxosView = view; // for a person poking at it in the console

const invalidate = () => (view.dirty = true);
let shownKey = null;

// Events may arrive thousands a second: render at most about eight times a second.
setInterval(() => {
  if (!view.dirty || view.paused) return;
  view.dirty = false;
  if (view.selectedKey !== shownKey) {
    shownKey = view.selectedKey;
    resetStory();
  }
  renderRing(view);
  renderPanels(view);
  renderGrid(view);
  renderStory(view);
  renderStatecharts(view);
  renderTeach();
  renderTour();
}, 120);

function setMode(mode, text) {
  view.mode = mode;
  const el = document.getElementById('mode');
  el.textContent = text;
  el.className = `mode ${mode}`;
  invalidate();
}

function connectLive() {
  const socket = new WebSocket(`ws://${location.host}/feed?token=${encodeURIComponent(pageToken())}`);
  view.socket = socket;
  socket.onopen = () => {
    setMode('live', view.paused ? 'PAUSED' : 'LIVE');
    document.getElementById('live-pause').hidden = false;
  };
  socket.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === 'model') view.model = ClusterModel.fromData(frame.data);
    else if (frame.type === 'events') for (const event of frame.events) view.model.apply(event);
    invalidate();
  };
  socket.onclose = () => {
    if (view.socket !== socket) return;
    setMode('live', 'disconnected — retrying');
    setTimeout(connectLive, 1000);
  };
}

/** Pause freezes what the page shows, not the feed: on resume it shows the cluster as it is now. */
function setupLivePause() {
  const button = document.getElementById('live-pause');
  button.addEventListener('click', () => {
    view.paused = !view.paused;
    button.textContent = view.paused ? '▶ resume' : '❚❚ pause';
    // Shown at once, while rendering is frozen.
    const mode = document.getElementById('mode');
    mode.textContent = view.paused ? 'PAUSED' : 'LIVE';
    mode.className = `mode ${view.paused ? 'paused' : 'live'}`;
    invalidate();
  });
}

function replay(text, name) {
  view.paused = false;
  document.getElementById('live-pause').hidden = true;
  const previous = view.socket;
  view.socket = null;
  previous?.close();
  const { events, header, skipped } = parseRecording(text);
  const timeline = new Timeline(events);
  view.model = timeline.model;
  view.controls = false;
  document.getElementById('network-controls').hidden = true;
  const source = header ? header.source : 'recording';
  setMode('replay', `REPLAY ${name} · ${source}${skipped ? ` · ${skipped} bad lines skipped` : ''}`);
  setupReplay(timeline, (model) => {
    view.model = model;
    invalidate();
  });
}

async function boot() {
  installArrowMarkers();
  setupRing();
  setupGrid(view, invalidate);
  setupPanels(view, invalidate);
  setupStory(view, invalidate);
  setupLivePause();
  await setupStatecharts();
  document.getElementById('open-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (file) replay(await file.text(), file.name);
  });
  const config = await (await fetch('/config.json')).json();
  if (config.mode === 'replay') {
    replay(await (await fetch('/recording.jsonl')).text(), config.recording);
    return;
  }
  view.controls = config.controls;
  if (config.controls) {
    setupControls(view, (state) => {
      applyState(state);
      invalidate();
    });
    setupTeach(view, config.state);
    setupTour(view);
  }
  connectLive();
}

boot();
