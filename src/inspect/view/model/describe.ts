// One line of text per view event, for the page's event log. Browser-safe.
import type { InFlightMessage, LostReason } from './inFlight.js';
import type { ViewEvent } from './viewEvents.js';

const ballot = (b: string | null): string => (b === null ? '' : ` ${b}`);

/** The log line of `event`, or null for events the log leaves out (ticks, snapshots' bulk). */
export function describeEvent(event: ViewEvent): string | null {
  switch (event.type) {
    case 'snapshot':
      return `${event.node} is up (incarnation ${event.incarnation.slice(0, 8)}, ${Object.keys(event.states).length} keys known)`;
    case 'state':
      return `${event.node} ${event.key} → ${event.state}${event.event ? ` (${event.event}${event.guard ? ` [${event.guard}]` : ''})` : ''}`;
    case 'send':
      return `${event.node}→${event.to} ${event.msg}${ballot(event.ballot)} ${event.key}`;
    case 'recv':
      return `${event.from}→${event.node} ${event.msg}${ballot(event.ballot)} ${event.key} received`;
    case 'decided':
      return `${event.node} decided ${event.key} = ${event.value}`;
    case 'durable':
      return `${event.node} ${event.key} on disk: ${recordText(event)}`;
    case 'held':
      return `${event.node}→${event.to} ${event.msg}${ballot(event.ballot)} ${event.key} held for delivery by hand`;
    case 'release':
      return `${event.node}: held message #${event.id} ${event.how === 'deliver' ? 'delivered' : event.how === 'drop' ? 'dropped' : 'duplicated'} by hand`;
    case 'link':
      return `${event.node}: link to ${event.peer} ${event.up ? 'up' : 'down'}`;
    case 'node':
      return `${event.node} ${event.up ? 'feed connected' : 'is down (feed lost)'}`;
    case 'faults': {
      const parts = [
        event.blockOut.length ? `blocks out ${event.blockOut.join(',')}` : '',
        event.blockIn.length ? `blocks in ${event.blockIn.join(',')}` : '',
        event.dropRate > 0 ? `drops ${Math.round(event.dropRate * 100)}%` : '',
        event.delayMs > 0 || event.jitterMs > 0 ? `delays ${event.delayMs}+${event.jitterMs} ms` : '',
      ].filter((p) => p !== '');
      return `${event.node} faults: ${parts.length ? parts.join(', ') : 'none'}`;
    }
    case 'note':
      return event.node ? `${event.node}: ${event.text}` : event.text;
    case 'drop': // the model logs the message it loses
    case 'tick':
      return null;
  }
}

function recordText(event: Extract<ViewEvent, { type: 'durable' }>): string {
  if (event.decided !== null) return `decided ${event.decided}`;
  const parts = [
    event.promised !== null ? `promised ${event.promised}` : '',
    event.accepted !== null ? `accepted ${event.value ?? ''} in ${event.accepted}` : '',
  ].filter((p) => p !== '');
  return parts.length ? parts.join(', ') : 'empty record';
}

export function describeLost(message: InFlightMessage, reason: LostReason): string {
  return `${message.from}→${message.to} ${message.msg}${ballot(message.ballot)} ${message.key} lost (${reason})`;
}
