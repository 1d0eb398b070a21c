// The live cluster view in headless Chromium, against a real `gen-paxos demo --ui` (three node
// processes, real sockets, real disks): the page shows the nodes, keys reach `decided`, the
// agreement badge is green, a delay set from the page puts messages in flight, crashing a node
// from the page shows it down while the others keep deciding, restarting it brings it back, and
// cutting a node off shows its links cut until healed.
// The demo's recording then replays in `gen-paxos view --replay`: stepped and scrubbed.
// Saves reports/ui-demo.png (and ui-replay.png).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN } from '../integration/cliHelpers.js';
import { recordingHeaderLine, recordingLine } from '../../src/inspect/view/model/recording.js';
import { openBrowser, type Browser } from './browser.js';
import { decided as decidedEvent, snapshot, state } from './modelEvents.js';
import { isAlive } from '../support/processes.js';

const REPORTS = join(import.meta.dirname, '..', '..', 'reports');
const WAIT = { timeout: 30_000 };
// Conditions are polled from here with page.evaluate: the page's CSP forbids the eval that
// waitForFunction(string) needs in the page.
const POLL = { timeout: 30_000, interval: 100 };
const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-ui-test-'));
const recording = join(dir, 'demo.jsonl');
const started: ChildProcess[] = [];
const nodePids: number[] = [];
/** The demo's temp directories: it removes them itself, unless a failed test had to kill it. */
const demoDirs: string[] = [];
let browser: Browser | null = null;

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
}

