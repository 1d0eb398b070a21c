// Where the chaos tests find the node executable and keep the histories of failing runs.
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** LocalCluster's `mainPath`: the compiled CLI, started with fault injection allowed. */
export const NODE_MAIN = join(import.meta.dirname, 'nodeWithFaultInjection.mjs');

/** The compiled CLI itself (for checking that dist/ was built). */
export const CLI_MAIN = join(root, 'dist', 'cli', 'main.js');

/** Histories (and node logs) of runs; a passing run deletes its own. Git-ignored. */
export const REPORTS_DIR = join(root, 'reports', 'chaos');
