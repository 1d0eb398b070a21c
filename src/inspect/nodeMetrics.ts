// A node's metrics as Prometheus families, read from the counters each layer keeps: asks (the
// node façade), instances and messages (the supervisor and effect runner), commits (storage),
// links (transport, and each peer's link with why it is down). Served at /metrics by the node's HTTP port.
import type { CatchupProgress, SourceProgress } from '../node/catchup/catchupPuller.js';
import type { GenPaxosNode } from '../node/genPaxos.js';
import type { LinkStatus } from '../transport/wire/frames.js';
import { renderPrometheus, type Labels, type MetricFamily } from './prometheus.js';

const counter = (name: string, help: string, value: number): MetricFamily => ({
  name,
  help,
  type: 'counter',
  samples: [{ value }],
});
const gauge = (name: string, help: string, value: number): MetricFamily => ({
  name,
  help,
  type: 'gauge',
  samples: [{ value }],
});

function byLabel(
  name: string,
  help: string,
  label: string,
  values: Readonly<Record<string, number>>,
): MetricFamily {
  return {
    name,
    help,
    type: 'counter',
    samples: Object.entries(values).map(([key, value]) => ({ labels: { [label]: key } as Labels, value })),
  };
}

/**
 * One sample per peer: 1 while its link is up, 0 while down, labelled with why it is down
 * (`reason`: connecting, unreachable, refused, closed, heartbeat; `code`: the WIRE_ERR_* code;
 * `side`: who refused or closed, local or peer).
 */
function linkFamily(links: readonly LinkStatus[]): MetricFamily {
  return {
    name: 'paxos_link_up',
    help: 'Whether the link to each peer is up (1) or down (0), and why it is down.',
    type: 'gauge',
    samples: links.map((link) => {
      const reason = link.reason;
      const labels: Labels =
        link.state === 'up' || !reason
          ? { peer: link.peer }
          : { peer: link.peer, reason: reason.kind, code: reason.code ?? '', side: reason.side ?? '' };
      return { labels, value: link.state === 'up' ? 1 : 0 };
    }),
  };
}

