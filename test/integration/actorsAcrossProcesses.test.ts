// The actor runtime across two real processes on loopback: this test's process runs node a
// (startNetworkNode), a child runs node b (test/fixtures/actorNodeChild.ts) with the code lock and a
// counter registered. Over the cluster's authenticated WebSocket links: nodeup after the handshake,
// remote cast and call to named actors (reply, timeout, late reply dropped), remote monitors
// (`down` on a normal stop and `noconnection`), and nodedown within the heartbeat bound after
// kill -9 and after SIGSTOP (a peer that stops answering without closing its sockets).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/cli/freePorts.js';
import type { NodeEvent } from '../../src/runtime/distribution/distribution.js';
import type { DownEvent } from '../../src/runtime/monitors.js';
import { startNetworkNode, type NetworkNode } from '../../src/server/networkNode.js';

const CHILD = join(import.meta.dirname, '..', 'fixtures', 'actorNodeChild.ts');
const CLUSTER = 'actors';
const SECRET = 'actors-secret-0123456789';
const HEARTBEAT = { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 1000 };
/**
 * The latest a dead peer is declared down. A link is dropped at the first heartbeat check (every
 * interval) that finds nothing heard for longer than the timeout; the last pong heard was at most
 * one interval old when the peer died. So: timeout + 2 intervals, plus an allowance for a busy
 * event loop on a loaded test machine.
 */
const NODEDOWN_BOUND_MS = HEARTBEAT.heartbeatTimeoutMs + 2 * HEARTBEAT.heartbeatIntervalMs;
const SCHEDULING_ALLOWANCE_MS = 1000;

interface Child {
  readonly process: ChildProcess;
  readonly lines: Array<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: string;
}

interface Pair {
  readonly a: NetworkNode;
  readonly b: Child;
  /** a's view of b, recorded with performance.now(). */
  readonly bEvents: Array<NodeEvent & { atMs: number }>;
}

const children: Child[] = [];
const nodes: NetworkNode[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await child.exited;
  }
  for (const node of nodes.splice(0)) await node.stop();
});

function spawnChild(options: Record<string, unknown>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = {
    process: proc,
    lines: [],
    stderr: '',
    exited: new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal }))),
  };
  proc.stderr?.on('data', (chunk: Buffer) => (child.stderr += chunk.toString()));
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    child.lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  children.push(child);
  return child;
}

