// The page server: serves the page and the compiled model and nothing else, only to requests
// that name it as Host and Origin; the controls only take JSON requests it validates; the feed
// starts a page with the aggregated model.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_STATES, instanceMachine } from '../../src/paxos/instanceMachine.js';
import { machineGraph, type MachineGraph } from '../../src/inspect/machineGraph.js';
import { WebSocket } from 'ws';
import { ClusterFeed } from '../../src/inspect/view/clusterFeed.js';
import type { ControlRequest } from '../../src/inspect/view/viewControls.js';
import { startViewServer, type ViewServer } from '../../src/inspect/view/viewServer.js';
import { decided, snapshot } from './modelEvents.js';

let server: ViewServer;
const feed = new ClusterFeed({ feeds: { a: 'ws://127.0.0.1:1', b: 'ws://127.0.0.1:1' } });
const asked: ControlRequest[] = [];

const STATE = { teach: false, hold: false, autoAsk: true, dropRate: 0, delayMs: 0, jitterMs: 0 };

beforeAll(async () => {
  feed.publish(snapshot(1, 'a', ['a', 'b']));
  feed.publish(decided(2, 'a', 'colour', '"red"'));
  server = await startViewServer({
    feed,
    controls: {
      nodes: ['a', 'b'],
      state: () => STATE,
      run: async (r) => {
        asked.push(r);
        if (r.action === 'restart') throw new Error('a is already running');
        return `did ${r.action}`;
      },
    },
  });
});

afterAll(async () => {
  await server.close();
  await feed.close();
});

/** A raw HTTP request, so Host and Origin can be anything. */
function call(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += String(chunk)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (body: unknown, origin = server.url.slice(0, -1), token = server.token) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', origin, 'x-view-token': token },
  body: JSON.stringify(body),
});

describe('the view server', () => {
  it('serves the page, its scripts and the compiled model, with a CSP that allows nothing from elsewhere', async () => {
    const page = await call('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/app.js">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await call('/app.js')).headers['content-type']).toContain('text/javascript');
    const model = await call('/model/clusterModel.js');
    expect(model.status).toBe(200);
    expect(model.body).toContain('class ClusterModel');
    expect(JSON.parse((await call('/config.json')).body)).toEqual({
      mode: 'live',
      nodes: ['a', 'b'],
      controls: true,
      state: STATE,
      recording: null,
    });
  });

  it('serves the instance machine as a graph drawn from its definition', async () => {
    const graph = JSON.parse((await call('/machine.json')).body) as MachineGraph;
    expect(graph).toEqual(machineGraph(instanceMachine));
    expect(graph.states).toEqual(INSTANCE_STATES);
    expect(graph.transitions).toContainEqual({
      source: 'preparing',
      target: 'proposing',
      event: 'always',
      guard: 'hasPromiseQuorum',
      actions: ['startProposal'],
    });
  });

  it('serves nothing outside its two directories', async () => {
    for (const path of [
      '/../package.json',
      '/model/../../../package.json',
      '/model/%2e%2e/x.js',
      '/src/cli/main.ts',
      '/nope.js',
    ])
      expect((await call(path)).status, path).toBe(404);
  });

  it('refuses requests naming another host or origin (DNS rebinding, other sites)', async () => {
    expect((await call('/', { headers: { host: 'evil.example:80' } })).status).toBe(403);
    expect((await call('/api/control', json({ action: 'heal' }, 'http://evil.example'))).status).toBe(403);
    expect(
      (await call('/api/control', { ...json({ action: 'heal' }), headers: { 'content-type': 'text/plain' } }))
        .status,
    ).toBe(403);
    // Right host and origin, but not the page's token: another local process, say.
    expect((await call('/api/control', json({ action: 'heal' }, undefined, 'guess'))).status).toBe(403);
    expect(asked).toEqual([]);
  });

  it('validates control requests and passes good ones to the demo', async () => {
    const ok = await call('/api/control', json({ action: 'crash', node: 'b' }));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: true, message: 'did crash', state: STATE });
    expect(asked).toEqual([{ action: 'crash', node: 'b' }]);
    const refused = await call('/api/control', json({ action: 'restart', node: 'a' }));
    expect([refused.status, JSON.parse(refused.body)]).toEqual([
      409,
      { ok: false, error: 'a is already running', state: STATE },
    ]);
    for (const good of [
      { action: 'teach', on: true },
      { action: 'hold', on: false },
      { action: 'release', node: 'a', id: 3, how: 'duplicate' },
      { action: 'release-all' },
      { action: 'ask', node: 'b', key: 'colour-1', value: 'red' },
      { action: 'autoask', on: false },
      { action: 'network', dropRate: 0, delayMs: 400, jitterMs: 40 },
    ]) {
      expect((await call('/api/control', json(good))).status, JSON.stringify(good)).toBe(200);
      expect(asked.at(-1)).toEqual(good);
    }
    for (const bad of [
      { action: 'crash', node: 'zz' },
      { action: 'network', dropRate: 2, delayMs: 0 },
      { action: 'network', dropRate: 0, delayMs: 0, jitterMs: -1 },
      { action: 'teach', on: 'yes' },
      { action: 'release', node: 'a', id: 3, how: 'explode' },
      { action: 'release', node: 'a', id: -1, how: 'drop' },
      { action: 'ask', node: 'a', key: 'no spaces', value: 'red' },
      { action: 'ask', node: 'a', key: 'k', value: '' },
      { action: 'explode' },
    ]) {
      expect((await call('/api/control', json(bad))).status, JSON.stringify(bad)).toBe(400);
    }
    expect(asked).toHaveLength(9);
  });

  it('starts a page with the model so far, then streams events', async () => {
    expect(server.openUrl).toBe(`${server.url}?token=${server.token}`);
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}feed?token=${server.token}`, {
      origin: server.url.slice(0, -1),
    });
    const frames: { type: string; data?: { applied: number }; events?: unknown[] }[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    await expect.poll(() => frames.length).toBe(1);
    expect(frames[0]).toMatchObject({ type: 'model', data: { applied: 2 } });
    feed.publish(decided(3, 'b', 'colour', '"red"'));
    await expect.poll(() => frames.length).toBe(2);
    expect(frames[1]).toEqual({ type: 'events', events: [decided(3, 'b', 'colour', '"red"')] });
    socket.close();

    const refusedFor = (url: string, origin: string) => {
      const foreign = new WebSocket(url, { origin });
      return new Promise((resolve) => {
        foreign.once('error', () => resolve(true));
        foreign.once('open', () => resolve(false));
      });
    };
    const feedUrl = `${server.url.replace('http', 'ws')}feed`;
    expect(await refusedFor(`${feedUrl}?token=${server.token}`, 'http://evil.example')).toBe(true);
    expect(await refusedFor(feedUrl, server.url.slice(0, -1))).toBe(true);
    expect(await refusedFor(`${feedUrl}?token=guess`, server.url.slice(0, -1))).toBe(true);
  });
});
