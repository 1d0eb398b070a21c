// Incarnation gossip (docs/membership.md §4.4 "built now"; docs/operations.md, "Data directories
// and amnesia"): members share the incarnations they have recorded for their peers in the
// authenticated handshake, so a node that never met c still refuses a c that lost its disk, as
// long as some member it talked to met c. `mergeIncarnations` is the pure rule; `incarnationGuard`
// binds it to a store: checks, adoption, and a barrier that says when every record is durable.
import { ERROR_CODES } from '../base/errors.js';
import { checkIncarnation, DISPUTED_INCARNATION, rejoinAdvice, type IncarnationStore } from './amnesia.js';

/**
 * One record as it travels: a peer's id and the incarnation the sender recorded for it, or null
 * when the sender saw two incarnations under that id (the id is disputed: refused whatever it claims).
 */
export type IncarnationRecord = readonly [peer: string, incarnation: string | null];

export interface MergeContext {
  /** This node's id and incarnation. */
  readonly self: string;
  readonly incarnation: string;
  /** Every member id (records of anyone else are ignored). */
  readonly members: readonly string[];
  /** The member the records came from (it passed the handshake's checks). */
  readonly from: string;
  /** What this node has recorded for `peer`, if anything. */
  readonly known: (peer: string) => string | undefined;
}

export interface MergeOutcome {
  /** Set when `from` recorded this node under another incarnation: this node is the amnesiac. */
  readonly selfRefusal: string | null;
  /** Records to write, in order: a first incarnation, or the dispute marker. */
  readonly adopt: ReadonlyArray<readonly [peer: string, recorded: string]>;
}

/**
 * Merges the records `ctx.from` sent into what this node knows. Pure.
 * - A record of this node under another incarnation (or disputed) means this node lost its data
 *   directory (or another process runs under its id): refuse, and say so.
 * - A peer this node knows nothing of: adopt the record.
 * - A peer recorded with another incarnation (or disputed by the sender): the id had two
 *   incarnations, so one of them forgot its promises and nobody can tell which: record the
 *   dispute, and refuse that id whatever incarnation it claims from now on.
 * - Records of `from` itself (it does not record itself) and of non-members are ignored.
 */
export function mergeIncarnations(ctx: MergeContext, records: readonly IncarnationRecord[]): MergeOutcome {
  let selfRefusal: string | null = null;
  const adopt: Array<readonly [string, string]> = [];
  for (const [peer, incarnation] of records) {
    if (peer === ctx.self) {
      if (incarnation !== ctx.incarnation && selfRefusal === null)
        selfRefusal = selfAmnesia(ctx, incarnation);
      continue;
    }
    if (peer === ctx.from || !ctx.members.includes(peer)) continue;
    const known = ctx.known(peer);
    if (known === DISPUTED_INCARNATION) continue;
    if (incarnation === null || incarnation === DISPUTED_INCARNATION)
      adopt.push([peer, DISPUTED_INCARNATION]);
    else if (known === undefined) adopt.push([peer, incarnation]);
    else if (known !== incarnation) adopt.push([peer, DISPUTED_INCARNATION]);
  }
  return { selfRefusal, adopt };
}

function selfAmnesia(ctx: MergeContext, recorded: string | null): string {
  const what =
    recorded === null
      ? 'holds its id as disputed (it was seen under two incarnations)'
      : 'remembers it under another incarnation';
  return (
    `${ERROR_CODES.AMNESIA}: ${rejoinAdvice(ctx.self)}: member ${JSON.stringify(ctx.from)} ${what}: ` +
    "this node's data directory is not the one it voted from (lost, replaced or copied), so it may " +
    'have forgotten its promises and must not vote under this id ' +
    '(see docs/operations.md, "Data directories and amnesia")'
  );
}

/** The parts of LmdbStorage the guard uses. */
export interface GossipStore extends IncarnationStore {
  /** Every record, by peer id (the dispute marker included). */
  knownIncarnations(): Record<string, string>;
}

