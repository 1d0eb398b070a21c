// Runs a scenario file: each command against a fresh world of real nodes, its printed lines compared
// with the expected block below it. Check mode stops at the first difference and returns it; rewrite
// mode (UPDATE_SCENARIOS=1) runs everything and returns the file with every block replaced. A
// command error or a broken invariant (`check`) fails the file in both modes.
import { readFileSync, writeFileSync } from 'node:fs';
import { CommandArgs, ScenarioCommandError } from './args.js';
import { ACTION_COMMANDS } from './actionCommands.js';
import { firstDifference, type Mismatch } from './compare.js';
import type { CommandHandler, ScenarioContext } from './context.js';
import { parseScenario, rewriteScenario } from './parse.js';
import { QUERY_COMMANDS } from './queryCommands.js';

export const COMMANDS: Readonly<Record<string, CommandHandler>> = {
  ...ACTION_COMMANDS,
  ...QUERY_COMMANDS,
  repeat,
};

export interface RunScenarioOptions {
  /** Replace every expected block with the actual output instead of comparing. */
  readonly rewrite?: boolean;
  /** How reports name the file. */
  readonly name?: string;
}

export interface ScenarioRun {
  /** Each case's actual output, for the cases that ran. */
  readonly outputs: readonly string[][];
  /** Check mode: the first case whose output differs, or null. */
  readonly mismatch: Mismatch | null;
  /** Rewrite mode: the file with the new expected blocks. */
  readonly rewritten: string | null;
}

/** A command that could not run, or an invariant that broke: fails the file in every mode. */
export class ScenarioFailure extends Error {}

/** Errors of the gen-paxos API (`error.code`) are part of a command's output, not failures. */
function paxosErrorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('PAXOS_ERR_') ? code : null;
}

async function execute(context: ScenarioContext, line: string, input: readonly string[]): Promise<string[]> {
  const args = new CommandArgs(line);
  const handler = COMMANDS[args.name];
  if (!handler) throw new ScenarioCommandError(`unknown command ${args.name} (README.md lists them)`);
  if (input.length > 0 && handler !== repeat)
    throw new ScenarioCommandError(`${args.name} takes no lines between it and ----`);
  let own: string[];
  try {
    own = await handler(context, args, input);
  } catch (error) {
    const code = paxosErrorCode(error);
    if (code === null) throw error;
    await context.world?.settle();
    own = [`error: ${code}`];
  }
  const lines = [...(context.world?.tracer.take() ?? []), ...own];
  return lines.length > 0 ? lines : ['ok'];
}

/**
 * `repeat seeds=A..B` followed by command lines (before `----`): runs them once per seed, each
 * `cluster` among them seeded with it, and prints each run's lines under `seed N` (`ok`s left out).
 */
async function repeat(
  context: ScenarioContext,
  args: CommandArgs,
  input: readonly string[],
): Promise<string[]> {
  const seeds = args.range('seeds');
  args.finish(0);
  if (!seeds) throw new ScenarioCommandError('repeat: seeds=FIRST..LAST');
  if (context.forcedSeed !== null) throw new ScenarioCommandError('repeat: not inside another repeat');
  const lines = input.map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  if (!lines[0]?.startsWith('cluster'))
    throw new ScenarioCommandError('repeat: the lines below it must start with a cluster command');
  const out: string[] = [];
  try {
    for (let seed = seeds.min; seed <= seeds.max; seed++) {
      context.forcedSeed = seed;
      out.push(`seed ${seed}`);
      for (const line of lines) {
        const printed = await execute(context, line, []).catch((error: Error) => {
          throw new ScenarioCommandError(`seed ${seed}, \`${line}\`: ${error.message}`);
        });
        out.push(...printed.filter((p) => p !== 'ok').map((p) => `  ${p}`));
      }
    }
  } finally {
    context.forcedSeed = null;
  }
  return out;
}

export async function runScenario(text: string, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const name = options.name ?? 'scenario';
  const file = parseScenario(text);
  const outputs: string[][] = [];
  const context: ScenarioContext = { world: null, forcedSeed: null };
  try {
    for (const scenarioCase of file.cases) {
      let actual: string[];
      try {
        actual = await execute(context, scenarioCase.command, scenarioCase.input);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new ScenarioFailure(
          `${name}:${scenarioCase.line}: \`${scenarioCase.command}\` failed: ${message}`,
          {
            cause: error,
          },
        );
      }
      outputs.push(actual);
      if (options.rewrite) continue;
      const expected = scenarioCase.expected ?? [];
      const index = scenarioCase.expected === null ? 0 : firstDifference(expected, actual);
      if (index >= 0)
        return { outputs, mismatch: { scenarioCase, index, expected, actual }, rewritten: null };
    }
  } finally {
    await context.world?.close();
  }
  return { outputs, mismatch: null, rewritten: options.rewrite ? rewriteScenario(file, outputs) : null };
}

/** Runs a scenario file; in rewrite mode writes the new expected blocks back to it. */
export async function runScenarioFile(path: string, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const text = readFileSync(path, 'utf8');
  const result = await runScenario(text, { name: path, ...options });
  if (result.rewritten !== null && result.rewritten !== text) writeFileSync(path, result.rewritten);
  return result;
}
