// The pre-scan's string check (msgpackScan.ts): only well-formed UTF-8 reaches the decoder, which
// would turn anything else into U+FFFD, so that two distinct keys could become one. ASCII is
// proven by a byte loop; the first byte above 0x7f hands the rest of the string to `isUtf8`.
import { describe, expect, it } from 'vitest';
import { scanMsgpack } from '../../src/transport/wire/msgpackScan.js';
import { WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';

/** A msgpack str 8 holding exactly `payload`. */
function str8(payload: number[]): Uint8Array {
  return new Uint8Array([0xd9, payload.length, ...payload]);
}
const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];

describe('scanMsgpack: strings', () => {
  it('accepts ASCII and well-formed multibyte UTF-8, also after an ASCII prefix', () => {
    expect(scanMsgpack(str8(ascii('plain-key-42')), 8)).toBeNull();
    expect(scanMsgpack(str8([...Buffer.from('clé ✓ 𝄞', 'utf8')]), 8)).toBeNull();
    expect(scanMsgpack(str8([...ascii('prefix-'), ...Buffer.from('é', 'utf8')]), 8)).toBeNull();
  });

  const malformed: Array<[string, number[]]> = [
    ['a lone continuation byte after ASCII', [...ascii('ab'), 0x80]],
    ['0xff', [0xff]],
    ['an overlong encoding of "/"', [...ascii('x'), 0xc0, 0xaf]],
    ['a multibyte sequence cut by the end of the string', [...ascii('abc'), 0xe2, 0x82]],
    ['a surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
    ['a bad byte after a good multibyte character', [0xc3, 0xa9, 0xff, ...ascii('tail')]],
  ];
  for (const [what, payload] of malformed)
    it(`refuses ${what}`, () => {
      expect(scanMsgpack(str8(payload), 8)?.code).toBe(W.MALFORMED);
    });

  it('checks strings inside maps too (keys and values)', () => {
    const map = new Uint8Array([0x81, 0xa1, 0x6b, 0xa2, 0x61, 0xfe]); // { k: "a\xfe" }
    expect(scanMsgpack(map, 8)?.code).toBe(W.MALFORMED);
    const key = new Uint8Array([0x81, 0xa2, 0x6b, 0x80, 0xa1, 0x61]); // { "k\x80": "a" }
    expect(scanMsgpack(key, 8)?.code).toBe(W.MALFORMED);
  });
});
