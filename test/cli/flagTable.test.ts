// The CLI's flag tables: help is made from the table the parser uses, so every flag is in both;
// "did you mean" finds typos; the environment fills what flags and config files leave out;
// values print so that a string and a JSON value never look alike; docs/cli.md lists every flag.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/args.js';
import { endpointsOf } from '../../src/cli/clientOptions.js';
import { COMMAND_SPECS } from '../../src/cli/commandSpecs.js';
import { closest, editDistance } from '../../src/cli/editDistance.js';
import { allFlags, formatHelp } from '../../src/cli/flagTable.js';
import { showValue } from '../../src/cli/values.js';

const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ask = COMMAND_SPECS.ask!;

describe('help from the flag table', () => {
  it.each(Object.keys(COMMAND_SPECS))('%s --help has one line for every flag the parser takes', (name) => {
    const spec = COMMAND_SPECS[name]!;
    const help = formatHelp(spec);
    expect(help.split('\n')[0]).toBe(
      `usage: gen-paxos ${name} [options]${spec.args.map((arg) => ` ${arg.name}`).join('')}`,
    );
    for (const [flag, def] of Object.entries(allFlags(spec))) {
      const line = help.split('\n').find((text) => new RegExp(`^  (-h, )?--${flag}\\b`).test(text));
      expect(line, `--${flag} in ${name} --help`).toBeDefined();
      expect(line).toContain(def.help);
      // …and the parser takes it.
      const argv = def.type === 'boolean' ? [`--${flag}`] : [`--${flag}`, 'x'];
      const positionals = spec.args.map(() => 'p');
      if (flag !== 'config') expect(() => parseFlags([...argv, ...positionals], spec, {})).not.toThrow();
    }
  });

  it.each(Object.keys(COMMAND_SPECS))('docs/cli.md documents every flag of %s', (name) => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'cli.md'), 'utf8');
    const section = doc.split(/\n### /).find((part) => part.startsWith(`\`gen-paxos ${name}`));
    expect(section, `a section for ${name}`).toBeDefined();
    const shared = doc.split(/\n## /).find((part) => part.startsWith('Client commands')) ?? '';
    for (const flag of Object.keys(COMMAND_SPECS[name]!.flags))
      expect(`${section}${shared}`, `--${flag} of ${name}`).toContain(`--${flag}`);
  });
});

describe('did you mean', () => {
  it('measures edits, transpositions included', () => {
    expect(editDistance('node', 'node')).toBe(0);
    expect(editDistance('ndoe', 'node')).toBe(1);
    expect(editDistance('nod', 'node')).toBe(1);
    expect(editDistance('status', 'stauts')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only what is near', () => {
    const flags = Object.keys(allFlags(ask));
    expect(closest('nod', flags)).toBe('node');
    expect(closest('endpoint', flags)).toBe('endpoints');
    expect(closest('secret', flags)).toBe('secret-file');
    expect(closest('timeout', flags)).toBe('timeout-ms');
    expect(closest('colour', flags)).toBeNull();
    expect(closest('x', flags)).toBeNull();
  });
});

describe('flags, then config file, then environment', () => {
  const env = {
    GEN_PAXOS_ENDPOINTS: 'e1:1,e2:2',
    GEN_PAXOS_SECRET_FILE: '/env/secret',
    GEN_PAXOS_CLUSTER: 'env-cluster',
    GEN_PAXOS_TLS_CA: '/env/ca.pem',
  };

  it('reads the environment when neither gives a flag', () => {
    const { values } = parseFlags(['k', 'v'], ask, env);
    expect(values).toMatchObject({
      endpoints: 'e1:1,e2:2',
      'secret-file': '/env/secret',
      cluster: 'env-cluster',
      'tls-ca': '/env/ca.pem',
    });
    expect(endpointsOf(values)).toEqual(['ws://e1:1', 'ws://e2:2']);
  });

  it('lets the config file win over the environment, and flags over both', () => {
    const config = join(dir, 'client.json');
    writeFileSync(config, JSON.stringify({ cluster: 'config-cluster', endpoints: 'c1:1' }));
    const { values } = parseFlags(['--config', config, '--endpoints', 'f1:1', 'k', 'v'], ask, env);
    expect(values).toMatchObject({
      endpoints: 'f1:1',
      cluster: 'config-cluster',
      'secret-file': '/env/secret',
    });
  });

  it('takes every --node and --endpoints entry, in order, without repeats', () => {
    const { values } = parseFlags(
      ['--endpoints', 'a:1, wss://b:2', '--node', 'c:3', '--node', 'ws://a:1', 'k', 'v'],
      ask,
      {},
    );
    expect(endpointsOf(values)).toEqual(['ws://a:1', 'wss://b:2', 'ws://c:3']);
  });
});

describe('printed values', () => {
  it('prints strings as they are, unless they would read as JSON', () => {
    expect(showValue('red')).toBe('red');
    expect(showValue('two words')).toBe('two words');
    expect(showValue('{"a":[1,2]}')).toBe('"{\\"a\\":[1,2]}"');
    expect(showValue('42')).toBe('"42"');
    expect(showValue('true')).toBe('"true"');
    expect(showValue('"quoted"')).toBe('"\\"quoted\\""');
  });

  it('prints other values as JSON, so the string and the object never look alike', () => {
    expect(showValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(showValue(42)).toBe('42');
    expect(showValue(null)).toBe('null');
    expect(showValue(new Uint8Array([1, 2]))).toBe('{"base64":"AQI="}');
    expect(showValue('{"a":[1,2]}')).not.toBe(showValue({ a: [1, 2] }));
  });

  it('reads back: a line that parses as JSON is that value, any other line is the string', () => {
    for (const value of ['red', '{"a":[1,2]}', '42', '', ' 7 ', { a: [1, 2] }, 42, [1, 'x'], true]) {
      const line = showValue(value);
      let back: unknown;
      try {
        back = JSON.parse(line);
      } catch {
        back = line;
      }
      expect(back).toEqual(value);
    }
  });
});
