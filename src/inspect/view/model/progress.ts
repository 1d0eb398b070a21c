// Can the cluster decide? Paxos needs a proposer that can exchange messages with a majority of
// the members (itself included), both ways. From what the view knows — nodes up or down, links
// up or down, blocks injected by the demo — this says which nodes can still decide, and puts
// it in words for the page when some (or all) cannot. Loss and delay slow Paxos down but do not
// stop it, so they are not counted here. Browser-safe.

export interface ReachNode {
  readonly id: string;
  readonly up: boolean;
  readonly links: Readonly<Record<string, boolean>>;
  readonly faults: { readonly blockOut: readonly string[]; readonly blockIn: readonly string[] };
}

export interface Progress {
  /** Nodes needed for a decision. */
  readonly majority: number;
  readonly total: number;
  /** Nodes that are up and can reach a majority (counting themselves): they can decide. */
  readonly deciding: readonly string[];
  /** Nodes that are up but cannot reach a majority, with how many they reach (themselves included). */
  readonly stuck: readonly { readonly id: string; readonly reach: number }[];
  readonly down: readonly string[];
  /** What the page says; null when every node can decide. */
  readonly message: string | null;
}

/** True if `a` and `b` can exchange messages both ways as far as the view knows. */
export function canTalk(a: ReachNode, b: ReachNode): boolean {
  if (!a.up || !b.up) return false;
  if (a.links[b.id] === false || b.links[a.id] === false) return false;
  const blocked = (x: ReachNode, y: ReachNode) =>
    x.faults.blockOut.includes(y.id) || x.faults.blockIn.includes(y.id);
  return !blocked(a, b) && !blocked(b, a);
}

export function progressOf(nodes: readonly ReachNode[]): Progress {
  const total = nodes.length;
  const majority = Math.floor(total / 2) + 1;
  const deciding: string[] = [];
  const stuck: { id: string; reach: number }[] = [];
  const down: string[] = [];
  for (const node of nodes) {
    if (!node.up) {
      down.push(node.id);
      continue;
    }
    const reach = 1 + nodes.filter((peer) => peer.id !== node.id && canTalk(node, peer)).length;
    if (reach >= majority) deciding.push(node.id);
    else stuck.push({ id: node.id, reach });
  }
  return {
    majority,
    total,
    deciding,
    stuck,
    down,
    message: messageOf(majority, total, deciding, stuck, down),
  };
}

const list = (ids: readonly string[]): string =>
  ids.length <= 1 ? (ids[0] ?? '') : `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;

function messageOf(
  majority: number,
  total: number,
  deciding: readonly string[],
  stuck: readonly { id: string; reach: number }[],
  down: readonly string[],
): string | null {
  if (total === 0 || (stuck.length === 0 && down.length === 0)) return null;
  const need = `a decision needs ${majority} of the ${total} nodes to talk to each other`;
  const why = [
    down.length > 0 ? `${list(down)} ${down.length === 1 ? 'is' : 'are'} down` : '',
    stuck.length > 0 ? `${list(stuck.map((s) => s.id))} ${stuck.length === 1 ? 'is' : 'are'} cut off` : '',
  ]
    .filter((part) => part !== '')
    .join(', ');
  if (deciding.length === 0)
    return `No progress is possible: ${need}, and no node can reach that many (${why}). Keys asked now wait, undecided, until enough nodes are back.`;
  if (stuck.length === 0)
    return `${why}: the others (${list(deciding)}) still form a majority and keep deciding.`;
  return `${list(stuck.map((s) => s.id))} cannot decide on ${stuck.length === 1 ? 'its' : 'their'} own: ${need}. Keys asked there wait until it can reach a majority; ${list(deciding)} keep deciding.`;
}
