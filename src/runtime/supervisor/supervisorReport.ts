// What a supervisor emits as it works (OTP's progress and crash reports), for `actor.on(...)`.
import type { ExitReason } from '../exitReason.js';

export type SupervisorReport =
  | { readonly type: 'child.started'; readonly id: string; readonly restarted: boolean }
  | {
      readonly type: 'child.exited';
      readonly id: string;
      readonly reason: ExitReason;
      readonly restarting: boolean;
    }
  /** simple_one_for_one: the child exceeded its own intensity and is not restarted. */
  | { readonly type: 'child.gaveUp'; readonly id: string; readonly reason: ExitReason }
  /** The supervisor exceeded its intensity: it stops its children and fails. */
  | { readonly type: 'supervisor.maxRestarts'; readonly id: string; readonly reason: ExitReason };

export type ReportSink = (report: SupervisorReport) => void;
