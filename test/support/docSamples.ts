// Code samples in the docs are copies of marked regions of files that tests execute, so a sample
// cannot drift from working code. A region is the lines between `// #region NAME` and
// `// #endregion NAME`; a sample is a ```ts block right after `<!-- sample: FILE#NAME -->`.
// `npm run docs:samples` refreshes the copies; test/docs/samples.test.ts checks them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocSample {
  /** `FILE#NAME` when the block is a marked copy of a region. */
  readonly source: string | null;
  readonly body: string;
}

const BLOCK = /(<!-- sample: ([^\s#]+)#([\w-]+) -->\n\n?)?```ts\n([\s\S]*?)```/g;

/** The region `name` of `text`, dedented; undefined if there is none. */
export function regionOf(text: string, name: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `// #region ${name}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === `// #endregion ${name}`);
  if (start < 0 || end < 0) return undefined;
  const body = lines.slice(start + 1, end).filter((l) => !/^\s*\/\/ #(end)?region /.test(l));
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return `${body.map((l) => l.slice(indent)).join('\n')}\n`;
}

export function samplesIn(markdown: string): DocSample[] {
  return [...markdown.matchAll(BLOCK)].map((m) => ({
    source: m[2] ? `${m[2]}#${m[3]}` : null,
    body: m[4] as string,
  }));
}

/** `markdown` with every marked sample replaced by its region, read from files under `root`. */
export function refreshSamples(markdown: string, root: string): string {
  return markdown.replace(BLOCK, (whole, marker: string | undefined, file: string, name: string) => {
    if (!marker) return whole;
    const region = regionOf(readFileSync(join(root, file), 'utf8'), name);
    if (region === undefined) throw new Error(`no region ${name} in ${file}`);
    return `${marker}\`\`\`ts\n${region}\`\`\``;
  });
}