export interface IncarnationGuardOptions {
  readonly self: string;
  readonly members: readonly string[];
  /** A record could not be written: the store is failing. */
  readonly onRememberFailed?: (error: unknown) => void;
  /** `from` told this node it is an amnesiac (logged by the caller: it must rejoin under a new id). */
  readonly onSelfRefused?: (from: string, reason: string) => void;
  /** A peer's id became disputed (gossip disagreed with what this node had recorded). */
  readonly onDisputed?: (peer: string, from: string) => void;
}

/** The amnesia check and the gossip of one durable node, as the transport's handshake uses them. */
export interface IncarnationGuard {
  /** The handshake hook: null admits `peerId` claiming `incarnation`; a first contact is recorded. */
  checkPeer(peerId: string, incarnation: string): string | null;
  /** What to send in a hello or welcome: every record, sorted by peer id, disputes as null. */
  records(): IncarnationRecord[];
  /** Merges the records of `from`, a member that passed the checks; a refusal if they say we forgot. */
  learn(from: string, records: readonly IncarnationRecord[]): string | null;
  /**
   * Null when every record made so far is durable; else a promise that resolves when they are
   * (rejects if the store failed). A link carries no votes before its records are durable.
   */
  settled(): Promise<void> | null;
}

/**
 * Binds the rules to a store. Records are visible to checks at once (the store's overlay) and
 * durable when `settled()` resolves.
 *
 * @example
 * const guard = incarnationGuard(storage, { self: 'a', members: ['a', 'b', 'c'] });
 * // hand guard.checkPeer and guard (as incarnationGossip) to createWebSocketTransport
 */
export function incarnationGuard(store: GossipStore, options: IncarnationGuardOptions): IncarnationGuard {
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  // Once a member has said that this node forgot, it refuses every peer: it must not vote with
  // the members that never met it either. Kept in the directory (its own id, marked disputed),
  // so a restart does not forget it.
  let forgot: string | null =
    store.knownIncarnation(options.self) === DISPUTED_INCARNATION
      ? `${ERROR_CODES.AMNESIA}: ${rejoinAdvice(options.self)}: a member remembered this node under ` +
        'another incarnation (recorded in this data directory by an earlier run), so it must not vote ' +
        'under this id (see docs/operations.md, "Data directories and amnesia")'
      : null;
  const remember = (peer: string, recorded: string) => {
    const write = store.rememberIncarnation(peer, recorded).then(
      () => {
        inFlight.delete(write);
      },
      (error: unknown) => {
        inFlight.delete(write);
        failure ??= error;
        options.onRememberFailed?.(error);
      },
    );
    inFlight.add(write);
  };
  return {
    checkPeer(peerId, incarnation) {
      if (forgot !== null) return forgot;
      const verdict = checkIncarnation(peerId, store.knownIncarnation(peerId), incarnation);
      if (!verdict.ok) return `${verdict.code}: ${verdict.reason}`;
      if (verdict.firstContact) remember(peerId, incarnation);
      return null;
    },
    records() {
      return Object.entries(store.knownIncarnations())
        .filter(([peer]) => peer !== options.self && options.members.includes(peer))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([peer, recorded]): IncarnationRecord => [
          peer,
          recorded === DISPUTED_INCARNATION ? null : recorded,
        ]);
    },
    learn(from, records) {
      if (forgot !== null) return forgot;
      const outcome = mergeIncarnations(
        {
          self: options.self,
          incarnation: store.incarnation,
          members: options.members,
          from,
          known: (peer) => store.knownIncarnation(peer),
        },
        records,
      );
      if (outcome.selfRefusal !== null) {
        forgot = outcome.selfRefusal;
        remember(options.self, DISPUTED_INCARNATION);
        options.onSelfRefused?.(from, forgot);
        return forgot;
      }
      for (const [peer, recorded] of outcome.adopt) {
        const hadOne = store.knownIncarnation(peer) !== undefined;
        remember(peer, recorded);
        if (recorded === DISPUTED_INCARNATION && hadOne) options.onDisputed?.(peer, from);
      }
      return null;
    },
    settled() {
      if (failure !== null) return Promise.reject(failure as Error);
      if (inFlight.size === 0) return null;
      return Promise.all([...inFlight]).then(() => {
        if (failure !== null) throw failure as Error;
      });
    },
  };
}