/** Runs the CLI until it prints its page URL (a JSON line with `url`, or "cluster view: URL"). */
function startCli(args: readonly string[]): Promise<Started> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    output.push(line);
    const pid = /^\s+n\d+\s+pid (\d+)/.exec(line);
    if (pid) nodePids.push(Number(pid[1]));
    const temp = /durable state \(LMDB in (\S+)\)/.exec(line);
    if (temp) demoDirs.push(temp[1] as string);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 30 s:\n${output.join('\n')}`)), 30_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output.push(line);
      const url = line.startsWith('{')
        ? (JSON.parse(line) as { url?: string }).url
        : /cluster view: (http:\S+)/.exec(line)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, exited });
      }
    });
    void exited.then((code) =>
      reject(new Error(`exited with ${code} before its URL:\n${output.join('\n')}`)),
    );
  });
}

async function stop(run: Started): Promise<number | null> {
  run.child.kill('SIGINT');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 20_000);
  const code = await run.exited;
  clearTimeout(timer);
  return code;
}

afterAll(async () => {
  await browser?.close();
  // Still running only if a test failed: stop it as Ctrl-C would, so it cleans up after itself.
  await Promise.all(
    started
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        return exited.finally(() => clearTimeout(timer));
      }),
  );
  // The demo stops its nodes; should it have been killed, they go too.
  for (const pid of nodePids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const path of [dir, ...demoDirs]) rmSync(path, { recursive: true, force: true });
});

/** Page-side expression: node `id`'s count of decided keys, from its card (-1: no card). */
const decided = (id: string) =>
  `Number(document.querySelector('.node-card[data-node="${id}"]')?.dataset.decided ?? -1)`;
/** Page-side statement: moves the replay slider to `index`, as a drag would. */
const scrubTo = (index: number) =>
  `(() => { const s = document.querySelector('#tl-scrub'); s.value = '${index}'; s.dispatchEvent(new Event('input')); })()`;

describe('the live cluster view in headless Chromium', () => {
  it('shows a running demo live: nodes, decisions, agreement, a crash and a restart', async () => {
    const demo = await startCli([
      'demo',
      '--ui',
      '--nodes',
      '3',
      '--rate',
      '8',
      '--duration-s',
      '300',
      '--json',
      '--record',
      recording,
    ]);
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(demo.url);

    await expect
      .poll(() => page.evaluate(`document.querySelectorAll('.node-card[data-up="true"]').length === 3`), POLL)
      .toBe(true);
    expect(await page.$$eval('#ring .node', (els) => els.map((el) => el.getAttribute('data-node')))).toEqual([
      'n1',
      'n2',
      'n3',
    ]);
    await page.waitForSelector('.cell[data-state="decided"]', WAIT);
    const allDecidedFive = ['n1', 'n2', 'n3'].map((n) => `${decided(n)} >= 5`).join(' && ');
    await expect.poll(() => page.evaluate(allDecidedFive), POLL).toBe(true);
    expect(await page.getAttribute('#badge', 'data-ok')).toBe('true');
    expect(await page.textContent('#mode')).toBe('LIVE');

    // Pause freezes the page while the feed goes on; resume shows the cluster as it is now.
    await page.click('#live-pause');
    expect(await page.textContent('#mode')).toBe('PAUSED');
    const shown = await page.textContent('#stats');
    const applied = 'window.genPaxosView.model.applied';
    const pausedAt = (await page.evaluate(applied)) as number;
    await expect.poll(() => page.evaluate(`${applied} > ${pausedAt + 20}`), POLL).toBe(true);
    expect(await page.textContent('#stats')).toBe(shown);
    await page.click('#live-pause');
    expect(await page.textContent('#mode')).toBe('LIVE');
    await expect.poll(() => page.textContent('#stats'), POLL).not.toBe(shown);

    // A delay on every link, set from the page: messages are now seen in flight, with ballots.
    await page.selectOption('#delay', '300');
    await page.waitForSelector('#inflight .tag', WAIT);
    expect(await page.textContent('#inflight')).toMatch(
      /(forward|prepare|promise|propose|acknowledge|decide)/,
    );

    // Crash n3 from the page: it shows down, and the other two keep deciding.
    await page.click('.node-card[data-node="n3"] button[data-action="crash"]');
    await page.waitForSelector('.node-card[data-node="n3"][data-up="false"]', WAIT);
    await page.waitForSelector('#ring .node.down[data-node="n3"]', WAIT);
    const n1 = (await page.evaluate(decided('n1'))) as number;
    const n2 = (await page.evaluate(decided('n2'))) as number;
    await expect
      .poll(() => page.evaluate(`${decided('n1')} >= ${n1 + 3} && ${decided('n2')} >= ${n2 + 3}`), POLL)
      .toBe(true);
    expect(await page.getAttribute('#badge', 'data-ok')).toBe('true');
    mkdirSync(REPORTS, { recursive: true });
    await page.screenshot({ path: join(REPORTS, 'ui-demo.png') });

    // Restart it from the page: it comes back on its data directory and learns new decisions.
    await page.click('.node-card[data-node="n3"] button[data-action="restart"]');
    await page.waitForSelector('.node-card[data-node="n3"][data-up="true"]', WAIT);
    const n3 = (await page.evaluate(decided('n3'))) as number;
    await expect.poll(() => page.evaluate(`${decided('n3')} > ${n3}`), POLL).toBe(true);
    expect(await page.getAttribute('#badge', 'data-ok')).toBe('true');

    // Cut n1 off from its peers, then heal: its links show cut, then up again.
    await page.click('.node-card[data-node="n1"] button[data-action="isolate"]');
    await page.waitForSelector('.node-card[data-node="n1"] .chip[data-peer="n2"][data-link="blocked"]', WAIT);
    await page.waitForSelector('#ring .link.blocked', WAIT);
    await page.click('button[data-action="heal"]');
    await page.waitForSelector('.node-card[data-node="n1"] .chip[data-peer="n2"][data-link="up"]', WAIT);
    // Heal reaches every node; the ring redraws as each reports, so wait for the last of them.
    await expect.poll(() => page.locator('#ring .link.blocked').count(), POLL).toBe(0);
    expect(browser.errors).toEqual([]);

    await page.goto('about:blank'); // before the demo stops: a live page would retry its feed
    expect(await stop(demo)).toBe(0);
    for (const pid of nodePids) expect(isAlive(pid), `node process ${pid}`).toBe(false);
  });

  it('replays the recording: pause, step and scrub', async () => {
    const view = await startCli(['view', '--replay', recording]);
    const { page } = browser as Browser;
    await page.goto(view.url);
    await page.waitForSelector('#timeline:not([hidden])', WAIT);
    expect(await page.textContent('#mode')).toContain('REPLAY demo.jsonl');
    expect(await page.textContent('#tl-pos')).toMatch(/^event 0 \//);

    await page.click('#tl-step');
    await page.click('#tl-step');
    expect(await page.textContent('#tl-pos')).toMatch(/^event 2 \//);
    await page.click('#tl-back');
    expect(await page.textContent('#tl-pos')).toMatch(/^event 1 \//);

    // Scrub to the end: everything decided agrees, and n3 went down and came back on the way.
    const end = Number(await page.getAttribute('#tl-scrub', 'max'));
    await page.evaluate(scrubTo(end));
    await expect.poll(() => page.evaluate(`${decided('n1')} > 10`), POLL).toBe(true);
    expect(await page.getAttribute('#badge', 'data-ok')).toBe('true');
    await page.selectOption('#log-filter', 'quiet');
    await expect
      .poll(() => page.evaluate(`document.querySelector('#log').textContent.includes('n3 restarted')`), POLL)
      .toBe(true);

    // Back to the middle, then play a little and pause.
    const middle = Math.floor(end / 2);
    await page.evaluate(scrubTo(middle));
    expect(await page.textContent('#tl-pos')).toMatch(new RegExp(`^event ${middle} /`));
    await page.click('#tl-play');
    await expect
      .poll(() => page.evaluate(`Number(document.querySelector('#tl-scrub').value) > ${middle}`), POLL)
      .toBe(true);
    await page.click('#tl-play');
    expect(await page.textContent('#tl-play')).toContain('play');
    await page.screenshot({ path: join(REPORTS, 'ui-replay.png') });
    expect((browser as Browser).errors).toEqual([]);
    expect(await stop(view)).toBe(0);
  });

  it('stays small with thousands of keys: only the grid rows in view are in the page', async () => {
    const members = ['a', 'b', 'c'];
    const KEYS = 5000;
    const lines = [
      recordingHeaderLine('many keys', members),
      ...members.map((n) => recordingLine(snapshot(0, n, members))),
    ];
    for (let k = 0; k < KEYS; k++) {
      lines.push(recordingLine(state(k, 'a', `many-${k}`, 'preparing')));
      for (const n of members) lines.push(recordingLine(decidedEvent(k + 1, n, `many-${k}`, `"v${k}"`)));
    }
    const file = join(dir, 'many.jsonl');
    writeFileSync(file, lines.join(''));
    const view = await startCli(['view', '--replay', file]);
    const { page } = browser as Browser;
    await page.goto(view.url);
    await page.waitForSelector('#timeline:not([hidden])', WAIT);
    await page.evaluate(scrubTo(KEYS * 4 + 3));
    await expect.poll(() => page.textContent('#key-count'), POLL).toBe(String(KEYS));
    expect(await page.getAttribute('#badge', 'data-ok')).toBe('true');
    expect(await page.locator('#grid-rows .grid-row').count()).toBeLessThan(80);
    expect(await page.textContent('#grid-rows .grid-row:first-child .key')).toBe(`many-${KEYS - 1}`);
    // Scrolled to the bottom, the oldest key is there.
    await page.evaluate(`document.querySelector('#grid').scrollTop = 1e9`);
    await expect.poll(() => page.locator('#grid-rows .grid-row[data-key="many-0"]').count(), POLL).toBe(1);
    expect(await page.locator('#grid-rows .grid-row').count()).toBeLessThan(80);
    expect((browser as Browser).errors).toEqual([]);
    expect(await stop(view)).toBe(0);
  });
});
