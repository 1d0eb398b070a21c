// Every batch frame carries the sender's configuration (docs/membership.md §5.1): a peer learns
// that the other side adopted a newer configuration from its next batch, without a new handshake,
// and hears it once per change, not once per frame.
import { afterAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/paxos/messages.js';
import type { WebSocketTransport } from '../../src/transport/peer/webSocketTransport.js';
import { decodeFrame, encodeFrame } from '../../src/transport/wire/codec.js';
import { PROTOCOL_VERSION } from '../../src/transport/wire/frames.js';
import { validateFrame } from '../../src/transport/wire/validateFrame.js';
import { WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';
import { envelope, linksSettled, startTransports, waitFor } from './helpers.js';

const open: WebSocketTransport[] = [];
afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
});

describe('batch frames and the configuration', () => {
  it('a peer hears a newer configuration from the next batch, once per change', async () => {
    const { transports, urls } = await startTransports(['a', 'b']);
    open.push(...Object.values(transports));
    const a = transports.a as WebSocketTransport;
    const b = transports.b as WebSocketTransport;
    const heard: Array<[string, number | undefined]> = [];
    b.onPeerConfig((peer, cfg) => heard.push([peer, cfg]));
    const got: Envelope[] = [];
    b.listen((e) => got.push(e));
    await waitFor(() => linksSettled(transports), 'links settled');
    a.send(envelope('a', 'b', 'k0'));
    await waitFor(() => got.length === 1, 'the first envelope');
    const before = heard.length; // the link's handshake announced configuration 1, if b saw it come up

    a.setMembership({
      configuration: {
        number: 5,
        epoch: 2,
        voters: ['a', 'b'],
        urls: { a: urls.a as string, b: urls.b as string },
      },
      peers: { b: urls.b as string },
      removed: {},
    });
    for (let i = 1; i <= 3; i++) {
      a.send(envelope('a', 'b', `k${i}`));
      await waitFor(() => got.length === i + 1, `envelope ${i}`);
    }
    expect(heard.slice(before)).toEqual([['a', 5]]);
  });

  it('a batch whose cfg is not a configuration number is refused', () => {
    for (const cfg of [-1, 1.5, 'two']) {
      const bytes = encodeFrame({ v: PROTOCOL_VERSION, t: 'batch', cfg, envelopes: [] } as never);
      const decoded = decodeFrame(bytes, 1 << 20);
      if (!decoded.ok) throw new Error(decoded.problem.detail);
      const checked = validateFrame(decoded.value);
      expect(checked.ok, String(cfg)).toBe(false);
      if (!checked.ok) expect([W.BAD_FIELD, W.OUT_OF_RANGE]).toContain(checked.problem.code);
    }
    const bytes = encodeFrame({ v: PROTOCOL_VERSION, t: 'batch', cfg: 7, envelopes: [] });
    const decoded = decodeFrame(bytes, 1 << 20);
    expect(decoded.ok && validateFrame(decoded.value)).toMatchObject({ ok: true, value: { cfg: 7 } });
  });
});
