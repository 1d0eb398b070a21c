// The write-once register checker, with control histories that must fail (one per rule) and
// histories that must pass (concurrent asks, unknown outcomes, unfinished calls, null reads).
// STYLE.md: a checker that cannot fail is caught by its must-fail controls.
import { describe, expect, it } from 'vitest';
import { checkHistory, formatHistoryCheck, type Rule } from './checker.js';
import type { HistoryOp, OpFunction, OpType } from './history.js';

/** `time process type f key value` per line; value `-` is null, `{...}` is JSON. */
function history(...lines: string[]): HistoryOp[] {
  return lines.map((line) => {
    const [time, process, type, f, key, value] = line.trim().split(/\s+/);
    return {
      process: process as string,
      type: type as OpType,
      f: f as OpFunction,
      key: key as string,
      value: value === undefined || value === '-' ? null : value.startsWith('{') ? JSON.parse(value) : value,
      time: Number(time),
    };
  });
}

function rulesBroken(ops: HistoryOp[]): Rule[] {
  const check = checkHistory(ops);
  if (!check.valid) console.log(formatHistoryCheck(check));
  return [...new Set(check.violations.map((v) => v.rule))];
}

describe('history checker: must-fail controls', () => {
  it('agreement: two asks told different values', () => {
    expect(
      rulesBroken(
        history('1 p1 invoke ask k A', '2 p2 invoke ask k B', '3 p1 ok ask k A', '4 p2 ok ask k B'),
      ),
    ).toEqual(['agreement']);
  });

  it('agreement: a read disagrees with an ask', () => {
    expect(
      rulesBroken(
        history(
          '1 p1 invoke ask k A',
          '2 p2 invoke ask k B',
          '3 p1 ok ask k A',
          '4 p2 info ask k -',
          '5 p3 invoke read k -',
          '6 p3 ok read k B',
        ),
      ),
    ).toEqual(['agreement']);
  });

  it('validity: a value nobody asked for', () => {
    expect(rulesBroken(history('1 p1 invoke ask k A', '2 p1 ok ask k C'))).toEqual(['validity']);
  });

  it('validity: a value whose only ask definitely failed', () => {
    expect(
      rulesBroken(
        history('1 p1 invoke ask k C', '2 p1 fail ask k -', '3 p2 invoke read k -', '4 p2 ok read k C'),
      ),
    ).toEqual(['validity']);
  });

  it('validity is per key: a value asked for another key does not count', () => {
    expect(rulesBroken(history('1 p1 invoke ask j A', '2 p2 invoke read k -', '3 p2 ok read k A'))).toEqual([
      'validity',
    ]);
  });

  it('real time: a read returns a value before its ask was invoked', () => {
    expect(
      rulesBroken(
        history('1 p2 invoke read k -', '2 p2 ok read k A', '3 p1 invoke ask k A', '4 p1 ok ask k A'),
      ),
    ).toEqual(['real-time']);
  });

  it('real time uses times, not line order: a merged history recorded out of order', () => {
    const ops = history('3 p1 invoke ask k A', '4 p1 ok ask k A', '1 p2 invoke read k -', '2 p2 ok read k A');
    expect(rulesBroken(ops)).toEqual(['real-time']);
  });

  it('well-formed: a completion nobody invoked, and two operations in flight on one process', () => {
    expect(rulesBroken(history('1 p1 ok ask k A'))).toEqual(['well-formed']);
    expect(rulesBroken(history('1 p1 invoke ask k A', '2 p1 invoke read k -'))).toEqual(['well-formed']);
  });
});

