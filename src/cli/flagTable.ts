// The one table each subcommand's flags live in, and what is made from it: the parser (node:util
// parseArgs in strict mode), the `--help` text, "did you mean" for a mistyped flag, config-file
// checks and environment fallbacks. Nothing here loads a command's runtime, so help is instant.
import { closest } from './editDistance.js';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** The flag may repeat; its values collect into an array. */
  readonly multiple?: boolean;
  /** The value's placeholder in help: `URL`, `FILE`, `N`. */
  readonly value?: string;
  /** One line for `--help`. */
  readonly help: string;
  /** Read from this environment variable when neither the command line nor the config file gives it. */
  readonly env?: string;
  /** Listed as required in help (checked by the command, which knows about alternatives). */
  readonly required?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** A few lines for the command's own help. */
  readonly description: string;
  readonly args: ReadonlyArray<{ readonly name: string; readonly help: string }>;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** More lines after the options (examples, hints). */
  readonly notes?: readonly string[];
}

/** Flags every command takes; the parser and the help add them to each table. */
export const COMMON_FLAGS: Readonly<Record<string, FlagSpec>> = {
  config: { type: 'string', value: 'FILE', help: 'read flags from a JSON file (keys are long flag names)' },
  help: { type: 'boolean', help: 'print this help and exit' },
};

/** Every flag of `spec`, the common ones last. */
export function allFlags(spec: CommandSpec): Readonly<Record<string, FlagSpec>> {
  return { ...spec.flags, ...COMMON_FLAGS };
}

/** `usage: gen-paxos ask [options] KEY VALUE`, then the description, arguments and one line per flag. */
export function formatHelp(spec: CommandSpec): string {
  const args = spec.args.map((arg) => arg.name).join(' ');
  const lines = [`usage: gen-paxos ${spec.name} [options]${args ? ` ${args}` : ''}`, '', spec.description];
  if (spec.args.length > 0) {
    lines.push('', 'arguments:');
    const width = Math.max(...spec.args.map((arg) => arg.name.length));
    for (const arg of spec.args) lines.push(`  ${arg.name.padEnd(width)}  ${arg.help}`);
  }
  const flags = Object.entries(allFlags(spec)).map(([name, flag]) => {
    const short = name === 'help' ? '-h, ' : '';
    const left = `${short}--${name}${flag.value ? ` ${flag.value}` : ''}${flag.multiple ? '...' : ''}`;
    const extra = [flag.required ? 'required' : null, flag.env ? `env ${flag.env}` : null].filter(Boolean);
    return [left, `${flag.help}${extra.length ? ` (${extra.join('; ')})` : ''}`] as const;
  });
  const width = Math.max(...flags.map(([left]) => left.length));
  lines.push('', 'options:', ...flags.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`));
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return lines.join('\n');
}

/** `--nod` → ` (did you mean --node?)`, or '' when nothing is close. */
export function didYouMean(given: string, candidates: readonly string[], prefix = '--'): string {
  const match = closest(given.replace(/^-+/, ''), candidates);
  return match === null ? '' : ` (did you mean ${prefix}${match}?)`;
}
