// The model check with bounds too large for `npm test`: one line per configuration (verdict,
// distinct states, transitions, depth, time), and the counterexample of every unsafe one.
//
//   npx tsx test/model/run.ts                          the default sweep below
//   npx tsx test/model/run.ts --rounds 2 --crashes 1   one bound, every configuration
//   npx tsx test/model/run.ts --only correct --seconds 600 --brief   (no traces)
//   --values 1: each proposer asks one value (default two)
//   --no-reask: a restarted node's client does not ask again
import { parseArgs } from 'node:util';
import { checkModel } from './check.js';
import type { ModelConfig } from './config.js';
import {
  correct,
  forgetfulAcceptor,
  proposerIgnoresAccepted,
  queuedWrites,
  quorumOfOne,
  readsSeePendingWrites,
  repliesBeforePersisting,
  type Bounds,
  correctOwner,
  ownerSendsBeforeDurable,
  correctInstances,
  refusesForgeries,
  instancelessRepliesFirst,
  respawnForgets,
  answersUndecided,
  acceptsForgedBallots,
  acceptsAnyRoundZero,
} from './configs.js';

const VARIANTS: Record<string, (bounds: Bounds) => ModelConfig> = {
  correct,
  owner: correctOwner,
  ownerSendsFirst: ownerSendsBeforeDurable,
  forgetful: forgetfulAcceptor,
  quorum1: quorumOfOne,
  p2c: proposerIgnoresAccepted,
  replyFirst: repliesBeforePersisting,
  queued: queuedWrites,
  readLatest: readsSeePendingWrites,
  instances: correctInstances,
  forgeries: refusesForgeries,
  instancelessReplyFirst: instancelessRepliesFirst,
  respawnForgets,
  answersUndecided,
  forgedBallot: acceptsForgedBallots,
  anyRoundZero: acceptsAnyRoundZero,
};

const SAFE = new Set(['correct', 'owner', 'queued', 'instances', 'forgeries']);

/** The default sweep: the correct machine at bounds beyond the test's, each broken variant once. */
const DEFAULT_SWEEP: { name: string; bounds: Bounds }[] = [
  { name: 'correct', bounds: { maxRound: 2, maxCrashes: 0 } },
  { name: 'correct', bounds: { maxRound: 1, maxCrashes: 3 } },
  { name: 'correct', bounds: { maxRound: 2, maxCrashes: 1, values: 1 } },
  { name: 'instances', bounds: { maxRound: 2, maxCrashes: 1, values: 1 } },
  { name: 'owner', bounds: { maxRound: 1, maxCrashes: 1, crashable: ['n1'], reaskAfterRestart: false } },
  { name: 'owner', bounds: { maxRound: 1, maxCrashes: 2, values: 1 } },
  { name: 'forgeries', bounds: { maxRound: 2, maxCrashes: 0, values: 1 } },
  { name: 'queued', bounds: { maxRound: 1, maxCrashes: 1, reaskAfterRestart: false } },
  { name: 'queued', bounds: { maxRound: 1, maxCrashes: 2, values: 1 } },
  ...['forgetful', 'quorum1', 'p2c', 'replyFirst', 'instancelessReplyFirst', 'answersUndecided'].map(
    (name) => ({
      name,
      bounds: { maxRound: 2, maxCrashes: 1 },
    }),
  ),
  ...['respawnForgets', 'forgedBallot', 'anyRoundZero'].map((name) => ({
    name,
    bounds: { maxRound: 1, maxCrashes: 0 },
  })),
  {
    name: 'ownerSendsFirst',
    bounds: { maxRound: 1, maxCrashes: 1, crashable: ['n1'], reaskAfterRestart: false },
  },
  { name: 'readLatest', bounds: { maxRound: 1, maxCrashes: 1, values: 1, reaskAfterRestart: false } },
];

const { values } = parseArgs({
  options: {
    rounds: { type: 'string' },
    values: { type: 'string' },
    crashes: { type: 'string' },
    'no-reask': { type: 'boolean', default: false },
    only: { type: 'string' },
    seconds: { type: 'string', default: '900' },
    brief: { type: 'boolean', default: false },
  },
});

const only = values.only?.split(',') ?? Object.keys(VARIANTS);
const runs =
  values.rounds !== undefined || values.crashes !== undefined
    ? only.map((name) => ({
        name,
        bounds: {
          maxRound: Number(values.rounds ?? 2),
          maxCrashes: Number(values.crashes ?? 0),
          values: values.values === '1' ? (1 as const) : (2 as const),
        },
      }))
    : DEFAULT_SWEEP.filter((run) => only.includes(run.name));
const maxSeconds = Number(values.seconds);

let failed = false;
for (const { name, bounds } of runs) {
  const make = VARIANTS[name];
  if (make === undefined)
    throw new Error(`unknown configuration ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
  const check = checkModel(make({ ...bounds, reaskAfterRestart: !values['no-reask'] }), { maxSeconds });
  console.log(`${check.summary}; ${check.nodeStates} node states`);
  if (check.machineErrors.length > 0)
    console.log(`  machine errors: ${check.machineErrors.slice(0, 5).join('; ')}`);
  if (!values.brief && check.trace.length > 0) console.log(check.trace.join('\n'));
  const expected = SAFE.has(name) ? 'safe' : 'unsafe';
  if (check.result.verdict !== expected && check.result.verdict !== 'incomplete') failed = true;
  if (check.machineErrors.length > 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
