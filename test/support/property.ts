// fast-check with a printed seed: every randomised test says how to replay it.
//   FC_SEED=1234 npx vitest run test/paxos/acceptor.property.test.ts
// On a failure fast-check also prints the seed and the shrunk counterexample's `path`.
import fc from 'fast-check';

/** The seed of this run: FC_SEED if set, else a fresh one. */
export function propertySeed(): number {
  const fromEnv = process.env.FC_SEED;
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Math.random() * 0x7fffffff);
}

/** `fc.assert` with the seed chosen, printed and passed, so a failing run can be replayed. */
export function assertProperty<Ts>(
  name: string,
  property: fc.IProperty<Ts>,
  params: fc.Parameters<Ts> = {},
): void {
  const seed = params.seed ?? propertySeed();
  console.log(`[fast-check] ${name}: seed ${seed} (replay with FC_SEED=${seed})`);
  fc.assert(property, { ...params, seed });
}
