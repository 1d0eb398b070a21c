// How a node's resident memory splits (Linux): anonymous pages (V8's heap, buffers, native
// allocations) and file-backed pages (mostly LMDB's memory map of data.mdb, which is the database's
// page cache and which the kernel can drop under pressure). RSS counts both, so a status reader
// cannot tell a larger heap from a larger database without this.
import { readFileSync } from 'node:fs';

export interface ResidentSplit {
  readonly anonBytes: number;
  readonly fileBytes: number;
}

/** The split read from `/proc/self/status`, or undefined where the kernel offers none. */
export function residentSplit(): ResidentSplit | undefined {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return undefined;
  }
  return parseResidentSplit(status);
}

/** The `RssAnon` and `RssFile` lines of a `/proc/<pid>/status` text, in bytes; undefined if absent. */
export function parseResidentSplit(status: string): ResidentSplit | undefined {
  const kib = (field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const anonBytes = kib('RssAnon');
  const fileBytes = kib('RssFile');
  return anonBytes === undefined || fileBytes === undefined ? undefined : { anonBytes, fileBytes };
}
