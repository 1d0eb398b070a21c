// A structural pre-scan of msgpack bytes, run before msgpackr decodes them. Pure, iterative
// (an explicit stack, so hostile nesting cannot overflow ours), and fed without a socket.
// It proves the bytes are exactly one well-formed value that nests at most `maxDepth` deep and
// uses no extension types and only well-formed UTF-8 strings (a decoder would silently turn
// anything else into U+FFFD, so two distinct keys could meet), so the decoder never recurses deeply, never allocates an array
// larger than the frame, and never builds Dates, bigints-by-extension or records.
import { isUtf8 } from 'node:buffer';
import { WIRE_ERROR_CODES, problem, type WireProblem } from './wireErrors.js';

/**
 * Whether bytes[start, end) are well-formed UTF-8. Almost every string of the protocol (field
 * names, node ids, most keys) is ASCII, which a byte loop proves without the view and the native
 * call `isUtf8` costs per string; the first byte above 0x7f hands the rest to `isUtf8`.
 */
function isWellFormedText(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] as number) > 0x7f) return isUtf8(bytes.subarray(i, end));
  return true;
}

/** Why the bytes are refused, or null when the decoder may run. */
export function scanMsgpack(bytes: Uint8Array, maxDepth: number): WireProblem | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength;
  /** Items still to read in each open container; the bottom entry is the top-level value. */
  const remaining: number[] = [1];
  let pos = 0;

  const truncated = () => problem(WIRE_ERROR_CODES.MALFORMED, `truncated msgpack at byte ${pos}`);
  /** Reads an unsigned length of `width` bytes at `pos`, or -1 when the bytes run out. */
  const readLength = (width: 1 | 2 | 4): number => {
    if (pos + width > end) return -1;
    const length = width === 1 ? view.getUint8(pos) : width === 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += width;
    return length;
  };

  while (remaining.length > 0) {
    const top = remaining.length - 1;
    if (remaining[top] === 0) {
      remaining.pop();
      continue;
    }
    remaining[top] = (remaining[top] as number) - 1;
    if (pos >= end) return truncated();
    const byte = view.getUint8(pos++);

    let skip = 0; // payload bytes after the header
    let items = 0; // children of a container
    let text = false; // the payload is a string
    if (byte <= 0x7f || byte >= 0xe0)
      skip = 0; // fixint
    else if (byte <= 0x8f)
      items = (byte & 0x0f) * 2; // fixmap
    else if (byte <= 0x9f)
      items = byte & 0x0f; // fixarray
    else if (byte <= 0xbf) {
      skip = byte & 0x1f; // fixstr
      text = true;
    } else {
      switch (byte) {
        case 0xc0: // nil
        case 0xc2: // false
        case 0xc3: // true
          break;
        case 0xc4: // bin 8
        case 0xd9: // str 8
          skip = readLength(1);
          text = byte === 0xd9;
          break;
        case 0xc5: // bin 16
        case 0xda: // str 16
          skip = readLength(2);
          text = byte === 0xda;
          break;
        case 0xc6: // bin 32
        case 0xdb: // str 32
          skip = readLength(4);
          text = byte === 0xdb;
          break;
        case 0xcc: // uint 8
        case 0xd0: // int 8
          skip = 1;
          break;
        case 0xcd:
        case 0xd1:
          skip = 2;
          break;
        case 0xca: // float 32
        case 0xce:
        case 0xd2:
          skip = 4;
          break;
        case 0xcb: // float 64
        case 0xcf: // uint 64: decodes to a bigint when unsafe, which validation refuses
        case 0xd3:
          skip = 8;
          break;
        case 0xdc: // array 16
          items = readLength(2);
          break;
        case 0xdd: // array 32
          items = readLength(4);
          break;
        case 0xde: // map 16
          items = readLength(2) * 2;
          break;
        case 0xdf: // map 32
          items = readLength(4) * 2;
          break;
        case 0xc1:
          return problem(WIRE_ERROR_CODES.MALFORMED, `reserved msgpack byte 0xc1 at ${pos - 1}`);
        default: // 0xc7–0xc9, 0xd4–0xd8: extension types are not part of the protocol
          return problem(
            WIRE_ERROR_CODES.MALFORMED,
            `msgpack extension type (0x${byte.toString(16)}) at ${pos - 1}`,
          );
      }
    }
    if (skip < 0 || items < 0) return truncated();
    if (skip > 0) {
      if (pos + skip > end) return truncated();
      if (text && !isWellFormedText(bytes, pos, pos + skip))
        return problem(WIRE_ERROR_CODES.MALFORMED, `a string that is not well-formed UTF-8 at byte ${pos}`);
      pos += skip;
    }
    if (items > 0) {
      // Every item takes at least one byte: a count beyond the bytes left is a lie.
      if (items > end - pos) return truncated();
      if (remaining.length > maxDepth)
        return problem(WIRE_ERROR_CODES.TOO_DEEP, `msgpack nested deeper than ${maxDepth} levels`);
      remaining.push(items);
    }
  }
  if (pos !== end) return problem(WIRE_ERROR_CODES.MALFORMED, `${end - pos} bytes after the msgpack value`);
  return null;
}
