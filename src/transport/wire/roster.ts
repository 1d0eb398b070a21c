// The handshake's membership checks (docs/membership.md §5.4): what a node knows of its group's
// configuration, and whether a peer that announced its own may open a link. Member lists may
// legitimately differ between peers for a while (a change is being adopted), so the checks look at
// the peer's id against the newest configuration this node adopted, not at the peer's list. Pure.
import { WIRE_ERROR_CODES, problem, type WireProblem } from './wireErrors.js';

/** A configuration as the handshake announces it: its number and the digest of its record. */
export interface AnnouncedConfig {
  readonly number: number;
  readonly digest: string;
}

/** What a node knows of its group's membership, for its handshakes. */
export interface Roster {
  /** The adopted configuration; null while a joining node has none (it then admits any peer). */
  readonly config: AnnouncedConfig | null;
  /** Whether `id` is linked now: a voter of the newest configuration, or a previous voter while its transition runs. */
  isMember(id: string): boolean;
  /** The configuration whose completed transition removed `id`; null if `id` was never a member here. */
  removedIn(id: string): number | null;
  /** The configuration that removed this node itself (it then links nobody), or null. */
  readonly selfRemovedIn?: number | null;
}

/** What a hello or welcome announced: both fields, or neither (a joining node, a client). */
export interface Announced {
  readonly cfg?: number | undefined;
  readonly digest?: string | undefined;
}

/** The same configuration number with another record: never admitted, whichever side checks. */
export function checkConfigConflict(announced: Announced, roster: Roster | undefined): WireProblem | null {
  const own = roster?.config ?? null;
  if (own === null || announced.cfg !== own.number || announced.digest === own.digest) return null;
  return problem(
    WIRE_ERROR_CODES.CONFIG_CONFLICT,
    `configuration ${own.number} differs (digest ${announced.digest?.slice(0, 8)}, here ${own.digest.slice(0, 8)}): two groups share a name and a secret?`,
  );
}

/**
 * The accepting side's verdict on peer `id`, after the proof: a member (or any peer, while this
 * node has no configuration) is admitted; one removed by a completed transition is refused with
 * WIRE_ERR_REMOVED ("you were removed"), and a node removed itself refuses everyone with
 * WIRE_ERR_PEER_REMOVED ("I was removed"), two codes so that the dialler never takes the second
 * for the first; one unknown here is admitted only when it announces a newer configuration
 * than ours (it may be a member added there: the node fetches that chain and drops the link if
 * not), else refused, with WIRE_ERR_NOT_A_MEMBER when it is joining.
 */
export function checkMember(
  id: string,
  announced: Announced,
  roster: Roster | undefined,
): WireProblem | null {
  if (roster === undefined || roster.config === null) return null;
  const gone = roster.selfRemovedIn ?? null;
  if (gone !== null)
    return problem(
      WIRE_ERROR_CODES.PEER_REMOVED,
      `this node was removed in configuration ${gone}: it links nobody`,
    );
  if (roster.isMember(id)) return null;
  const removedIn = roster.removedIn(id);
  if (removedIn !== null)
    return problem(
      WIRE_ERROR_CODES.REMOVED,
      `PAXOS_ERR_REMOVED: node ${id} was removed in configuration ${removedIn}`,
    );
  const number = roster.config.number;
  if (announced.cfg !== undefined && announced.cfg > number) return null;
  if (announced.cfg === undefined)
    return problem(
      WIRE_ERROR_CODES.NOT_A_MEMBER,
      `PAXOS_ERR_NOT_A_MEMBER: ${id} is not in configuration ${number}: add it first with gen-paxos member add`,
    );
  return problem(
    WIRE_ERROR_CODES.UNKNOWN_NODE,
    `${JSON.stringify(id)} was never a member (configuration ${number})`,
  );
}
