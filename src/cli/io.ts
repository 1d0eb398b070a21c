// Where a command writes: stdout for results, stderr for messages and logs. Commands take it
// as a parameter so tests can run them in-process and read what they printed.

export interface CliIo {
  /** Results (values, tables, JSON). */
  out(text: string): void;
  /** Messages, progress and log lines. */
  err(text: string): void;
  /** Whether stdout is a terminal (progress may then redraw one line). */
  readonly isTTY: boolean;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
};
