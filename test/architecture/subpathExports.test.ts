// The package's subpath exports (package.json "exports"): each entry resolves through the package
// name, offers its API, and loads only its own layers — a user of the actor runtime or of the client
// never loads the Paxos node. Reads the compiled dist/ (built by the test run's global setup).
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

/** Every compiled file a module loads, following its static imports (type-only ones are erased). */
function loadedFiles(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]/g))
      visit(resolve(dirname(file), match[1] as string));
  };
  visit(resolve(dist, entry));
  return new Set([...seen].map((file) => relative(dist, file)));
}

/** The top-level folders of dist/ among `files`. */
function foldersOf(files: Set<string>): string[] {
  return [...new Set([...files].map((file) => file.split('/')[0] as string))].sort();
}

describe('subpath exports', () => {
  it('gen-paxos/runtime: the actor runtime, loading nothing of Paxos, transport or storage', async () => {
    const runtime = await import('gen-paxos/runtime');
    expect(typeof runtime.genFsm.start).toBe('function');
    expect(typeof runtime.supervisor).toBe('function');
    expect(typeof runtime.createActorNode).toBe('function');
    expect(runtime).not.toHaveProperty('startLink');
    expect(foldersOf(loadedFiles('runtime/index.js'))).toEqual(['base', 'runtime']);
  });

  it('gen-paxos/client: the client, without the node, the store or the runtime', async () => {
    const client = await import('gen-paxos/client');
    expect(typeof client.connectClient).toBe('function');
    expect(client.WIRE_ERROR_CODES).toHaveProperty('BAD_FRAME');
    const folders = foldersOf(loadedFiles('transport/client/index.js'));
    expect(folders).not.toContain('node');
    expect(folders).not.toContain('storage');
    expect(folders).not.toContain('runtime');
  });

  it('gen-paxos/testing: an in-process cluster without sockets or disk', async () => {
    const testing = await import('gen-paxos/testing');
    const network = testing.createMemoryNetwork();
    expect(network.connect('a').nodeId).toBe('a');
    expect(testing.seededRandom(1).next()).toBe(testing.seededRandom(1).next());
    expect(foldersOf(loadedFiles('testing.js'))).not.toContain('node');
  });

  it('the root keeps every name, the runtime included', async () => {
    const root = await import('gen-paxos');
    const runtime = await import('gen-paxos/runtime');
    for (const name of Object.keys(runtime)) expect(root, name).toHaveProperty(name);
    expect(typeof root.startLink).toBe('function');
  });
});
