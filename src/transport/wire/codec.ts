// The msgpack codec of frames. Encoding never fails for validated data; decoding never throws:
// it returns the decoded value (still unvalidated, see validateFrame.ts) or a coded problem.
// msgpackr is configured to yield plain data only: no records, no structured clone, maps as
// objects, binaries copied out of the frame (so a stored value does not pin a whole frame).
import { Packr } from 'msgpackr';
import { NonStringKeyError, createPlainUnpack } from '../../base/plainMsgpack.js';
import type { Frame } from './frames.js';
import { MAX_FRAME_DEPTH } from './frames.js';
import { scanMsgpack } from './msgpackScan.js';
import { WIRE_ERROR_CODES, problem, type WireProblem } from './wireErrors.js';

const packr = new Packr({ useRecords: false, structuredClone: false });
// Keeps `__proto__` keys (plainMsgpack.ts): a value is decided exactly as it was asked.
const unpack = createPlainUnpack({
  structuredClone: false,
  copyBuffers: true,
  // 64-bit integers in the safe range become numbers; beyond it bigints, which validation
  // refuses. msgpackr supports 'auto' (unpack.js) but its typings stop at 'string'.
  int64AsType: 'auto' as 'bigint',
});

export function encodeFrame(frame: Frame): Uint8Array {
  return packr.pack(frame);
}

export type DecodeResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: WireProblem };

/** Decodes one frame's bytes: size bound, structural scan, then msgpackr. */
export function decodeFrame(bytes: Uint8Array, maxFrameBytes: number): DecodeResult {
  if (bytes.byteLength > maxFrameBytes) {
    return {
      ok: false,
      problem: problem(
        WIRE_ERROR_CODES.OVERSIZED,
        `frame of ${bytes.byteLength} bytes exceeds ${maxFrameBytes}`,
      ),
    };
  }
  const scanned = scanMsgpack(bytes, MAX_FRAME_DEPTH);
  if (scanned !== null) return { ok: false, problem: scanned };
  try {
    return { ok: true, value: unpack(bytes) };
  } catch (error) {
    if (error instanceof NonStringKeyError)
      return { ok: false, problem: problem(WIRE_ERROR_CODES.MALFORMED, error.message) };
    // The scan admits only well-formed values, so this is msgpackr refusing something finer
    // (a map with a map as key, say): still malformed input, never a crash.
    return {
      ok: false,
      problem: problem(WIRE_ERROR_CODES.MALFORMED, `undecodable msgpack: ${(error as Error).message}`),
    };
  }
}
