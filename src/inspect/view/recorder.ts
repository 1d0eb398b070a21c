// Records the aggregated view events to a JSON-lines file (a header, then one event per line),
// for replay in the page. Writing is buffered by the stream; the nodes never wait for it.
import { createWriteStream } from 'node:fs';
import type { ClusterFeed } from './clusterFeed.js';
import { recordingHeaderLine, recordingLine } from './model/recording.js';

export interface Recording {
  /** Events written so far. */
  readonly events: number;
  /** Stops recording and flushes the file. */
  close(): Promise<void>;
}

export function recordFeed(feed: ClusterFeed, file: string, source: string): Recording {
  const out = createWriteStream(file, { flags: 'w' });
  let failure: Error | null = null;
  out.on('error', (error) => (failure = error));
  out.write(recordingHeaderLine(source, feed.nodes));
  let events = 0;
  const stop = feed.onEvent((event) => {
    events++;
    out.write(recordingLine(event));
  });
  return {
    get events() {
      return events;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        stop();
        out.end(() => (failure ? reject(failure) : resolve()));
      }),
  };
}
