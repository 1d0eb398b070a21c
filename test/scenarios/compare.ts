// Comparing a command's output with its expected block, and the report of the first difference:
// the file and line, the command, the differing line (expected vs actual) and a few lines around it.
import type { ScenarioCase } from './parse.js';

export interface Mismatch {
  readonly scenarioCase: ScenarioCase;
  /** 0-based index of the first differing line within the block. */
  readonly index: number;
  readonly expected: readonly string[];
  readonly actual: readonly string[];
}

const CONTEXT_LINES = 3;

/** The index of the first line where the two differ, or -1 if they are equal. */
export function firstDifference(expected: readonly string[], actual: readonly string[]): number {
  const length = Math.max(expected.length, actual.length);
  for (let i = 0; i < length; i++) if (expected[i] !== actual[i]) return i;
  return -1;
}

function around(lines: readonly string[], index: number): string[] {
  const from = Math.max(0, index - CONTEXT_LINES);
  const to = Math.min(lines.length, index + CONTEXT_LINES + 1);
  const shown = lines.slice(from, to).map((line, i) => `${from + i === index ? '>' : ' '} ${line}`);
  if (index >= lines.length) shown.push('> (end of output)');
  return shown;
}

export function formatMismatch(fileName: string, mismatch: Mismatch): string {
  const { scenarioCase, index, expected, actual } = mismatch;
  const fileLine = scenarioCase.expectedRange.start + index + 1;
  const show = (line: string | undefined) => (line === undefined ? '(end of output)' : line);
  return [
    `${fileName}:${scenarioCase.line}: output of \`${scenarioCase.command}\` differs`,
    scenarioCase.expected === null
      ? '  the command has no expected block (----) yet'
      : `  first difference at line ${index + 1} of the block (${fileName}:${fileLine}):`,
    `    expected: ${show(expected[index])}`,
    `    actual:   ${show(actual[index])}`,
    '  expected, around it:',
    ...around(expected, index).map((line) => `    ${line}`),
    '  actual, around it:',
    ...around(actual, index).map((line) => `    ${line}`),
    '  If the change is intended: UPDATE_SCENARIOS=1 npx vitest run test/scenarios',
  ].join('\n');
}
