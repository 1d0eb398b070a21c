// Who keeps the link when a member's hello or welcome arrives while a link to it is up
// (linkTakeover.ts): the tie-break, and no takeover of a live link, decided without sockets.
import { describe, expect, it } from 'vitest';
import {
  judgeInboundHello,
  judgeOutboundWelcome,
  type ExistingLink,
} from '../../src/transport/peer/linkTakeover.js';
import { WIRE_ERROR_CODES } from '../../src/transport/wire/wireErrors.js';

const HEARTBEAT_TIMEOUT_MS = 5000;
const live = (side: ExistingLink['side'], upForMs = 60_000): ExistingLink => ({
  side,
  isOpen: true,
  silentForMs: 100,
  upForMs,
});

describe('an inbound peer hello', () => {
  it('opens a link when none is up', () => {
    expect(judgeInboundHello('b', 'a', undefined, HEARTBEAT_TIMEOUT_MS)).toEqual({ kind: 'open' });
  });

  it('loses the tie-break to the link this node dialled, when this node has the smaller id', () => {
    const verdict = judgeInboundHello('a', 'b', live('dialled'), HEARTBEAT_TIMEOUT_MS);
    expect(verdict).toMatchObject({ kind: 'refuse', problem: { code: WIRE_ERROR_CODES.LINK_SUPERSEDED } });
  });

  it('never takes over a live link, even where the tie-break would favour it', () => {
    // b has a link a dialled: an impostor's second hello as a is refused and logged as a warning.
    const accepted = judgeInboundHello('b', 'a', live('accepted'), HEARTBEAT_TIMEOUT_MS);
    expect(accepted).toMatchObject({
      kind: 'refuse',
      problem: { code: WIRE_ERROR_CODES.LINK_UP },
      logLevel: 'warn',
    });
    // b dialled a itself a moment ago and a's own dial races it: normal at start, info.
    const race = judgeInboundHello('b', 'a', live('dialled', 200), HEARTBEAT_TIMEOUT_MS);
    expect(race).toMatchObject({
      kind: 'refuse',
      problem: { code: WIRE_ERROR_CODES.LINK_UP },
      logLevel: 'info',
    });
  });

  it('replaces a link silent past the heartbeat timeout, or closed', () => {
    const silent = { ...live('accepted'), silentForMs: HEARTBEAT_TIMEOUT_MS + 1 };
    expect(judgeInboundHello('b', 'a', silent, HEARTBEAT_TIMEOUT_MS)).toEqual({
      kind: 'replace',
      deadLink: true,
    });
    const closed = { ...live('accepted'), isOpen: false };
    expect(judgeInboundHello('b', 'a', closed, HEARTBEAT_TIMEOUT_MS)).toEqual({
      kind: 'replace',
      deadLink: true,
    });
  });
});

describe('an outbound welcome', () => {
  it('opens a link when none is up, else keeps the one dialled by the smaller id', () => {
    expect(judgeOutboundWelcome('b', 'a', false)).toEqual({ kind: 'open' });
    expect(judgeOutboundWelcome('a', 'b', true)).toEqual({ kind: 'replace', deadLink: false });
    expect(judgeOutboundWelcome('b', 'a', true)).toMatchObject({
      kind: 'refuse',
      problem: { code: WIRE_ERROR_CODES.LINK_SUPERSEDED },
    });
  });
});
