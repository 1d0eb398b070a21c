// What the browser tests of the view share: running the CLI until it prints its page's URL
// (`demo --ui`, `view --replay`), stopping it as Ctrl-C would, cleaning up whatever a failed
// test left running, page-side expressions and screenshots (to reports/, and to docs/images/
// when GEN_PAXOS_DOC_SCREENSHOTS=1: `npm run docs:screenshots`).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Page } from 'playwright-core';
import { MAIN } from '../integration/cliHelpers.js';
import { isAlive } from '../support/processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
export const REPORTS = join(ROOT, 'reports');
export const DOC_IMAGES = join(ROOT, 'docs', 'images');
/** Set by `npm run docs:screenshots`: the screenshots the docs show are written there too. */
export const WRITE_DOC_SCREENSHOTS = process.env.GEN_PAXOS_DOC_SCREENSHOTS === '1';

export const WAIT = { timeout: 30_000 };
// Conditions are polled from here with page.evaluate: the page's CSP forbids the eval that
// waitForFunction(string) needs in the page.
export const POLL = { timeout: 30_000, interval: 100 };

export interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
const nodePids: number[] = [];
/** The demo's temp directories: it removes them itself, unless a failed test had to kill it. */
const demoDirs: string[] = [];

/** Node processes the demos started (from their "n1 pid …" lines). */
export const startedNodePids = (): readonly number[] => nodePids;

/** Runs the CLI until it prints its page URL (a JSON line with `url`, or "cluster view: URL"). */
export function startCli(args: readonly string[]): Promise<Started> {
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

/** Stops a CLI run as Ctrl-C would; its exit status. */
export async function stop(run: Started): Promise<number | null> {
  run.child.kill('SIGINT');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 20_000);
  const code = await run.exited;
  clearTimeout(timer);
  return code;
}

/** Stops whatever is still running (only if a test failed) and removes `dirs` and the demos' own. */
export async function cleanUp(dirs: readonly string[]): Promise<void> {
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
  for (const path of [...dirs, ...demoDirs]) rmSync(path, { recursive: true, force: true });
}

/**
 * Saves a screenshot in reports/, and for one the docs show (`doc`), in docs/images/ when the
 * docs' screenshots are asked for.
 */
export async function screenshot(page: Page, name: string, { doc = true } = {}): Promise<void> {
  mkdirSync(REPORTS, { recursive: true });
  await page.screenshot({ path: join(REPORTS, `${name}.png`) });
  if (!doc || !WRITE_DOC_SCREENSHOTS) return;
  mkdirSync(DOC_IMAGES, { recursive: true });
  // JPEG keeps the package small; quality 85 keeps the page's text sharp enough to read.
  await page.screenshot({ path: join(DOC_IMAGES, `${name}.jpg`), type: 'jpeg', quality: 85 });
}

/** Page-side expression: node `id`'s count of decided keys, from its card (-1: no card). */
export const decidedOn = (id: string) =>
  `Number(document.querySelector('.node-card[data-node="${id}"]')?.dataset.decided ?? -1)`;

/** Page-side statement: moves the replay slider to `index`, as a drag would. */
export const scrubTo = (index: number) =>
  `(() => { const s = document.querySelector('#tl-scrub'); s.value = '${index}'; s.dispatchEvent(new Event('input')); })()`;
