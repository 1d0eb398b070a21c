// A simulation seed exported in the view's format replays to the outcome the simulation
// checked: every key decided on every node, one value each, nothing left in flight. The
// control: a broken variant's run that the invariant checker catches as an agreement violation
// turns the view's badge red on the offending key.
import { describe, expect, it } from 'vitest';
import { ClusterModel } from '../../src/inspect/view/model/clusterModel.js';
import {
  parseRecording,
  recordingHeaderLine,
  recordingLine,
} from '../../src/inspect/view/model/recording.js';
import { Timeline } from '../../src/inspect/view/model/timeline.js';
import { simulationView } from './simulationView.js';
import { FRESH_KEY } from './simulation.js';

const replay = (events: Parameters<ClusterModel['apply']>[0][]) => {
  const model = new ClusterModel();
  for (const event of events) model.apply(event);
  return model;
};

describe('simulation seeds in the cluster view', () => {
  it('a seed replays to every key decided everywhere, in agreement', async () => {
    // The classic protocol, so every phase shows (the owner path skips preparing).
    const view = await simulationView({ seed: 7, ownerFastPath: false });
    expect(view.result.violations).toEqual([]);
    // Through the recording format, as the page reads it.
    const text =
      recordingHeaderLine('simulation seed 7', view.nodes) + view.events.map(recordingLine).join('');
    const parsed = parseRecording(text);
    expect(parsed.skipped).toBe(0);
    expect(parsed.header?.source).toBe('simulation seed 7');
    const timeline = new Timeline(parsed.events);
    const model = timeline.seek(timeline.length);
    // The keys of the fault window, and the one the probes ask first after healing.
    const keys = [...Array.from({ length: view.result.options.keys }, (_, i) => `k${i}`), FRESH_KEY];
    for (const key of keys)
      for (const node of view.nodes) expect(model.stateOf(key, node), `${key} on ${node}`).toBe('decided');
    expect(model.badge).toMatchObject({ ok: true, decidedKeys: keys.length });
    expect(model.notableEntries.some((e) => e.text.startsWith('heal:'))).toBe(true);
    // Phases are seen as they happened, not just their outcome.
    const states = new Set(parsed.events.flatMap((e) => (e.type === 'state' ? [e.state] : [])));
    expect(states).toEqual(new Set(['preparing', 'proposing', 'acknowledged', 'decided', 'nil']));
    expect(parsed.events.filter((e) => e.type === 'send').length).toBeGreaterThan(50);
  });

  it('the same seed exports the same events', async () => {
    const [first, second] = [await simulationView({ seed: 3 }), await simulationView({ seed: 3 })];
    expect(second.events).toEqual(first.events);
  });

  it('MUST FAIL: a quorum of 1 out of 3 shows as a red badge on the key it split', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const view = await simulationView({ seed, variant: 'quorum-of-one', ownerFastPath: false });
      const agreement = view.result.violations.find((v) => v.includes('agreement'));
      if (!agreement) continue;
      const badge = replay(view.events).badge;
      expect(badge.ok, `seed ${seed}: ${agreement}`).toBe(false);
      expect(agreement).toContain(badge.offending?.key);
      return;
    }
    expect.fail('no seed of the quorum-of-one variant broke agreement');
  });
});
