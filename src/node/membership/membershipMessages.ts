// Membership messages between nodes (docs/membership.md §5.3, §6.3): the configuration chain
// pushed to a member that may not know it, a rescan's request for a report and the report, and a
// rescan's copy of a decided value with its acknowledgement (sent once the copy is durable).
// Until the wire protocol gets message types of its own (protocol v2, §5.1), each travels as a
// `forward` envelope on the reserved key `\0cfg` whose value is the message: valid on every
// transport as it is, and never taken for a key's message (reserved keys are the node's). What a
// peer sends is unchecked: `decodeMembership` validates it field by field.
import type { Configuration } from '../../paxos/config.js';
import type { AcceptedProposal, Envelope, PaxosValue } from '../../paxos/messages.js';
import type { ReportEntry } from '../../paxos/rescan.js';
import { checkKey } from '../../paxos/validate.js';

/** The reserved key membership messages travel on. */
export const MEMBERSHIP_KEY = '\u0000cfg';

export type MembershipMessage =
  | {
      readonly type: 'cfg.chain';
      /** Configurations 0..N in order (`chain[i].number === i`). */
      readonly chain: readonly Configuration[];
      /** The highest epoch the sender knows complete. */
      readonly completeEpoch: number;
    }
  /** Send me your chain: mine ends at configuration `since` (§5.3). */
  | { readonly type: 'cfg.fetch'; readonly since: number }
  /** Report your keys once your fence for `epoch` is durable (R1). */
  /** The page of the report after key `after` (null: from the start). */
  | { readonly type: 'cfg.report'; readonly epoch: number; readonly after: string | null }
  | {
      readonly type: 'cfg.reported';
      readonly epoch: number;
      /** The `after` of the request this page answers. */
      readonly after: string | null;
      readonly entries: readonly ReportEntry[];
      /** False on the report's last page. */
      readonly more: boolean;
    }
  /** Hold `value` decided for `key` durably (a rescan copy, R2). */
  | { readonly type: 'cfg.learn'; readonly key: string; readonly value: PaxosValue }
  /** `key` is durably decided here, with `value`. */
  | { readonly type: 'cfg.learned'; readonly key: string; readonly value: PaxosValue };

export function membershipEnvelope(from: string, to: string, message: MembershipMessage): Envelope {
  return {
    from,
    to,
    key: MEMBERSHIP_KEY,
    message: { type: 'forward', value: message as unknown as PaxosValue },
  };
}

/** The membership message an envelope carries, or null when it carries none or a malformed one. */
export function decodeMembership(envelope: Envelope): MembershipMessage | null {
  if (envelope.key !== MEMBERSHIP_KEY || envelope.message.type !== 'forward') return null;
  const raw = envelope.message.value as Record<string, unknown> | null;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  switch (raw.type) {
    case 'cfg.chain': {
      const chain = raw.chain;
      if (!Array.isArray(chain) || !isCount(raw.completeEpoch)) return null;
      const configs = chain.map(configuration);
      if (configs.some((config, i) => config === null || config.number !== i)) return null;
      return { type: 'cfg.chain', chain: configs as Configuration[], completeEpoch: raw.completeEpoch };
    }
    case 'cfg.fetch':
      return typeof raw.since === 'number' && Number.isSafeInteger(raw.since) && raw.since >= -1
        ? { type: 'cfg.fetch', since: raw.since }
        : null;
    case 'cfg.report':
      return isCount(raw.epoch) && isCursor(raw.after)
        ? { type: 'cfg.report', epoch: raw.epoch, after: raw.after }
        : null;
    case 'cfg.reported': {
      if (!isCount(raw.epoch) || !Array.isArray(raw.entries) || !isCursor(raw.after)) return null;
      if (typeof raw.more !== 'boolean') return null;
      const entries = raw.entries.map(reportEntry);
      if (entries.some((entry) => entry === null)) return null;
      return {
        type: 'cfg.reported',
        epoch: raw.epoch,
        after: raw.after,
        entries: entries as ReportEntry[],
        more: raw.more,
      };
    }
    case 'cfg.learn':
    case 'cfg.learned':
      if (typeof raw.key !== 'string' || checkKey(raw.key) !== null || !('value' in raw)) return null;
      return { type: raw.type, key: raw.key, value: raw.value as PaxosValue };
    default:
      return null;
  }
}

function isCursor(value: unknown): value is string | null {
  return value === null || (typeof value === 'string' && checkKey(value) === null);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isNames(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((id) => typeof id === 'string' && id.length > 0);
}

function configuration(raw: unknown): Configuration | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (!isCount(r.number) || !isCount(r.epoch) || !isNames(r.voters) || r.voters.length === 0) return null;
  const urls = r.urls;
  if (typeof urls !== 'object' || urls === null || Array.isArray(urls)) return null;
  if (!Object.values(urls).every((url) => typeof url === 'string')) return null;
  return {
    number: r.number,
    epoch: r.epoch,
    voters: [...r.voters].sort(),
    urls: { ...(urls as Record<string, string>) },
  };
}

function reportEntry(raw: unknown): ReportEntry | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.key !== 'string' || checkKey(r.key) !== null) return null;
  const accepted = r.accepted === null ? null : acceptedProposal(r.accepted);
  if (accepted === undefined) return null;
  const decided = r.decided;
  if (decided !== null && (typeof decided !== 'object' || decided === undefined || !('value' in decided)))
    return null;
  if (accepted === null && decided === null) return null;
  return {
    key: r.key,
    accepted,
    decided: decided === null ? null : { value: (decided as { value: PaxosValue }).value },
  };
}

function acceptedProposal(raw: unknown): AcceptedProposal | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as { ballot?: Record<string, unknown>; value?: PaxosValue };
  const b = r.ballot;
  if (typeof b !== 'object' || b === null || !isCount(b.round) || typeof b.node !== 'string')
    return undefined;
  if (b.epoch !== undefined && !isCount(b.epoch)) return undefined;
  if (!('value' in r)) return undefined;
  const ballot =
    b.epoch === undefined || b.epoch === 0
      ? { round: b.round, node: b.node }
      : { epoch: b.epoch, round: b.round, node: b.node };
  return { ballot, value: r.value as PaxosValue };
}
