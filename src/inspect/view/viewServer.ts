// The page server of the live cluster view, on 127.0.0.1: the page's files (no CDN, nothing
// from the internet), `/machine.json` (the Paxos instance machine's definition as a graph, for
// the page's statecharts), `/feed` (a WebSocket streaming the aggregated events to the page through
// a bounded buffer, resynchronised with a model snapshot when it falls behind), `/api/control`
// (the demo's controls) and, for a replay, `/recording.jsonl`. Requests must name this server
// as their Host and Origin, so another web page open in the same browser cannot drive the demo
// or read the feed (DNS rebinding, cross-site requests); the feed and the controls also want the
// page's token (`openUrl` carries it; the page passes it on), so another local process cannot
// either. The feed takes no messages (small maxPayload) and a bounded number of pages.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { instanceMachine } from '../../paxos/instanceMachine.js';
import { machineGraph } from '../machineGraph.js';
import { assetFor } from './assets.js';
import type { ClusterFeed } from './clusterFeed.js';
import { pumpToSocket } from './socketPump.js';
import { sameText } from '../feedServer.js';
import { parseControlRequest, type ViewControls } from './viewControls.js';

export interface ViewServerOptions {
  /** Default 0: a free port. Always bound to 127.0.0.1: the view shows decided values. */
  readonly port?: number;
  /** Live mode: the aggregated feed. */
  readonly feed?: ClusterFeed;
  /** Live mode with controls (the demo). */
  readonly controls?: ViewControls;
  /** Replay mode: a recording (JSON lines) and the name to show for it. */
  readonly recording?: { readonly name: string; readonly text: string };
  readonly maxSocketBufferBytes?: number;
}

export interface ViewServer {
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** What a person opens: `url` with the page's token (`?token=…`). */
  readonly openUrl: string;
  readonly token: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** The machine every instance runs, drawn by the page: computed once. */
let machineJson: string | null = null;
const MAX_CONTROL_BYTES = 4096;
/** Pages following the feed at once. */
const MAX_PAGES = 16;

export async function startViewServer(options: ViewServerOptions): Promise<ViewServer> {
  let origins: string[] = [];
  const trusted = (request: IncomingMessage): boolean => {
    const origin = request.headers.origin;
    return (
      origins.some((o) => o === `http://${request.headers.host}`) &&
      (origin === undefined || origins.includes(origin))
    );
  };
  const token = randomBytes(16).toString('hex');
  const hasToken = (given: string | null | undefined): boolean => sameText(given ?? '', token);
  const server = createServer(
    { headersTimeout: 2000, requestTimeout: 10_000, connectionsCheckingInterval: 250 },
    (request, response) => {
      handle(request, response).catch(() => send(response, 500, 'text/plain', 'internal error'));
    },
  );
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://view');
    if (
      !options.feed ||
      url.pathname !== '/feed' ||
      !trusted(request) ||
      !hasToken(url.searchParams.get('token')) ||
      sockets.clients.size >= MAX_PAGES
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const feed = options.feed;
    sockets.handleUpgrade(request, socket, head, (ws) => {
      ws.on('message', () => ws.close(1008, 'the feed is read-only'));
      pumpToSocket(ws, feed.hub, {
        resync: () => JSON.stringify({ type: 'model', data: feed.model.toData() }),
        encode: (events) => JSON.stringify({ type: 'events', events }),
        ...(options.maxSocketBufferBytes !== undefined
          ? { maxSocketBufferBytes: options.maxSocketBufferBytes }
          : {}),
      });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!trusted(request)) return send(response, 403, 'text/plain', 'forbidden');
    const path = (request.url ?? '/').split('?')[0] as string;
    if (request.method === 'POST' && path === '/api/control') return control(request, response);
    if (request.method !== 'GET') return send(response, 405, 'text/plain', 'method not allowed');
    if (path === '/config.json') {
      const config = {
        mode: options.feed ? 'live' : 'replay',
        nodes: options.feed?.nodes ?? [],
        controls: options.controls !== undefined,
        state: options.controls?.state() ?? null,
        recording: options.recording?.name ?? null,
      };
      return send(response, 200, 'application/json', JSON.stringify(config));
    }
    if (path === '/favicon.ico') return send(response, 204, 'image/x-icon', '');
    if (path === '/machine.json') {
      machineJson ??= JSON.stringify(machineGraph(instanceMachine));
      return send(response, 200, 'application/json', machineJson);
    }
    if (path === '/recording.jsonl' && options.recording)
      return send(response, 200, 'application/x-ndjson', options.recording.text);
    const asset = assetFor(path);
    if (!asset) return send(response, 404, 'text/plain', 'not found');
    return send(response, 200, asset.type, await readFile(asset.file));
  }

  async function control(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // A JSON content type makes a cross-site form post impossible without a CORS preflight.
    if (
      !options.controls ||
      !String(request.headers['content-type']).startsWith('application/json') ||
      !hasToken(request.headers['x-view-token'] as string | undefined)
    )
      return send(response, 403, 'application/json', JSON.stringify({ ok: false, error: 'no controls' }));
    let body = '';
    for await (const chunk of request) {
      body += String(chunk);
      if (body.length > MAX_CONTROL_BYTES) return send(response, 413, 'text/plain', 'too large');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = null;
    }
    const controlRequest = parseControlRequest(parsed, options.controls.nodes);
    if (typeof controlRequest === 'string')
      return send(response, 400, 'application/json', JSON.stringify({ ok: false, error: controlRequest }));
    try {
      const message = await options.controls.run(controlRequest);
      const state = options.controls.state();
      return send(response, 200, 'application/json', JSON.stringify({ ok: true, message, state }));
    } catch (error) {
      const message = (error as Error).message;
      const state = options.controls.state();
      return send(response, 409, 'application/json', JSON.stringify({ ok: false, error: message, state }));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  origins = [`http://${HOST}:${port}`, `http://localhost:${port}`];
  return {
    url: `http://${HOST}:${port}/`,
    openUrl: `http://${HOST}:${port}/?token=${token}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets.clients) ws.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  if (response.headersSent) return;
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Everything the page needs comes from here: no CDN, no inline script. (Inline style
    // attributes are allowed: the grid positions its rows with them.)
    'content-security-policy':
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'",
  });
  response.end(body);
}
