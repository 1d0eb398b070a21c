// The membership model check with bounds too large for `npm test`: one line per run (verdict,
// distinct states, transitions, depth, time) and the counterexample of every unsafe one.
//
//   npm run model-check:membership                      the default sweep below
//   npm run model-check:membership -- --only replace --seconds 1200
//   --brief: no counterexample traces
import { parseArgs } from 'node:util';
import { checkMembership } from './checkMembership.js';
import type { MemberScenario } from './scenario.js';
import { issue15, replace, threeFourThree, type MemberBounds } from './scenarios.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    seconds: { type: 'string', default: '600' },
    brief: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);

const classic: MemberBounds = { maxRound: 1, maxCrashes: 0, ownerFastPath: false };
const fast: MemberBounds = { ...classic, ownerFastPath: true };
const crash = (b: MemberBounds): MemberBounds => ({ ...b, maxCrashes: 1 });

/** Each run, and whether it must come out safe (controls must not). */
const RUNS: { group: string; scenario: MemberScenario; safe: boolean }[] = [
  { group: 'issue15', scenario: issue15(crash(classic), 'issue15-decided'), safe: true },
  { group: 'issue15', scenario: issue15(crash(fast), 'issue15-decided'), safe: true },
  { group: 'issue15', scenario: issue15(crash(classic), 'issue15-accepted'), safe: true },
  { group: 'issue15', scenario: issue15(crash(fast), 'issue15-accepted'), safe: true },
  { group: 'issue15', scenario: issue15({ ...classic, maxRound: 2 }, 'issue15-accepted'), safe: true },
  { group: 'replace', scenario: replace(fast), safe: true },
  { group: 'replace', scenario: replace(crash(classic)), safe: true },
  {
    group: 'threeFourThree',
    scenario: threeFourThree(classic, undefined, 'threeFourThree', true),
    safe: true,
  },
  { group: 'threeFourThree', scenario: threeFourThree(fast), safe: true },
  { group: 'controls', scenario: replace(classic, { skipRescan: true }, 'C1 skip the rescan'), safe: false },
  {
    group: 'controls',
    scenario: replace(classic, { bothQuorumsAtOnce: true }, 'C2 both quorums at once'),
    safe: false,
  },
  {
    group: 'controls',
    scenario: replace(fast, { ownerSkipsPhase1: true }, 'C3 owner skips phase 1'),
    safe: false,
  },
  {
    group: 'controls',
    scenario: replace(classic, { recoveryTrustsDecide: true }, 'C11 recovery trusts a decide'),
    safe: false,
  },
  { group: 'replace', scenario: replace(classic, undefined, 'replace', true), safe: true },
  { group: 'controls', scenario: replace(classic, { noFence: true }, 'C4 no fence', true), safe: false },
];

let failures = 0;
for (const run of RUNS) {
  if (values.only !== undefined && run.group !== values.only) continue;
  const check = checkMembership(run.scenario, { maxSeconds: seconds });
  const verdict = check.result.verdict;
  const expected = run.safe ? verdict !== 'unsafe' : verdict === 'unsafe';
  if (!expected) failures++;
  console.log(`${expected ? 'ok  ' : 'FAIL'} ${check.summary}`);
  if (verdict === 'unsafe' && !values.brief) console.log(check.trace.join('\n'));
}
if (failures > 0) {
  console.log(`${failures} run(s) not as expected`);
  process.exitCode = 1;
}
