// Every link in the README and docs/ (the generated API reference included) leads somewhere: a
// relative link to a file that exists, and an anchor (#…) to a heading, or an explicit anchor,
// of the page it points to, with GitHub's heading slugs. External links are not fetched.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** GitHub's slug of a heading: lower case, punctuation dropped, spaces to '-', repeats numbered. */
export function slugsOf(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    for (const match of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) slugs.add(match[1] as string);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = (heading[1] as string)
      .replace(/<[^>]+>/g, '')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\\(.)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

/** Links of a markdown text outside code: [text](target) and <a href="target">. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
  const links = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string);
  links.push(...[...prose.matchAll(/<a\s+href="([^"]+)"/g)].map((m) => m[1] as string));
  return links;
}

const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];
const slugCache = new Map<string, Set<string>>();
const slugsOfFile = (path: string) => {
  let slugs = slugCache.get(path);
  if (!slugs) slugCache.set(path, (slugs = slugsOf(readFileSync(path, 'utf8'))));
  return slugs;
};

describe('links in the docs', () => {
  it('computes slugs as GitHub does', () => {
    expect([
      ...slugsOf('# Data directories and amnesia\n## `gen-paxos ask [options] KEY VALUE`\n## A\n## A'),
    ]).toEqual(['data-directories-and-amnesia', 'gen-paxos-ask-options-key-value', 'a', 'a-1']);
  });

  it.each(files.map((file) => [relative(root, file), file]))(
    '%s has no broken relative link or anchor',
    (_, file) => {
      const broken: string[] = [];
      for (const link of linksOf(readFileSync(file as string, 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // http:, https:, mailto:
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target =
          path === '' ? (file as string) : resolve(dirname(file as string), decodeURIComponent(path));
        if (!existsSync(target)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (
          anchor !== undefined &&
          anchor !== '' &&
          target.endsWith('.md') &&
          !slugsOfFile(target).has(anchor)
        )
          broken.push(`${link}: no heading #${anchor}`);
      }
      expect(broken).toEqual([]);
    },
  );
});