/** Polls `condition` every 5 ms; fails after `timeoutMs` (generous: a child starts tsx first). */
async function waitFor(condition: () => boolean, what: string, child?: Child, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline)
      throw new Error(`timed out waiting for ${what}${child ? `\nchild stderr:\n${child.stderr}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function saw(child: Child, line: Record<string, unknown>): boolean {
  return child.lines.some((seen) => Object.entries(line).every(([key, value]) => seen[key] === value));
}

/** Node a here, node b in a child; resolves once each reports the other up. */
async function startPair(): Promise<Pair> {
  const [portA, portB] = (await freePorts(2)) as [number, number];
  const urlA = `ws://127.0.0.1:${portA}`;
  const urlB = `ws://127.0.0.1:${portB}`;
  const a = await startNetworkNode({
    id: 'a',
    cluster: CLUSTER,
    secret: SECRET,
    listen: { host: '127.0.0.1', port: portA },
    peers: { b: urlB },
    wire: { ...HEARTBEAT, reconnectBaseMs: 20, reconnectMaxMs: 200 },
  });
  nodes.push(a);
  const bEvents: Pair['bEvents'] = [];
  a.actorNode.monitorNode('b', (event) => bEvents.push({ ...event, atMs: performance.now() }));
  expect(bEvents.map((e) => e.type)).toEqual(['nodedown']); // not connected yet: at once, as in OTP
  const b = spawnChild({
    id: 'b',
    port: portB,
    peers: { a: urlA },
    cluster: CLUSTER,
    secret: SECRET,
    ...HEARTBEAT,
  });
  await waitFor(
    () => a.actorNode.nodes().includes('b') && saw(b, { event: 'nodeup', node: 'a' }),
    'nodeup',
    b,
  );
  expect(bEvents.map((e) => e.type)).toEqual(['nodedown', 'nodeup']);
  return { a, b, bEvents };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Blocks this process's event loop: what a long garbage collection or a busy CPU does. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const lock = { name: 'code_lock', node: 'b' };
const counter = { name: 'counter', node: 'b' };

describe('named actors across two processes', () => {
  it('cast and call reach named actors; timeouts and late replies keep the local semantics', async () => {
    const { a, b } = await startPair();
    const actors = a.actorNode;

    // Remote cast: the right code opens the door in the other process.
    for (const digit of [1, 2, 3])
      expect(actors.genFsm.sendEvent(lock, { type: 'button', digit })).toBe(true);
    await waitFor(() => saw(b, { event: 'door', what: 'unlocked' }), 'the door to open', b);

    // Remote call.
    actors.genFsm.sendEvent(counter, { type: 'inc' });
    await expect(actors.genFsm.syncSendEvent<number>(counter, { type: 'get' })).resolves.toBe(1);
    expect(await codeOf(actors.genFsm.syncSendEvent({ name: 'nobody', node: 'b' }, { type: 'get' }))).toBe(
      'GENFSM_ERR_NOPROC',
    );

    // No reply within the timeout: GENFSM_ERR_TIMEOUT, after the timeout and not before.
    const startedMs = performance.now();
    expect(await codeOf(actors.genFsm.syncSendEvent(counter, { type: 'hold' }, { timeoutMs: 200 }))).toBe(
      'GENFSM_ERR_TIMEOUT',
    );
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(199);

    // A reply that crosses the wire after the caller gave up is dropped. The call leaves in this
    // tick's flush; the loop is then blocked while b answers at once, so when it resumes the expired
    // timer runs before the socket is read: the reply arrives for a call that no longer waits. (The
    // block stays well inside the heartbeat timeout, or either side would drop the link.)
    const stats = a.transport.wireStats;
    let receivedAtTimeout = -1;
    const late = actors.genFsm
      .syncSendEvent<number>(counter, { type: 'get' }, { timeoutMs: 50 })
      .catch((error: unknown) => {
        receivedAtTimeout = stats.runtimeItemsReceived;
        throw error;
      });
    setImmediate(() => blockEventLoop(HEARTBEAT.heartbeatTimeoutMs / 4));
    expect(await codeOf(late)).toBe('GENFSM_ERR_TIMEOUT');
    await waitFor(() => stats.runtimeItemsReceived > receivedAtTimeout, 'the late reply to arrive');
    // It settled nothing: the next call gets its own answer.
    actors.genFsm.sendEvent(counter, { type: 'inc' });
    await expect(actors.genFsm.syncSendEvent<number>(counter, { type: 'get' })).resolves.toBe(2);

    // A remote monitor sees the lock stop normally (code_lock:stop/0 from the other node).
    const downs: DownEvent[] = [];
    actors.monitor(lock, (down) => downs.push(down));
    actors.genFsm.sendAllStateEvent(lock, { type: 'stop' });
    await waitFor(() => downs.length === 1, 'down');
    expect(downs[0]).toMatchObject({ type: 'down', target: lock, reason: 'normal' });
    expect(stats.errors).toEqual({}); // nothing either side sent was refused

    // b stops cleanly: a sees it go down.
    b.process.kill('SIGTERM');
    expect(await b.exited).toEqual({ code: 0, signal: null });
    await waitFor(() => !actors.nodes().includes('b'), 'nodedown after b stopped');
  });

  it('kill -9: nodedown within the heartbeat bound, calls in flight fail, monitors fire noconnection', async () => {
    const { a, b, bEvents } = await startPair();
    const actors = a.actorNode;
    const downs: DownEvent[] = [];
    actors.monitor(counter, (down) => downs.push(down));
    const held = codeOf(actors.genFsm.syncSendEvent(counter, { type: 'hold' }, { timeoutMs: 60_000 }));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the call and the monitor are on b

    const killedMs = performance.now();
    b.process.kill('SIGKILL');
    await waitFor(() => bEvents.length === 3, 'nodedown');
    const latencyMs = (bEvents[2]?.atMs ?? Number.NaN) - killedMs;
    console.log(
      `nodedown ${latencyMs.toFixed(1)} ms after kill -9 (heartbeat ${HEARTBEAT.heartbeatIntervalMs} ms, timeout ${HEARTBEAT.heartbeatTimeoutMs} ms, bound ${NODEDOWN_BOUND_MS} ms)`,
    );
    expect(bEvents[2]?.type).toBe('nodedown');
    expect(latencyMs).toBeLessThanOrEqual(NODEDOWN_BOUND_MS + SCHEDULING_ALLOWANCE_MS);
    expect(await held).toBe('GENFSM_ERR_NODEDOWN');
    expect(downs.map((down) => down.reason)).toEqual(['noconnection']);
    // While it is down, b is unreachable at once.
    expect(actors.genFsm.sendEvent(counter, { type: 'inc' })).toBe(false);
    expect(await codeOf(actors.genFsm.syncSendEvent(counter, { type: 'get' }))).toBe('GENFSM_ERR_NODEDOWN');
  });

  it('a frozen peer (SIGSTOP) is declared down by the heartbeat, within its bound', async () => {
    const { b, bEvents } = await startPair();
    const stoppedMs = performance.now();
    b.process.kill('SIGSTOP'); // its sockets stay open: only missing pongs tell
    await waitFor(() => bEvents.length === 3, 'nodedown');
    const latencyMs = (bEvents[2]?.atMs ?? Number.NaN) - stoppedMs;
    console.log(
      `nodedown ${latencyMs.toFixed(1)} ms after SIGSTOP (heartbeat ${HEARTBEAT.heartbeatIntervalMs} ms, timeout ${HEARTBEAT.heartbeatTimeoutMs} ms, bound ${NODEDOWN_BOUND_MS} ms)`,
    );
    // Not before the timeout could have expired (so it was the heartbeat), not after the bound.
    expect(latencyMs).toBeGreaterThanOrEqual(HEARTBEAT.heartbeatTimeoutMs - HEARTBEAT.heartbeatIntervalMs);
    expect(latencyMs).toBeLessThanOrEqual(NODEDOWN_BOUND_MS + SCHEDULING_ALLOWANCE_MS);
  });
});
