// The demo's controls: the buttons on the node cards, heal, and loss / delay on every link.
// Each becomes a POST to /api/control; the demo carries it out and the result shows in the
// header. What it changes shows up through the feed like everything else.
/* global document, fetch, setTimeout, location, URLSearchParams */

/** The token the page was opened with (`?token=`): the server wants it for the feed and controls. */
export function pageToken() {
  return new URLSearchParams(location.search).get('token') ?? '';
}

async function post(request) {
  const toast = document.getElementById('toast');
  toast.textContent = `${request.action}${request.node ? ` ${request.node}` : ''}…`;
  try {
    const response = await fetch('/api/control', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-view-token': pageToken() },
      body: JSON.stringify(request),
    });
    const result = await response.json();
    toast.textContent = result.ok ? result.message : `refused: ${result.error}`;
  } catch (error) {
    toast.textContent = `failed: ${error.message}`;
  }
  setTimeout(() => (toast.textContent = ''), 6000);
}

export function setupControls() {
  document.getElementById('network-controls').hidden = false;
  document.body.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-action]');
    if (!button || button.disabled) return;
    const { action, node } = button.dataset;
    post(node ? { action, node } : { action });
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
