// How the long-running commands (demo, demo --ui, view) learn that they should stop: SIGINT
// (Ctrl-C; the terminal sends it to the whole process group, children included) or SIGTERM.
// The listeners stay installed until the command has cleaned up, and a repeated signal is
// harmless: a signal that finds no listener kills Node on the spot, so a second one arriving
// mid-cleanup (a double Ctrl-C, or `timeout`, which signals the command and then its whole
// group) would leave node processes and temp directories behind.

/** Calls `stop` on SIGINT or SIGTERM, every time one arrives; returns the uninstaller. */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): () => void {
  const listener = (signal: NodeJS.Signals) => stop(signal);
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}
