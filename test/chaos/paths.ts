// Where the chaos tests find the node executable and keep the histories of failing runs.
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** The compiled CLI the node processes run (built by test/globalSetup.ts). */
export const CLI_MAIN = join(root, 'dist', 'cli', 'main.js');

/** Histories (and node logs) of runs; a passing run deletes its own. Git-ignored. */
export const REPORTS_DIR = join(root, 'reports', 'chaos');
