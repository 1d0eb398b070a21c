// Progress of a long command: one redrawn line on a terminal, a line per quarter otherwise
// (so logs and CI output stay readable), or nothing (--json).
import type { CliIo } from './io.js';

export type ProgressMode = 'redraw' | 'lines' | 'quiet';

const BAR_WIDTH = 30;

export class Progress {
  private count = 0;
  private lastQuarter = 0;

  constructor(
    private readonly io: CliIo,
    private readonly mode: ProgressMode,
    private readonly label: string,
    private readonly total: number,
  ) {}

  tick(): void {
    this.count++;
    if (this.mode === 'redraw') {
      // Redraw at most ~100 times whatever the total.
      if (this.count === this.total || this.count % Math.max(1, Math.floor(this.total / 100)) === 0)
        this.draw();
    } else if (this.mode === 'lines') {
      const quarter = Math.floor((this.count * 4) / this.total);
      if (quarter > this.lastQuarter) {
        this.lastQuarter = quarter;
        this.io.out(`  ${this.label}: ${this.count}/${this.total} (${quarter * 25}%)\n`);
      }
    }
  }

  done(): void {
    if (this.mode === 'redraw') this.io.out('\n');
  }

  private draw(): void {
    const filled = Math.round((this.count / this.total) * BAR_WIDTH);
    this.io.out(
      `\r  ${this.label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${this.count}/${this.total}`,
    );
  }
}
