// Instance machines a scenario can run instead of the standard one (`cluster … instance=NAME`),
// to show how the node copes with a faulty instance. Built on the machine's public contract (the
// `ask` event and its `value`), not on its internal action names, so they survive refactors.
import type { AnyActorScope } from 'xstate';
import { instanceMachine } from '../../src/index.js';

type InstanceMachine = typeof instanceMachine;
import { ScenarioCommandError } from './args.js';

/** Throws (the instance crashes) whenever it is asked for the value "poison". */
function crashOnPoison(): InstanceMachine {
  const logic = Object.create(instanceMachine) as InstanceMachine;
  logic.transition = (snapshot, event, scope: AnyActorScope) => {
    if (event.type === 'ask' && event.value === 'poison') throw new Error('poisoned');
    return instanceMachine.transition(snapshot, event, scope);
  };
  return logic;
}

const VARIANTS: Record<string, () => InstanceMachine> = {
  'crash-on-poison': crashOnPoison,
};

export function instanceVariant(name: string): InstanceMachine {
  const make = VARIANTS[name];
  if (!make)
    throw new ScenarioCommandError(`unknown instance variant ${name} (${Object.keys(VARIANTS).join(', ')})`);
  return make();
}
