// A node's resident memory split into anonymous and file-backed pages, from /proc/<pid>/status.
import { describe, expect, it } from 'vitest';
import { parseResidentSplit, residentSplit } from '../../src/server/residentMemory.js';

const STATUS = `Name:\tnode
VmRSS:\t  339712 kB
RssAnon:\t  114688 kB
RssFile:\t  224256 kB
RssShmem:\t     768 kB
Threads:\t11
`;

describe('resident memory', () => {
  it('reads RssAnon and RssFile, in bytes', () => {
    expect(parseResidentSplit(STATUS)).toEqual({ anonBytes: 114688 * 1024, fileBytes: 224256 * 1024 });
  });

  it('is unknown when the kernel does not give both lines', () => {
    expect(parseResidentSplit('Name:\tnode\nVmRSS:\t  339712 kB\n')).toBeUndefined();
    expect(parseResidentSplit(STATUS.replace(/^RssFile.*\n/m, ''))).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')("splits this process's own RSS", () => {
    const split = residentSplit();
    const rss = process.memoryUsage().rss;
    expect(split?.anonBytes).toBeGreaterThan(0);
    expect(split?.fileBytes).toBeGreaterThan(0);
    // Both parts are within the RSS (read a moment apart, so with some slack).
    expect((split?.anonBytes ?? 0) + (split?.fileBytes ?? 0)).toBeLessThan(rss * 1.5);
  });
});
