// The demo's controls: the buttons on the node cards, heal, loss / delay on every link, and the
// deliver / drop / duplicate buttons of held messages. Each becomes a POST to /api/control (with
// the page's token); the demo carries it out, the result shows in the header, and its answer
// carries the demo's switches (teaching mode, delivery by hand…) for the page to show. What a
// control changes in the cluster shows up through the feed like everything else.
/* global document, fetch, setTimeout, location, URLSearchParams */

/** The token the page was opened with (`?token=`): the server wants it for the feed and controls. */
export function pageToken() {
  return new URLSearchParams(location.search).get('token') ?? '';
}

let onState = () => {};

/** Sends `request`; resolves with the demo's answer (`{ ok, message | error, state }`). */
export async function post(request) {
  const toast = document.getElementById('toast');
  toast.textContent = `${request.action}${request.node ? ` ${request.node}` : ''}…`;
  let result;
  try {
    const response = await fetch('/api/control', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-view-token': pageToken() },
      body: JSON.stringify(request),
    });
    result = await response.json();
    toast.textContent = result.ok ? result.message : `refused: ${result.error}`;
    if (result.state) onState(result.state);
  } catch (error) {
    result = { ok: false, error: error.message };
    toast.textContent = `failed: ${error.message}`;
  }
  setTimeout(() => {
    if (toast.textContent === (result.ok ? result.message : `refused: ${result.error}`))
      toast.textContent = '';
  }, 6000);
  return result;
}

/** Wires the controls; `stateChanged` gets the demo's switches after every control. */
export function setupControls(view, stateChanged) {
  onState = stateChanged;
  document.getElementById('network-controls').hidden = false;
  document.body.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-action]');
    if (!button || button.disabled) return;
    const { action, node, id, how } = button.dataset;
    if (action === 'release') post({ action, node, id: Number(id), how });
    else post(node ? { action, node } : { action });
  });
  const network = () =>
    post({
      action: 'network',
      dropRate: Number(document.getElementById('drop').value),
      delayMs: Number(document.getElementById('delay').value),
    });
  document.getElementById('drop').addEventListener('change', network);
  document.getElementById('delay').addEventListener('change', network);
}
