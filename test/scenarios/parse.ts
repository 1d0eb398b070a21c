// The scenario file format (test/scenarios/README.md): `#` comments, then commands, each followed
// by `----` and its expected output up to a blank line. Parsing keeps every case's position in the
// file, so the rewrite mode replaces expected blocks in place and leaves everything else as written.

export const SEPARATOR = '----';

export interface ScenarioCase {
  /** 1-based line number of the command, for reports. */
  readonly line: number;
  /** The command line as written (trimmed). */
  readonly command: string;
  /** Lines between the command and `----`: the sub-script of `repeat`. */
  readonly input: readonly string[];
  /** The expected output, or `null` when the case has no `----` yet (rewrite mode adds it). */
  readonly expected: readonly string[] | null;
  /** 0-based line indexes [start, end) of the expected block; with no block, where `----` goes. */
  readonly expectedRange: { readonly start: number; readonly end: number };
}

export interface ScenarioFile {
  readonly lines: readonly string[];
  readonly cases: readonly ScenarioCase[];
}

export class ScenarioSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const isBlank = (line: string): boolean => line.trim() === '';

export function parseScenario(text: string): ScenarioFile {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const cases: ScenarioCase[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (isBlank(line) || line.startsWith('#')) {
      i++;
      continue;
    }
    if (line === SEPARATOR) throw new ScenarioSyntaxError(i + 1, `"${SEPARATOR}" with no command above it`);
    const commandIndex = i++;
    const input: string[] = [];
    while (i < lines.length && !isBlank(lines[i] as string) && lines[i] !== SEPARATOR) {
      input.push(lines[i++] as string);
    }
    let expected: string[] | null = null;
    let start = i;
    if (lines[i] === SEPARATOR) {
      start = ++i;
      expected = [];
      while (i < lines.length && !isBlank(lines[i] as string)) expected.push(lines[i++] as string);
    }
    cases.push({
      line: commandIndex + 1,
      command: line.trim(),
      input,
      expected,
      expectedRange: { start, end: expected === null ? start : i },
    });
  }
  return { lines, cases };
}

/**
 * The file with each case's expected block replaced by `outputs[i]` (cases without an output
 * are kept as they are). Comments, commands and blank lines stay exactly as written.
 */
export function rewriteScenario(
  file: ScenarioFile,
  outputs: readonly (readonly string[] | undefined)[],
): string {
  const lines = [...file.lines];
  for (let index = file.cases.length - 1; index >= 0; index--) {
    const scenarioCase = file.cases[index] as ScenarioCase;
    const output = outputs[index];
    if (output === undefined) continue;
    const { start, end } = scenarioCase.expectedRange;
    const block = scenarioCase.expected === null ? [SEPARATOR, ...output] : [...output];
    lines.splice(start, end - start, ...block);
  }
  return `${lines.join('\n')}\n`;
}
