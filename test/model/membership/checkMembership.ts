// One membership model-check run, as the test and the runner both use it: explore, and on a
// violation render the counterexample step by step.
import { explore, replay, type ExploreLimits, type ExploreResult } from '../explore.js';
import { MemberModel } from './memberModel.js';
import type { MemberScenario } from './scenario.js';

export interface MembershipCheck {
  readonly scenario: MemberScenario;
  readonly result: ExploreResult;
  /** What the exploration reached (MemberModel.observed). */
  readonly observed: ReadonlySet<string>;
  readonly summary: string;
  readonly trace: readonly string[];
}

export function checkMembership(scenario: MemberScenario, limits: ExploreLimits = {}): MembershipCheck {
  const model = new MemberModel(scenario);
  const result = explore(model, limits);
  const trace: string[] = [];
  if (result.path !== undefined) {
    let before = model.initial();
    for (const { action, state } of replay(model, result.path)) {
      trace.push(`  ${model.describe(before, action)}`);
      before = state;
    }
    trace.push(`  ✗ ${result.violation ?? ''}`);
  }
  const summary =
    `${scenario.name}: ${result.verdict}, ${result.states.toLocaleString('en')} states, ` +
    `${result.transitions.toLocaleString('en')} transitions, depth ${result.depth}, ${result.seconds.toFixed(1)} s`;
  return { scenario, result, observed: model.observed, summary, trace };
}
