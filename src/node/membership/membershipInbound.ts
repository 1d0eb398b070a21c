// What a node does with a membership message from a peer (membershipMessages.ts): adopt a chain it
// is sent, report its keys to a rescan once its fence for the new epoch is durable (R1), hold a
// rescan's copy durably before saying so (R2), and pass a rescanner's answers to it.
import type { Envelope, PaxosValue } from '../../paxos/messages.js';
import type { ReportEntry } from '../../paxos/rescan.js';
import { hasMembershipStore } from '../../storage/membershipStore.js';
import { measureValue } from '../../paxos/validate.js';
import type { Storage } from '../../storage/storage.js';
import type { MembershipMessage } from './membershipMessages.js';
import type { NodeMembership } from './nodeMembership.js';

/** What the node lends the handler. */
export interface MembershipInboundContext {
  readonly self: string;
  readonly membership: NodeMembership;
  readonly storage: Storage;
  /** Sends a membership message to a peer. */
  readonly send: (to: string, message: MembershipMessage) => void;
  /** Hands `envelope` to the key's step, as if it came from the transport. */
  readonly step: (envelope: Envelope) => void;
  /** Calls `callback` once every write of `key` issued so far is durable. */
  readonly afterWrites: (key: string, callback: () => void) => void;
  /** A rescanner's answers (reports, copies held): to whoever listens on this node. */
  readonly answer: (from: string, message: MembershipMessage) => void;
  /** A peer's chain contradicts this node's: an alarm. */
  readonly conflict: (from: string) => void;
}

export function handleMembershipMessage(
  context: MembershipInboundContext,
  from: string,
  message: MembershipMessage,
): void {
  const { membership } = context;
  switch (message.type) {
    case 'cfg.chain':
      if (!membership.learnChain(message.chain, message.completeEpoch)) context.conflict(from);
      return;
    case 'cfg.fetch':
      if (membership.adopted > message.since)
        context.send(from, {
          type: 'cfg.chain',
          chain: membership.chain,
          completeEpoch: membership.completeEpoch,
        });
      return;
    case 'cfg.report':
      // R1: only once this node's fence for the epoch is durable (the caller held every message
      // while it was written); before it adopted, the rescanner asks again after its chain.
      if (!membership.members().includes(from) || membership.fence < message.epoch) return;
      context.send(from, reportPage(context.storage, message.epoch, message.after));
      return;
    case 'cfg.learn': {
      if (!membership.members().includes(from)) return;
      const { key, value } = message;
      context.step({ from, to: context.self, key, message: { type: 'decide', value } });
      context.afterWrites(key, () => {
        const decided = context.storage.load(key)?.decided;
        if (decided) context.send(from, { type: 'cfg.learned', key, value: decided.value as PaxosValue });
      });
      return;
    }
    case 'cfg.reported':
    case 'cfg.learned':
      context.answer(from, message);
  }
}

/** A report page holds at most this many entries, and stops once its values reach REPORT_PAGE_BYTES. */
export const REPORT_PAGE_KEYS = 512;
export const REPORT_PAGE_BYTES = 256 * 1024;

/** The page of this node's report after `after`, within the page limits (one entry at least). */
function reportPage(storage: Storage, epoch: number, after: string | null): MembershipMessage {
  const all = hasMembershipStore(storage) ? storage.reportEntries() : [];
  const entries: ReportEntry[] = [];
  let bytes = 0;
  let index = after === null ? 0 : all.findIndex((entry) => entry.key > after);
  if (index < 0) index = all.length;
  for (; index < all.length; index++) {
    const entry = all[index] as ReportEntry;
    const size =
      entry.key.length * 3 +
      measureValue(entry.accepted?.value ?? null).bytes +
      measureValue(entry.decided?.value ?? null).bytes;
    if (entries.length > 0 && (entries.length >= REPORT_PAGE_KEYS || bytes + size > REPORT_PAGE_BYTES)) break;
    entries.push(entry);
    bytes += size;
  }
  return { type: 'cfg.reported', epoch, after, entries, more: index < all.length };
}
