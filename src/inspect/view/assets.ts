// Where the page's files are: the HTML, CSS and plain JavaScript in the package's `ui/`
// directory, and the view model compiled to `dist/inspect/view/model/` (served to the page as
// ES modules, so the page and the aggregator run the same code). Resolved from this module's
// own location, which is two levels below the package root in `src/` and in `dist/` alike.
import { existsSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const PAGE_DIR = join(packageRoot, 'ui');
export const MODEL_DIR = join(packageRoot, 'dist', 'inspect', 'view', 'model');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The file and content type for a URL path, or null: only known file types, never outside the two directories. */
export function assetFor(urlPath: string): { file: string; type: string } | null {
  const path = urlPath === '/' ? '/index.html' : urlPath;
  const [dir, rest] = path.startsWith('/model/') ? [MODEL_DIR, path.slice(7)] : [PAGE_DIR, path.slice(1)];
  if (!/^[\w./-]+$/.test(rest) || rest.includes('..')) return null;
  const type = TYPES[rest.slice(rest.lastIndexOf('.'))];
  const file = normalize(join(dir, rest));
  if (type === undefined || !file.startsWith(dir + sep) || !existsSync(file)) return null;
  return { file, type };
}
