// Feed events come from other processes and recordings from files: each is checked before the
// model applies it. The events and optional fields added for a key's story and delivery by hand
// are checked like the rest, and events without the optional fields (older recordings) pass.
import { describe, expect, it } from 'vitest';
import { validateViewEvent } from '../../src/inspect/view/model/validateEvent.js';
import { durable, held, moved, release, send, state } from './modelEvents.js';

describe('validateViewEvent', () => {
  it('accepts the new events and fields, and the old shapes without them', () => {
    const good = [
      durable(1, 'a', 'k', { promised: '1.a', accepted: '1.a', value: '"red"' }),
      held(1, 'a', 'b', 'k', 'prepare', 3),
      release(1, 'a', 3, 'duplicate'),
      moved(1, 'a', 'k', 'preparing', 'proposing', {
        event: 'always',
        cause: 'promise',
        guard: 'g',
        ballot: '1.a',
      }),
      state(1, 'a', 'k', 'preparing'),
      { ...send(1, 'a', 'b', 'k', 'promise'), accepted: null },
      { ...send(1, 'a', 'b', 'k', 'promise'), accepted: '1.c', value: '"v"' },
      send(1, 'a', 'b', 'k', 'prepare'),
      {
        type: 'faults',
        t: 1,
        node: 'a',
        blockOut: [],
        blockIn: [],
        dropRate: 0,
        delayMs: 0,
        jitterMs: 0,
        hold: true,
      },
    ];
    for (const event of good) expect(validateViewEvent(event), JSON.stringify(event)).toEqual(event);
  });

  it('refuses them malformed', () => {
    const bad = [
      { ...durable(1, 'a', 'k', {}), promised: 3 },
      { ...durable(1, 'a', 'k', {}), decided: undefined },
      { ...held(1, 'a', 'b', 'k', 'prepare', 3), id: -1 },
      { ...held(1, 'a', 'b', 'k', 'prepare', 3), id: 1.5 },
      { ...release(1, 'a', 3, 'deliver'), how: 'explode' },
      { ...state(1, 'a', 'k', 'preparing'), from: 'elsewhere' },
      { ...state(1, 'a', 'k', 'preparing'), anyState: 'yes' },
      { ...send(1, 'a', 'b', 'k', 'promise'), accepted: 7 },
      { ...send(1, 'a', 'b', 'k', 'reject'), promised: null },
      {
        type: 'faults',
        t: 1,
        node: 'a',
        blockOut: [],
        blockIn: [],
        dropRate: 0,
        delayMs: 0,
        jitterMs: 0,
        hold: 1,
      },
    ];
    for (const event of bad) expect(validateViewEvent(event), JSON.stringify(event)).toBeNull();
  });
});
