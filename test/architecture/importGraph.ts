// The import graph of a TypeScript source tree, read from the files' relative import specifiers
// (type-only imports included: a type cycle is still a cycle of concepts). Used by the layering
// test to find file cycles and folder imports that run against the layer order.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface ImportEdge {
  /** Importing file, relative to the root, with `/` separators. */
  readonly from: string;
  /** Imported file, likewise. */
  readonly to: string;
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Every relative import between `.ts` files under `root`. */
export function importEdges(root: string): ImportEdge[] {
  const base = resolve(root);
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(base)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const spec = (match[1] ?? match[2]) as string;
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (!target.startsWith(base + sep)) continue;
      edges.push({ from: posix(relative(base, file)), to: posix(relative(base, target)) });
    }
  }
  return edges;
}

/** The strongly connected components with more than one member (Tarjan), each sorted. */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (from === to) continue;
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of new Set(edges.flatMap((e) => [e.from, e.to]))) if (!index.has(v)) visit(v);
  return found;
}

/** The same graph with each file replaced by its folder `depth` levels deep (files at the root stay themselves). */
export function folderEdges(edges: readonly ImportEdge[], depth: number): ImportEdge[] {
  const folderOf = (file: string): string => {
    const parts = file.split('/');
    return parts.length > depth ? parts.slice(0, depth).join('/') : file;
  };
  const seen = new Set<string>();
  const out: ImportEdge[] = [];
  for (const edge of edges) {
    const from = folderOf(edge.from);
    const to = folderOf(edge.to);
    const id = `${from}>${to}`;
    if (from === to || seen.has(id)) continue;
    seen.add(id);
    out.push({ from, to });
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function posix(path: string): string {
  return path.split(sep).join('/');
}
