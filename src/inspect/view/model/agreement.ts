// The agreement badge: Paxos's safety property as the view sees it. Every decided key must
// have one value across all nodes; the first key seen with two is the offending key, shown in
// red. Incremental (one comparison per decision), so it stays cheap with many keys.
// Browser-safe.

export interface AgreementBadge {
  /** True while no key has two decided values. */
  readonly ok: boolean;
  /** Keys decided on at least one node. */
  readonly decidedKeys: number;
  /** Keys with two or more decided values. */
  readonly disagreeing: number;
  /** The first key found disagreeing, with the values seen for it. */
  readonly offending: { readonly key: string; readonly values: Readonly<Record<string, string>> } | null;
}

export interface AgreementData {
  readonly decided: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly disagreeing: readonly string[];
}

export class AgreementTracker {
  /** key → node → decided value. */
  private readonly decided = new Map<string, Map<string, string>>();
  /** In the order found: the first is the badge's offending key. */
  private readonly disagreeing = new Set<string>();

  /** Records that `node` decided `key` = `value`; false if that contradicts another node's decision. */
  record(key: string, node: string, value: string): boolean {
    let byNode = this.decided.get(key);
    if (!byNode) {
      byNode = new Map();
      this.decided.set(key, byNode);
    }
    byNode.set(node, value);
    for (const other of byNode.values()) {
      if (other !== value) {
        this.disagreeing.add(key);
        return false;
      }
    }
    return !this.disagreeing.has(key);
  }

  /** The decided value of `key` on `node`, if known. */
  valueOf(key: string, node: string): string | undefined {
    return this.decided.get(key)?.get(node);
  }

  /** The values of `key` by node. */
  valuesOf(key: string): Readonly<Record<string, string>> {
    return Object.fromEntries(this.decided.get(key) ?? []);
  }

  isDisagreeing(key: string): boolean {
    return this.disagreeing.has(key);
  }

  badge(): AgreementBadge {
    const first = this.disagreeing.values().next();
    return {
      ok: this.disagreeing.size === 0,
      decidedKeys: this.decided.size,
      disagreeing: this.disagreeing.size,
      offending: first.done ? null : { key: first.value, values: this.valuesOf(first.value) },
    };
  }

  toData(): AgreementData {
    const decided: Record<string, Record<string, string>> = {};
    for (const [key, byNode] of this.decided) decided[key] = Object.fromEntries(byNode);
    return { decided, disagreeing: [...this.disagreeing] };
  }

  static fromData(data: AgreementData): AgreementTracker {
    const tracker = new AgreementTracker();
    for (const [key, byNode] of Object.entries(data.decided))
      tracker.decided.set(key, new Map(Object.entries(byNode)));
    for (const key of data.disagreeing) tracker.disagreeing.add(key);
    return tracker;
  }
}
