// Pure. The link faults the nemesis has in force, and what each node must be told through
// `setFaults` so that together they hold. A node's spec replaces its previous one and is lost
// when the node restarts, so the nemesis recomputes and re-sends it after every change.
import { NO_LINK_FAULTS, type LinkFaultSpec } from '../../src/transport/wire/frames.js';

export type LinkFault =
  /** No message crosses between the two sides, either way. Enforced on both sides. */
  | { readonly kind: 'partition'; readonly left: readonly string[]; readonly right: readonly string[] }
  /** The target hears everyone, nobody hears it. Enforced by the receivers (blockIn). */
  | { readonly kind: 'asymmetric'; readonly target: string }
  /** Messages from `from` to `to` are lost; the reverse direction works. Enforced by the sender. */
  | { readonly kind: 'one-way'; readonly from: string; readonly to: string }
  /** The target loses this fraction of what it sends. */
  | { readonly kind: 'drop'; readonly target: string; readonly rate: number }
  /** The target's messages wait `delayMs` plus up to `jitterMs`, which also reorders them. */
  | { readonly kind: 'delay'; readonly target: string; readonly delayMs: number; readonly jitterMs: number };

/** Every node's spec under `faults` (nodes no fault touches get NO_LINK_FAULTS). */
export function specsFor(
  ids: readonly string[],
  faults: readonly LinkFault[],
): Record<string, LinkFaultSpec> {
  const out = new Map(ids.map((id) => [id, new Set<string>()]));
  const inn = new Map(ids.map((id) => [id, new Set<string>()]));
  const specs = Object.fromEntries(ids.map((id) => [id, { ...NO_LINK_FAULTS }])) as Record<
    string,
    { -readonly [K in keyof LinkFaultSpec]: LinkFaultSpec[K] }
  >;
  for (const fault of faults) {
    switch (fault.kind) {
      case 'partition':
        for (const [side, other] of [
          [fault.left, fault.right],
          [fault.right, fault.left],
        ] as const)
          for (const id of side)
            for (const peer of other) {
              out.get(id)?.add(peer);
              inn.get(id)?.add(peer);
            }
        break;
      case 'asymmetric':
        for (const id of ids) if (id !== fault.target) inn.get(id)?.add(fault.target);
        break;
      case 'one-way':
        out.get(fault.from)?.add(fault.to);
        break;
      case 'drop': {
        const spec = specs[fault.target];
        if (spec) spec.dropRate = Math.max(spec.dropRate, fault.rate);
        break;
      }
      case 'delay': {
        const spec = specs[fault.target];
        if (spec) {
          spec.delayMs = Math.max(spec.delayMs, fault.delayMs);
          spec.jitterMs = Math.max(spec.jitterMs, fault.jitterMs);
        }
        break;
      }
      default:
        assertNever(fault);
    }
  }
  for (const id of ids) {
    const spec = specs[id] as (typeof specs)[string];
    spec.blockOut = [...(out.get(id) as Set<string>)].sort();
    spec.blockIn = [...(inn.get(id) as Set<string>)].sort();
  }
  return specs;
}

/** The nodes whose spec a fault changes (to re-send only theirs). */
export function nodesTouched(ids: readonly string[], fault: LinkFault): string[] {
  switch (fault.kind) {
    case 'partition':
      return [...fault.left, ...fault.right];
    case 'asymmetric':
      return ids.filter((id) => id !== fault.target);
    case 'one-way':
      return [fault.from];
    case 'drop':
    case 'delay':
      return [fault.target];
    default:
      return assertNever(fault);
  }
}

/** One line for logs: `partition n1,n2 | n3,n4,n5`. */
export function describeFault(fault: LinkFault): string {
  switch (fault.kind) {
    case 'partition':
      return `partition ${fault.left.join(',')} | ${fault.right.join(',')}`;
    case 'asymmetric':
      return `asymmetric: nobody hears ${fault.target}`;
    case 'one-way':
      return `one-way ${fault.from} -> ${fault.to} cut`;
    case 'drop':
      return `drop ${Math.round(fault.rate * 100)}% of ${fault.target}'s messages`;
    case 'delay':
      return `delay ${fault.target}'s messages ${fault.delayMs}+${fault.jitterMs} ms`;
    default:
      return assertNever(fault);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected link fault ${JSON.stringify(value)}`);
}
