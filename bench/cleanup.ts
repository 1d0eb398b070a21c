// What the benchmark must undo however it ends (normally, on an error, on Ctrl-C): stop the
// processes it started and remove their directories. Steps run once, newest first, and one
// step's failure does not skip the others.

export type CleanupStep = () => Promise<void> | void;

export class Cleanup {
  private readonly steps: CleanupStep[] = [];
  private running: Promise<void> | undefined;

  /** Adds `step`; the returned function takes it out again (once it was done another way). */
  add(step: CleanupStep): () => void {
    this.steps.push(step);
    return () => {
      const at = this.steps.indexOf(step);
      if (at >= 0) this.steps.splice(at, 1);
    };
  }

  /** Runs every step still registered, newest first; later calls return the same promise. */
  run(onError: (error: unknown) => void = () => {}): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop() as CleanupStep;
        try {
          await step();
        } catch (error) {
          onError(error);
        }
      }
    })();
    return this.running;
  }
}
