// utf8Length (validate.ts): the UTF-8 size of keys and values, or -1 for a lone surrogate, which
// has no UTF-8 form. Long ASCII strings take a regex fast path; the answers must not change.
import { describe, expect, it } from 'vitest';
import { utf8Length } from '../../src/paxos/validate.js';

describe('utf8Length', () => {
  const cases = [
    'short',
    'value-17-'.padEnd(256, 'v'),
    'x'.repeat(33) + 'é',
    'é'.repeat(40),
    'prefix that is long enough to take the fast path ' + '✓𝄞',
    'NUL\u0000 and DEL\u007f: still ASCII, still one byte each, long enough to be scanned',
  ];
  for (const text of cases)
    it(`counts ${JSON.stringify(text.slice(0, 20))}… (${text.length} chars) as Buffer does`, () => {
      expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
    });

  it('finds a lone surrogate after a long ASCII prefix, and in a short string', () => {
    expect(utf8Length('a'.repeat(100) + '\ud800')).toBe(-1);
    expect(utf8Length('a'.repeat(100) + '\udc00' + 'b')).toBe(-1);
    expect(utf8Length('\udbff')).toBe(-1);
  });
});
