// Command lines of scenario files: words split on spaces ("quoted strings" are JSON strings and
// may hold spaces), `name=value` options, and helpers that reject what a command does not know,
// so a misspelt option fails the file instead of being ignored.
import type { PaxosValue } from '../../src/index.js';

/** A command line the interpreter cannot run: reported with the file and line, in every mode. */
export class ScenarioCommandError extends Error {}

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ' || text[i] === '\t') {
      i++;
      continue;
    }
    let j = i;
    if (text[i] === '"') {
      j++;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new ScenarioCommandError(`unterminated string in: ${text}`);
      j++;
    } else {
      while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j++;
    }
    tokens.push(text.slice(i, j));
    i = j;
  }
  return tokens;
}

const OPTION = /^([a-z][a-z0-9-]*)=(.*)$/;

export class CommandArgs {
  readonly name: string;
  readonly positional: readonly string[];
  private readonly options = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(readonly text: string) {
    const [name, ...rest] = tokenize(text);
    if (name === undefined) throw new ScenarioCommandError('empty command');
    this.name = name;
    const positional: string[] = [];
    for (const token of rest) {
      const option = token.startsWith('"') ? null : OPTION.exec(token);
      if (option) this.options.set(option[1] as string, option[2] as string);
      else positional.push(token);
    }
    this.positional = positional;
  }

  /** The positional word at `index`, which must be there. */
  word(index: number, what: string): string {
    const word = this.positional[index];
    if (word === undefined) throw new ScenarioCommandError(`${this.name}: missing ${what}`);
    return word;
  }

  option(name: string): string | undefined {
    this.used.add(name);
    return this.options.get(name);
  }

  number(name: string, fallback: number): number {
    return this.optionalNumber(name) ?? fallback;
  }

  /** `name=N`, or `undefined` when the option is absent. */
  optionalNumber(name: string): number | undefined {
    const text = this.option(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text === '' || !Number.isFinite(value))
      throw new ScenarioCommandError(`${this.name}: ${name}=${text} is not a number`);
    return value;
  }

  /** `name=on` / `name=off`. */
  onOff(name: string, fallback: boolean): boolean {
    const text = this.option(name);
    if (text === undefined) return fallback;
    if (text !== 'on' && text !== 'off')
      throw new ScenarioCommandError(`${this.name}: ${name} must be on or off, not ${text}`);
    return text === 'on';
  }

  /** `name=min..max` (or a single number for both). */
  range(name: string): { min: number; max: number } | undefined {
    const text = this.option(name);
    if (text === undefined) return undefined;
    const match = /^(\d+)(?:\.\.(\d+))?$/.exec(text);
    if (!match) throw new ScenarioCommandError(`${this.name}: ${name}=${text} is not N or MIN..MAX`);
    const min = Number(match[1]);
    const max = Number(match[2] ?? match[1]);
    if (max < min) throw new ScenarioCommandError(`${this.name}: ${name}=${text} is an empty range`);
    return { min, max };
  }

  /** Fails on options the command did not read and on positional words past `maxPositional`. */
  finish(maxPositional: number): void {
    const unknown = [...this.options.keys()].filter((name) => !this.used.has(name));
    if (unknown.length > 0)
      throw new ScenarioCommandError(`${this.name}: unknown option ${unknown.join(', ')}`);
    if (this.positional.length > maxPositional)
      throw new ScenarioCommandError(
        `${this.name}: unexpected ${this.positional.slice(maxPositional).join(' ')}`,
      );
  }
}

/**
 * A value as written in a scenario: a "JSON string", a number, true, false or null; any other
 * word is a string as it stands (`ask a k red` asks for "red").
 */
export function parseValue(token: string): PaxosValue {
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
  if (token === 'true') return true;
  if (token === 'false') return false;
  if (token === 'null') return null;
  return token;
}

/** Values print as JSON, as in every trace of the project. */
export function showValue(value: PaxosValue | undefined): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
