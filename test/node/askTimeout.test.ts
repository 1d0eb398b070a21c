// The message of a timed-out ask: always "the outcome is unknown", and what the node knew of
// its links: which members were unreachable and whether a quorum was reachable at all.
import { describe, expect, it } from 'vitest';
import { describeAskTimeout } from '../../src/node/askTimeout.js';

const facts = (down: readonly string[], members = ['a', 'b', 'c']) => ({
  key: 'k1',
  timeoutMs: 2000,
  node: 'a',
  members,
  linkUp: (peer: string) => !down.includes(peer),
});

describe('describeAskTimeout', () => {
  it('says no quorum was reachable when the node reaches too few members', () => {
    expect(describeAskTimeout(facts(['b', 'c']))).toBe(
      'no decision for key "k1" within 2000 ms; the outcome is unknown (the value may still be decided): ' +
        'unreachable from node a: b, c; no quorum was reachable (1 of 3 members, a quorum needs 2)',
    );
  });

  it('names the unreachable members when a quorum was reachable all the same', () => {
    expect(describeAskTimeout(facts(['c']))).toMatch(
      /the outcome is unknown .*: unreachable from node a: c, but a quorum \(2 of 3\) was reachable$/,
    );
    expect(describeAskTimeout(facts(['d', 'e'], ['a', 'b', 'c', 'd', 'e']))).toMatch(
      /unreachable from node a: d, e, but a quorum \(3 of 5\) was reachable$/,
    );
  });

  it('says every member was reachable when none was down', () => {
    expect(describeAskTimeout(facts([]))).toMatch(
      /the outcome is unknown .*: every member was reachable from node a/,
    );
  });

  it('says only that the outcome is unknown when the transport cannot tell links', () => {
    expect(describeAskTimeout({ ...facts([]), linkUp: () => undefined })).toBe(
      'no decision for key "k1" within 2000 ms; the outcome is unknown (the value may still be decided)',
    );
  });
});
