// Restart intensity, as in OTP supervisors: at most `maxRestarts` restarts within `periodMs`.
// Beyond that, restarting again would only loop; the supervisor gives up instead.

export interface RestartIntensity {
  readonly maxRestarts: number;
  readonly periodMs: number;
}

export const DEFAULT_RESTART_INTENSITY: RestartIntensity = { maxRestarts: 3, periodMs: 5000 };

/** Records a restart at `nowMs` in `history` (mutated). Returns false if it exceeds the intensity. */
export function allowRestart(history: number[], nowMs: number, intensity: RestartIntensity): boolean {
  while (history.length > 0 && (history[0] as number) <= nowMs - intensity.periodMs) history.shift();
  history.push(nowMs);
  return history.length <= intensity.maxRestarts;
}
