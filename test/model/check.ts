// One model-check run, as the test and the runner script both use it: explore, and on a
// violation render the counterexample.
import type { ModelConfig } from './config.js';
import { explore, type ExploreLimits, type ExploreResult } from './explore.js';
import { PaxosModel } from './paxosModel.js';
import { formatSummary, formatTrace } from './trace.js';

export interface ModelCheck {
  readonly config: ModelConfig;
  readonly result: ExploreResult;
  /** Distinct machine snapshots met, over all nodes. */
  readonly nodeStates: number;
  /** Errors the machine raised while stepping (an instance crash): must be none. */
  readonly machineErrors: readonly string[];
  readonly summary: string;
  /** The counterexample, one line per step, when the verdict is `unsafe`. */
  readonly trace: readonly string[];
}

export function checkModel(config: ModelConfig, limits: ExploreLimits = {}): ModelCheck {
  const model = new PaxosModel(config);
  const result = explore(model, limits);
  const trace =
    result.path === undefined ? [] : [...formatTrace(model, result.path), `  ✗ ${result.violation ?? ''}`];
  return {
    config,
    result,
    nodeStates: model.steps.nodes.size,
    machineErrors: model.steps.machineErrors,
    summary: formatSummary(config.name, result),
    trace,
  };
}
