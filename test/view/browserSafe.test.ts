// The view model is served to the page as ES modules: it may import nothing but its own
// directory's modules (and types, which compile away), or the page would ask the server for
// files it does not serve.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAXOS_MESSAGE_TYPES } from '../../src/paxos/messages.js';
import { VIEW_MESSAGE_TYPES } from '../../src/inspect/view/model/viewEvents.js';

const MODEL = join(import.meta.dirname, '..', '..', 'src', 'inspect', 'view', 'model');

describe('the browser-side view model', () => {
  it('imports only its own directory at run time', () => {
    const files = readdirSync(MODEL).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = readFileSync(join(MODEL, file), 'utf8');
      for (const [, what, from] of source.matchAll(/^import (type )?[^;]*? from '([^']+)';/gms)) {
        if (what !== undefined) continue;
        expect(from, `${file} imports ${from}`).toMatch(/^\.\/[\w]+\.js$/);
      }
      expect(source, file).not.toMatch(/\b(require\(|process\.|Buffer\.)|from 'node:/);
    }
  });

  it('knows every Paxos message tag the protocol has (its copy cannot import the list)', () => {
    expect([...VIEW_MESSAGE_TYPES].sort()).toEqual([...PAXOS_MESSAGE_TYPES].sort());
  });
});
