// The view model's shapes: a node as the view knows it, a decision, the model's options, and the
// whole model as plain data (checkpoints of a replay, a page's resync). Browser-safe, types only.
import type { AgreementData } from './agreement.js';
import type { LogEntry } from './eventLog.js';
import type { InFlightData, InFlightOptions } from './inFlight.js';
import type { KeyStoriesData, KeyStoryOptions } from './keyStory.js';
import type { MissedData } from './missedDecisions.js';
import type { ViewState } from './viewEvents.js';

export interface NodeFaults {
  readonly blockOut: readonly string[];
  readonly blockIn: readonly string[];
  readonly dropRate: number;
  readonly delayMs: number;
  readonly jitterMs: number;
  /** Holds its messages for delivery by hand. */
  readonly hold: boolean;
}

export interface NodeView {
  readonly id: string;
  up: boolean;
  incarnation: string | null;
  /** Link to each peer as this node reports it. */
  links: Record<string, boolean>;
  /** Why each down link is down, as this node reports it. */
  linkReasons: Record<string, string>;
  faults: NodeFaults;
  /** Keys in each state on this node (`nil` keys are not counted). */
  counts: Record<ViewState, number>;
}

export interface Decision {
  readonly t: number;
  readonly node: string;
  readonly key: string;
  readonly value: string;
}

export interface ClusterModelOptions extends InFlightOptions, KeyStoryOptions {
  /** Lines kept in the event log, and again for its notable lines (not messages or states). Default 1000. */
  readonly maxLog?: number;
  /** Decisions kept (the first per key). Default 200. */
  readonly maxDecisions?: number;
}

/** Everything in the model as plain data (checkpoints, a page's resync). */
export interface ClusterModelData {
  readonly now: number;
  readonly applied: number;
  readonly nodes: readonly NodeView[];
  readonly keys: readonly (readonly [string, Readonly<Record<string, ViewState>>])[];
  readonly agreement: AgreementData;
  readonly inFlight: InFlightData;
  readonly decisions: readonly Decision[];
  readonly log: readonly LogEntry[];
  readonly notable: readonly LogEntry[];
  /** Absent in snapshots of older versions. */
  readonly stories?: KeyStoriesData;
  readonly missed?: MissedData;
}
