// Room for connections in their handshake (docs/security.md, "Handshakes"). Bounded in total and
// per source address; a newcomer is never refused for want of room while an older unfinished
// handshake can give way: the oldest from the same address first (an address past its share),
// else the oldest from an address that is not a member's. A genuine handshake takes a round trip,
// so a squatter must open more connections than the bound within that round trip to push one
// out. Members' addresses are never pushed out by others'. Pure bookkeeping: the caller closes
// what it is told to evict.

export interface HandshakeSlotLimits {
  readonly maxTotal: number;
  readonly maxPerAddress: number;
}

export type SlotVerdict<T> =
  | { readonly admitted: true; readonly evict: readonly T[] }
  | { readonly admitted: false; readonly evict: readonly T[] };

export class HandshakeSlots<T> {
  /** In arrival order, oldest first. */
  private readonly entries: Array<{ readonly item: T; readonly address: string }> = [];

  constructor(
    private readonly limits: HandshakeSlotLimits,
    /** Whether `address` is one of the members' (from the peers' URLs). */
    private readonly isMemberAddress: (address: string) => boolean,
  ) {}

  /** Slots where the members are those at the hosts of `peerUrls`. */
  static forMembers<T>(limits: HandshakeSlotLimits, peerUrls: readonly string[]): HandshakeSlots<T> {
    const members = new Set(peerUrls.map((url) => normalAddress(new URL(url).hostname)));
    return new HandshakeSlots<T>(limits, (address) => members.has(address));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Takes a slot for `item`; says which older handshakes must give way, or refuses `item`. */
  admit(item: T, address: string): SlotVerdict<T> {
    const evict: T[] = [];
    const sameAddress = this.entries.filter((entry) => entry.address === address);
    if (sameAddress.length >= this.limits.maxPerAddress) {
      evict.push(this.remove(sameAddress[0] as { item: T; address: string }));
    } else if (this.entries.length >= this.limits.maxTotal) {
      const member = this.isMemberAddress(address);
      const victim =
        this.entries.find((entry) => !this.isMemberAddress(entry.address)) ??
        (member ? this.entries[0] : undefined);
      if (victim === undefined) return { admitted: false, evict };
      evict.push(this.remove(victim));
    }
    this.entries.push({ item, address });
    return { admitted: true, evict };
  }

  /** The handshake ended (admitted, refused, evicted or closed). */
  release(item: T): void {
    const at = this.entries.findIndex((entry) => entry.item === item);
    if (at >= 0) this.entries.splice(at, 1);
  }

  items(): T[] {
    return this.entries.map((entry) => entry.item);
  }

  private remove(entry: { readonly item: T; readonly address: string }): T {
    this.entries.splice(this.entries.indexOf(entry), 1);
    return entry.item;
  }
}

/** An address as sockets report it: IPv4-mapped IPv6 as IPv4, brackets and case dropped. */
export function normalAddress(address: string): string {
  return address
    .replace(/^\[|\]$/g, '')
    .replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1')
    .toLowerCase();
}