export function nodeMetricFamilies(node: GenPaxosNode, links?: readonly LinkStatus[]): MetricFamily[] {
  const asks = node.askStats;
  const supervisor = node.internals;
  const stats = supervisor.stats;
  const runner = supervisor.runner.stats;
  const families: MetricFamily[] = [
    counter('paxos_asks_started_total', 'Asks made through this node.', asks.started),
    counter('paxos_asks_decided_total', 'Asks that got their decision.', asks.decided),
    byLabel(
      'paxos_asks_failed_total',
      'Asks that ended without a decision, by error code.',
      'code',
      asks.failed,
    ),
    counter(
      'paxos_asks_timed_out_total',
      'Asks that timed out (outcome unknown).',
      asks.failed.PAXOS_ERR_TIMEOUT ?? 0,
    ),
    {
      name: 'paxos_ask_duration_seconds',
      help: 'From ask to decision, for asks that got one.',
      type: 'histogram',
      samples: [{ histogram: asks.latencyMs, scale: 0.001 }],
    },
    counter(
      'paxos_decisions_total',
      'Keys decided here (proposed or learned) since the node started.',
      stats.decided,
    ),
    {
      name: 'paxos_decision_rounds',
      help: 'Ballots this node started per decision it proposed.',
      type: 'histogram',
      samples: [{ histogram: supervisor.ballots.decisionRounds.snapshot() }],
    },
    counter('paxos_ballots_started_total', 'Phase 1 ballots this node started.', stats.ballotsStarted),
    counter(
      'paxos_retries_total',
      "Ballots started beyond a key's first (after a timeout or a rejection).",
      stats.retries,
    ),
    counter(
      'paxos_rejections_received_total',
      'Reject messages received: a higher ballot was promised.',
      stats.rejectionsReceived,
    ),
    byLabel(
      'paxos_quorum_reads_total',
      'Quorum reads answered, by how: decided, accepted (a phase-2 quorum), not-decided, recovered.',
      'outcome',
      stats.quorumReads,
    ),
    counter('paxos_messages_sent_total', 'Envelopes handed to the transport.', runner.envelopesSent),
    counter('paxos_messages_received_total', 'Envelopes received from peers.', stats.messagesIn),
    byLabel('paxos_messages_refused_total', 'Inbound messages refused, by reason.', 'reason', {
      ...stats.refusedByReason,
      ...node.transportStats?.messagesRefused,
    }),
    byLabel('paxos_messages_dropped_total', 'Outbound messages lost on this side, by reason.', 'reason', {
      ...node.transportStats?.messagesDropped,
      ...(runner.droppedAfterFailure > 0 ? { storage_failed: runner.droppedAfterFailure } : {}),
    }),
    counter(
      'paxos_effects_held_total',
      'Effects that waited for a write of their key to be durable.',
      runner.held,
    ),
    gauge('paxos_live_instances', 'Instance actors alive now (keys in flight).', supervisor.liveInstances),
    counter('paxos_instances_spawned_total', 'Instance actors spawned.', stats.spawned),
    counter('paxos_instances_retired_total', 'Instance actors retired (decided or idle).', stats.retired),
    counter('paxos_instances_restarted_total', 'Instance actors restarted after a crash.', stats.restarted),
    counter(
      'paxos_keys_failed_total',
      'Keys given up after crashing beyond the restart intensity.',
      stats.failedKeys,
    ),
    gauge(
      'paxos_storage_failed',
      '1 once a write failed and the node stopped voting.',
      supervisor.storageFailed ? 1 : 0,
    ),
  ];
  const transport = node.transportStats;
  if (transport) families.push(gauge('paxos_links_up', 'Peers with a working link now.', transport.linksUp));
  if (links) families.push(linkFamily(links));
  const catchup = node.catchupProgress;
  if (catchup) families.push(...catchupFamilies(catchup));
  const storage = node.storageStats;
  if (storage) {
    families.push(
      counter('paxos_storage_commits_total', 'Storage commits that made writes durable.', storage.commits),
      counter('paxos_storage_commit_failures_total', 'Storage commits that failed.', storage.failedCommits),
      counter('paxos_storage_writes_total', 'Records written.', storage.writes),
      {
        name: 'paxos_storage_commit_duration_seconds',
        help: 'From the first write of a commit to its being durable.',
        type: 'histogram',
        samples: [{ histogram: storage.commitLatencyMs, scale: 0.001 }],
      },
      {
        name: 'paxos_storage_keys_per_commit',
        help: 'Distinct keys made durable by one commit (group commit).',
        type: 'histogram',
        samples: [{ histogram: storage.keysPerCommit }],
      },
    );
  }
  return families;
}

/** Catch-up's progress (node/catchup/): per peer, what was pulled and what is left. */
function catchupFamilies(progress: CatchupProgress): MetricFamily[] {
  const perPeer = (
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    pick: (s: SourceProgress) => number,
  ) => ({
    name,
    help,
    type,
    samples: Object.entries(progress.sources).map(([peer, source]) => ({
      labels: { peer },
      value: pick(source),
    })),
  });
  return [
    perPeer(
      'paxos_catchup_keys_total',
      "Decided keys pulled from each peer's decided log.",
      'counter',
      (s) => s.keys,
    ),
    perPeer(
      'paxos_catchup_bytes_total',
      'Bytes of keys and values pulled from each peer.',
      'counter',
      (s) => s.bytes,
    ),
    perPeer('paxos_catchup_errors_total', 'Failed page requests to each peer.', 'counter', (s) => s.errors),
    perPeer(
      'paxos_catchup_key_order_reads_total',
      "Reads of each peer's decided keys in key order, begun because this node had missed more than the peer's log keeps.",
      'counter',
      (s) => s.keyOrderReads,
    ),
    perPeer(
      'paxos_catchup_lag_keys',
      "Decisions in each peer's log not yet pulled here.",
      'gauge',
      (s) => s.lagKeys,
    ),
    gauge(
      'paxos_catchup_caught_up',
      "1 once every peer's log was pulled to its head.",
      progress.caughtUp ? 1 : 0,
    ),
    counter(
      'paxos_disagreements_total',
      'Keys a peer says were decided with another value than here (PAXOS_ERR_DISAGREEMENT).',
      progress.disagreements,
    ),
  ];
}

/** The node's /metrics page. */
export function renderNodeMetrics(node: GenPaxosNode, links?: readonly LinkStatus[]): string {
  return renderPrometheus(nodeMetricFamilies(node, links), { node: node.id });
}
