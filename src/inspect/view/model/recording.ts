// Recordings: JSON lines, a RecordingHeader then one ViewEvent per line. Written by
// `gen-paxos demo --ui --record FILE` and the simulation export, read by the page's replay.
// Bad lines are counted and skipped, so a truncated recording (the demo was killed) still
// replays up to where it ends. Browser-safe.
import { validateRecordingHeader, validateViewEvent } from './validateEvent.js';
import { VIEW_FEED_VERSION, type RecordingHeader, type ViewEvent } from './viewEvents.js';

export interface ParsedRecording {
  readonly header: RecordingHeader | null;
  readonly events: ViewEvent[];
  /** Lines that were neither a header nor a valid event. */
  readonly skipped: number;
}

/** The header line of a recording (with its newline). */
export function recordingHeaderLine(source: string, nodes: readonly string[]): string {
  const header: RecordingHeader = { type: 'recording', version: VIEW_FEED_VERSION, source, nodes };
  return `${JSON.stringify(header)}\n`;
}

/** One event as a recording line (with its newline). */
export function recordingLine(event: ViewEvent): string {
  return `${JSON.stringify(event)}\n`;
}

export function parseRecording(text: string): ParsedRecording {
  let header: RecordingHeader | null = null;
  const events: ViewEvent[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const event = validateViewEvent(raw);
    if (event) {
      events.push(event);
      continue;
    }
    const maybeHeader: RecordingHeader | null =
      header === null && events.length === 0 ? validateRecordingHeader(raw) : null;
    if (maybeHeader) header = maybeHeader;
    else skipped++;
  }
  return { header, events, skipped };
}
