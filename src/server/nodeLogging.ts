// Logs what a node's supervisor emits (GenPaxosNodeEmitted). Each decision is logged at debug
// level with the original paxos_fsm's line, "paxos mediation done. decided: V - (N=n)", where
// n is the ballot the value was accepted in when this node still holds it.
import { formatBallot } from '../paxos/ballot.js';
import { REFUSAL_REASONS } from '../paxos/effects.js';
import type { PaxosValue } from '../paxos/messages.js';
import type { Logger } from '../base/log.js';
import type { GenPaxosNode } from '../node/genPaxos.js';

/** Refusals no correct member ever causes (acceptor.ts): defence in depth. */
const DEFENCE_REFUSALS: ReadonlySet<string> = new Set(
  REFUSAL_REASONS.filter(
    (reason) => reason !== 'not-member' && reason !== 'below-fence' && reason !== 'ahead-of-config',
  ),
);

/** Subscribes `logger` to `node`'s events; returns the unsubscriber. */
export function logNodeEvents(node: GenPaxosNode, logger: Logger): () => void {
  const subscriptions = [
    node.on('decided', (event) => {
      if (!logger.enabled('debug')) return;
      const ballot = ballotOf(node, event.key);
      logger.debug(`paxos mediation done. decided: ${show(event.value)} - (N=${ballot})`, {
        key: event.key,
        value: event.value,
        rounds: event.rounds,
      });
    }),
    node.on('instance.restarted', (event) =>
      logger.warn('instance crashed and was restarted', { key: event.key, error: event.error }),
    ),
    node.on('instance.failed', (event) =>
      logger.error('instance crashed too often and was given up', { key: event.key, error: event.error }),
    ),
    node.on('storage.failed', (event) =>
      logger.error('storage failed: this node no longer votes', { error: event.error }),
    ),
    node.on('disagreement', (event) =>
      logger.error('disagreement: a peer holds another decided value for a key; this node no longer votes', {
        code: 'PAXOS_ERR_DISAGREEMENT',
        key: event.key,
        peer: event.peer,
        local: event.local,
        theirs: event.theirs,
      }),
    ),
    node.on('message.refused', (event) => {
      const fields = { reason: event.reason, from: event.from, key: event.key };
      // A member breaking a rule of the protocol is misbehaving (or impersonated): say so loudly.
      if (DEFENCE_REFUSALS.has(event.reason))
        logger.warn('message refused: it breaks a rule of the protocol', fields);
      else logger.debug('message refused', fields);
    }),
  ];
  return () => subscriptions.forEach((unsubscribe) => unsubscribe());
}

/** The ballot of the accepted proposal, while the key's instance is still live ("?" once retired). */
function ballotOf(node: GenPaxosNode, key: string): string {
  const context = node.internals.instanceOf(key)?.getSnapshot().context;
  const ballot = context?.accepted?.ballot ?? context?.ballot ?? null;
  return ballot === null ? '?' : formatBallot(ballot);
}

/** Like Erlang's ~p, roughly: strings quoted, the rest as JSON. */
function show(value: PaxosValue): string {
  if (value instanceof Uint8Array) return `<<${value.byteLength} bytes>>`;
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
