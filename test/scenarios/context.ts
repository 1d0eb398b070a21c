// What every scenario command sees: the world (once `cluster` has made one) and the seed `repeat`
// imposes. Commands return the lines they print themselves; the runner puts the trace lines the
// command caused in front of them.
import { ScenarioCommandError, type CommandArgs } from './args.js';
import type { ScenarioWorld } from './world.js';

export interface ScenarioContext {
  world: ScenarioWorld | null;
  /** Set by `repeat`: the seed every `cluster` inside it uses. */
  forcedSeed: number | null;
}

export type CommandHandler = (
  context: ScenarioContext,
  args: CommandArgs,
  input: readonly string[],
) => Promise<string[]> | string[];

export function requireWorld(context: ScenarioContext): ScenarioWorld {
  if (!context.world) throw new ScenarioCommandError('no cluster yet: start one with `cluster a b c`');
  return context.world;
}