describe('history checker: must-pass histories', () => {
  it('concurrent asks of different values all told the winner; reads null or the winner', () => {
    const check = checkHistory(
      history(
        '1 p1 invoke ask k A',
        '1 p2 invoke ask k B',
        '2 p3 invoke read k -',
        '3 p3 ok read k -',
        '4 p2 ok ask k A',
        '5 p1 ok ask k A',
        '6 p3 invoke read k -',
        '7 p3 ok read k A',
      ),
    );
    expect(check.valid).toBe(true);
    expect(check.decided.get('k')).toBe('A');
    expect(check.counts.readsNotDecided).toBe(1);
  });

  it('info: a timed-out ask may still be chosen later', () => {
    expect(
      checkHistory(
        history('1 p1 invoke ask k A', '9 p1 info ask k -', '10 p2 invoke ask k B', '11 p2 ok ask k A'),
      ).valid,
    ).toBe(true);
  });

  it('an ask still in flight when the history ends may have been chosen', () => {
    expect(
      checkHistory(history('1 p1 invoke ask k A', '2 p2 invoke read k -', '3 p2 ok read k A')).valid,
    ).toBe(true);
  });

  it('the decision may be read while its ask is still in flight, even before any ask returns', () => {
    expect(
      checkHistory(
        history('1 p1 invoke ask k A', '2 p2 invoke read k -', '3 p2 ok read k A', '4 p1 ok ask k A'),
      ).valid,
    ).toBe(true);
  });

  it('a failed ask of another value does not matter', () => {
    expect(
      checkHistory(
        history('1 p1 invoke ask k B', '2 p1 fail ask k -', '3 p2 invoke ask k A', '4 p2 ok ask k A'),
      ).valid,
    ).toBe(true);
  });

  it('keys are independent, and object values compare by content', () => {
    const check = checkHistory(
      history(
        '1 p1 invoke ask k {"a":1,"b":2}',
        '2 p1 ok ask k {"b":2,"a":1}',
        '3 p1 invoke ask j B',
        '4 p1 ok ask j B',
      ),
    );
    expect(check.valid).toBe(true);
    expect(check.counts.keys).toBe(2);
  });

  it('an empty history is valid', () => {
    expect(checkHistory([]).valid).toBe(true);
  });
});

describe('history checker: linearizable reads (quorum reads, docs/membership.md §8.3)', () => {
  const stale = history(
    '1 p1 invoke ask k A',
    '2 p1 ok ask k A',
    // p2 reads on a node that has not learned the decision yet: fine for a local read only.
    '3 p2 invoke read k -',
    '4 p2 ok read k -',
  );

  it('must fail: a read says "not decided" after the value was returned to someone', () => {
    const check = checkHistory(stale, { reads: 'linearizable' });
    expect(check.violations.map((v) => v.rule)).toEqual(['stale-read']);
    expect(check.violations[0]?.ops.map((op) => op.time)).toEqual([1, 2, 3, 4]);
  });

  it('the same history passes as local reads, which promise no more', () => {
    expect(checkHistory(stale).valid).toBe(true);
    expect(checkHistory(stale, { reads: 'local' }).valid).toBe(true);
  });

  it('must fail: "not decided" after another read returned the value', () => {
    const check = checkHistory(
      history(
        '1 p1 invoke ask k A',
        '2 p2 invoke read k -',
        '3 p2 ok read k A',
        '4 p3 invoke read k -',
        '5 p3 ok read k -',
        '6 p1 info ask k -',
      ),
      { reads: 'linearizable' },
    );
    expect(check.violations.map((v) => v.rule)).toEqual(['stale-read']);
  });

  it('must pass: "not decided" from a read that began before any answer was returned', () => {
    const check = checkHistory(
      history(
        '1 p1 invoke ask k A',
        '2 p2 invoke read k -',
        '3 p1 ok ask k A',
        '4 p2 ok read k -',
        '5 p3 invoke read k -',
        '6 p3 ok read k A',
      ),
      { reads: 'linearizable' },
    );
    expect(check.valid).toBe(true);
    expect(check.counts.readsNotDecided).toBe(1);
  });

  it('must pass: "not decided" while an ask whose outcome is unknown may still be chosen later', () => {
    expect(
      checkHistory(
        history('1 p1 invoke ask k A', '2 p1 info ask k -', '3 p2 invoke read k -', '4 p2 ok read k -'),
        { reads: 'linearizable' },
      ).valid,
    ).toBe(true);
  });
});
