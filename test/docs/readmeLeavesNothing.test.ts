// Following the README (and docs/cli.md) in a clone leaves nothing to commit: every file its
// shell commands write (`> FILE`) and every data directory they name (`--data-dir DIR`) is
// ignored by git, so a newcomer cannot commit a secret by accident.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function writtenPaths(markdown: string): string[] {
  const shell = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string).join('\n');
  const files = [...shell.matchAll(/(?:^|\s)>\s*([\w./-]+)/g)].map((m) => m[1] as string);
  const dirs = [...shell.matchAll(/--data-dir\s+([\w./-]+)/g)].map((m) => `${m[1]}/data.mdb`);
  return [...new Set([...files, ...dirs])];
}

describe("the README's commands", () => {
  it.each(['README.md', 'docs/cli.md'])('%s: every file they write is ignored by git', (doc) => {
    const paths = writtenPaths(readFileSync(join(root, doc), 'utf8'));
    expect(paths).toContain('peer.secret');
    expect(paths).toContain('client.secret');
    expect(paths.some((path) => path.startsWith('data/'))).toBe(true);
    const notIgnored = paths.filter((path) => {
      try {
        execFileSync('git', ['check-ignore', '--no-index', '-q', path], { cwd: root });
        return false;
      } catch {
        return true;
      }
    });
    expect(notIgnored).toEqual([]);
  });
});
