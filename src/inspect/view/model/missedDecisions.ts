// The keys a node missed the decision of: first decided while the node was down, or cut off
// from the node that decided, and not heard of on that node since. A key's round does not reach
// a node that is not there: it learns the decision from its peers' decided logs (catch-up), when
// the key is asked there again, or when its takeover timer finds it (it had voted). The page
// explains the grey cells this leaves meanwhile. Browser-safe, plain data.

/** What the tracker needs to know of a node when a key is decided. */
export interface NodeReach {
  readonly id: string;
  readonly up: boolean;
  /** Null until the node was first seen up. */
  readonly incarnation: string | null;
  readonly faults: { readonly blockOut: readonly string[]; readonly blockIn: readonly string[] };
}

export type MissedData = readonly (readonly [string, readonly string[]])[];

export class MissedDecisions {
  private readonly byNode = new Map<string, Set<string>>();

  /** `key` was just decided first by `decider`: every node that cannot hear of it misses it. */
  decidedFirst(key: string, decider: string, nodes: Iterable<NodeReach>): void {
    const all = [...nodes];
    const from = all.find((n) => n.id === decider);
    for (const node of all) {
      if (node.id === decider || node.incarnation === null) continue;
      const cut =
        from !== undefined &&
        (from.faults.blockOut.includes(node.id) || node.faults.blockIn.includes(decider));
      if (node.up && !cut) continue;
      let keys = this.byNode.get(node.id);
      if (!keys) this.byNode.set(node.id, (keys = new Set()));
      keys.add(key);
    }
  }

  /** `node` reported a state for `key`: it knows of the key now. */
  heard(node: string, key: string): void {
    this.byNode.get(node)?.delete(key);
  }

  has(node: string, key: string): boolean {
    return this.byNode.get(node)?.has(key) ?? false;
  }

  count(node: string): number {
    return this.byNode.get(node)?.size ?? 0;
  }

  toData(): MissedData {
    return [...this.byNode].map(([node, keys]) => [node, [...keys]] as const);
  }

  static fromData(data: MissedData | undefined): MissedDecisions {
    const missed = new MissedDecisions();
    for (const [node, keys] of data ?? []) missed.byNode.set(node, new Set(keys));
    return missed;
  }
}
