// Every subcommand of `gen-paxos`: its summary, arguments and flag table (flagTable.ts). The
// parser, `--help` and docs/cli.md's checks all read these tables, so they cannot disagree.
import type { CommandSpec, FlagSpec } from './flagTable.js';

/** Flags of the commands that talk to a running cluster (ask, read, status, health). */
export const CLIENT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  endpoints: {
    type: 'string',
    value: 'URL[,URL...]',
    help: 'nodes to try in order until one answers: ws://HOST:PORT, wss://HOST:PORT or HOST:PORT (= ws://)',
    env: 'GEN_PAXOS_ENDPOINTS',
  },
  node: {
    type: 'string',
    multiple: true,
    value: 'URL',
    help: 'one endpoint (repeat for more); adds to --endpoints',
  },
  'secret-file': {
    type: 'string',
    value: 'FILE',
    help: "the client credential: the file's text, trailing whitespace removed",
    env: 'GEN_PAXOS_SECRET_FILE',
    required: true,
  },
  cluster: {
    type: 'string',
    value: 'NAME',
    help: 'the cluster name (default gen-paxos)',
    env: 'GEN_PAXOS_CLUSTER',
  },
  'tls-ca': {
    type: 'string',
    value: 'FILE',
    help: 'PEM certificates to trust for wss:// endpoints',
    env: 'GEN_PAXOS_TLS_CA',
  },
  'connect-timeout-ms': {
    type: 'string',
    value: 'N',
    help: 'give up on an endpoint that has not answered after N ms, then try the next (default 5000)',
  },
  json: { type: 'boolean', help: 'print the result, or {"error":{"code","message"}}, as one JSON line' },
};

const NODE: CommandSpec = {
  name: 'node',
  summary: 'run one node until SIGINT/SIGTERM',
  description:
    'Runs one node of a cluster until SIGINT or SIGTERM, then shuts down cleanly. Prints one\n' +
    '"listening" line once peers and clients can connect.',
  args: [],
  flags: {
    id: {
      type: 'string',
      value: 'ID',
      help: "this node's id: 1-64 letters, digits, '_', '.', '-'",
      required: true,
    },
    listen: {
      type: 'string',
      value: 'HOST:PORT',
      help: 'address to listen on (port 0: a free one)',
      required: true,
    },
    peer: {
      type: 'string',
      multiple: true,
      value: 'ID=URL',
      help: 'another member and its ws:// or wss:// URL (HOST:PORT = ws://); once per peer',
    },
    join: {
      type: 'string',
      value: 'URL[,URL...]',
      help:
        "join a running cluster as a new member (add it first: gen-paxos member add ID=URL): dial these members' URLs " +
        'and fetch the configuration; exits 1 with PAXOS_ERR_NOT_A_MEMBER if the cluster did not add it',
    },
    'secret-file': {
      type: 'string',
      value: 'FILE',
      help: "the peer secret, members only: the file's text, trailing whitespace removed",
      required: true,
    },
    'client-secret-file': {
      type: 'string',
      multiple: true,
      value: 'FILE',
      help: 'a secret clients authenticate with (not the peer secret); repeat to accept several (rotation)',
    },
    'allow-peer-secret-for-clients': {
      type: 'boolean',
      help: 'also accept the peer secret from clients: tests and demos only',
    },
    'node-key-file': {
      type: 'string',
      value: 'FILE',
      help: "this node's Ed25519 private key (PEM) (default: --data-dir's node-key.pem, else a new one per start)",
    },
    'peer-key': {
      type: 'string',
      multiple: true,
      value: 'ID=KEY',
      help: "pin a peer's public key (base64, from its listening line); every peer or none",
    },
    cluster: {
      type: 'string',
      value: 'NAME',
      help: 'the cluster name (default gen-paxos); others are refused',
    },
    'data-dir': {
      type: 'string',
      value: 'DIR',
      help: 'keep acceptor state durable in DIR (LMDB); required unless --memory',
    },
    memory: {
      type: 'boolean',
      help:
        'keep state in memory only, no --data-dir: a restart forgets every promise, so peers refuse ' +
        'the node as amnesiac and it must rejoin under a new id; tests and demos only',
    },
    'tls-key': { type: 'string', value: 'FILE', help: 'serve wss:// with this PEM key (with --tls-cert)' },
    'tls-cert': {
      type: 'string',
      value: 'FILE',
      help: 'serve wss:// with this PEM certificate (with --tls-key)',
    },
    'tls-ca': { type: 'string', value: 'FILE', help: 'PEM certificates to trust when dialling wss:// peers' },
    'ask-timeout-ms': {
      type: 'string',
      value: 'N',
      help: "a client's ask waits N ms by default (default 10000)",
    },
    'inspect-port': {
      type: 'string',
      value: 'N',
      help: 'serve the inspection stream (Stately format) on port N',
    },
    'inspect-host': { type: 'string', value: 'HOST', help: 'host of --inspect-port (default 127.0.0.1)' },
    'allow-fault-injection': {
      type: 'boolean',
      help: 'accept fault requests (blocks, loss, delay) from clients: demos and tests only',
    },
    'view-port': { type: 'string', value: 'N', help: "serve the live view's feed on port N" },
    'view-host': { type: 'string', value: 'HOST', help: 'host of --view-port (default 127.0.0.1)' },
    'feed-token-file': {
      type: 'string',
      value: 'FILE',
      help: 'the token the inspection and view feeds require (default: a random one, in the printed feed URLs)',
    },
    'acceptor-fast-path': {
      type: 'string',
      value: 'on|off',
      help: 'answer keys this node only votes on without an instance actor (default on)',
    },
    'catchup-rate': {
      type: 'string',
      value: 'BYTES',
      help: "bytes per second this node pulls its peers' decided logs at (default 8388608; 0 turns catch-up off)",
    },
    'decided-log-entries': {
      type: 'string',
      value: 'N',
      help: 'decisions the decided log keeps for catching-up peers (default 100000); a peer that missed more reads every decided key',
    },
    'owner-fast-path': {
      type: 'string',
      value: 'on|off',
      help: "each key's owner proposes with ballot 0, skipping phase 1 (default on)",
    },
    'log-level': {
      type: 'string',
      value: 'LEVEL',
      help: 'silent, error, warn (default), info or debug; JSON lines on stderr',
    },
    json: { type: 'boolean', help: 'print the listening and stopped lines as JSON' },
  },
  notes: [
    'example: gen-paxos node --id a --listen 127.0.0.1:7001 --peer b=ws://127.0.0.1:7002 \\',
    '           --peer c=ws://127.0.0.1:7003 --secret-file peer.secret --client-secret-file client.secret \\',
    '           --data-dir data/a',
    "Each node prints its public key; pin every peer's with --peer-key ID=KEY (docs/security.md).",
    "GET /health and /ready on the node's port tell whether it serves and reaches a quorum.",
    'A new member: gen-paxos member add f=ws://10.0.0.6:7001 on the cluster, then on the new machine',
    '  gen-paxos node --id f --listen 0.0.0.0:7001 --join ws://10.0.0.1:7001 --secret-file peer.secret --data-dir data/f',
    'Exits 1 when the node stops itself: not a member (--join before member add), removed, or amnesiac.',
  ],
};

const ASK: CommandSpec = {
  name: 'ask',
  summary: 'ask the cluster to decide KEY (prints the decided value)',
  description:
    'Asks the cluster, through the first endpoint that answers, to decide VALUE for KEY, and prints\n' +
    'the decided value: VALUE if this ask won, the earlier decision otherwise. Strings print as\n' +
    'they are, other values as JSON; a string that would read as JSON prints quoted, as JSON.',
  args: [
    { name: 'KEY', help: 'the key: 1-1024 characters' },
    { name: 'VALUE', help: 'the value to propose: a string, or JSON with --value-json' },
  ],
  flags: {
    ...CLIENT_FLAGS,
    'value-json': { type: 'boolean', help: 'parse VALUE as JSON instead of taking it as a string' },
    'timeout-ms': {
      type: 'string',
      value: 'N',
      help: "how long the node waits for a decision, 1-60000 (default: the node's)",
    },
    'expect-won': { type: 'boolean', help: 'exit 7 when another value was decided (this ask lost)' },
  },
  notes: ['A VALUE starting with "-" goes after "--": gen-paxos ask --endpoints URL -- KEY -5'],
};

const READ: CommandSpec = {
  name: 'read',
  summary: 'print the value KEY is decided to, as one node knows it (or, with --quorum, as a quorum does)',
  description:
    'Prints the value KEY is decided to as known on the first endpoint that answers: never a value\n' +
    'that was not chosen, and the value of any ask that node answered, but a node that has not\n' +
    'learned a decision says so (exit 3). With --quorum the read is linearizable: the node asks a\n' +
    'quorum of members (one round trip) and exit 3 means no value can have been chosen.',
  args: [{ name: 'KEY', help: 'the key' }],
  flags: {
    ...CLIENT_FLAGS,
    quorum: {
      type: 'boolean',
      help: 'linearizable: answer what a quorum of members knows (one round trip; may finish a pending decision)',
    },
  },
};

const STATUS: CommandSpec = {
  name: 'status',
  summary: "print a node's members, links (with why a link is down) and counters",
  description:
    "Prints one node's members, each peer link (up, or down and why), its counters and the keys it\n" +
    'is working on. Exits 0 while the node reaches a quorum of its members, 8 otherwise.',
  args: [],
  flags: CLIENT_FLAGS,
};

const HEALTH: CommandSpec = {
  name: 'health',
  summary: 'ask every endpoint; one line per member; exit 0 only while a quorum is healthy',
  description:
    'Asks every endpoint for its status and prints one line per member: up or down and why, its\n' +
    'configuration, decided keys and commit latency. Exits 0 while a quorum of the members is\n' +
    'healthy (answering, and reaching a quorum), 8 otherwise.',
  args: [],
  flags: CLIENT_FLAGS,
};

const DEMO: CommandSpec = {
  name: 'demo',
  summary: 'start a local cluster of node processes, decide keys, check agreement, stop it',
  description:
    'Starts a local cluster of node processes on 127.0.0.1, asks keys through different nodes,\n' +
    'checks that every node agrees, prints latencies and stops everything.\n' +
    'With --ui: the live cluster view in the browser, with controls to crash, cut off, slow down;\n' +
    'with --ui --teach, teaching mode: delivery by hand, asks of your own and a guided tour.',
  args: [],
  flags: {
    nodes: { type: 'string', value: 'N', help: 'node processes to start, 1 to 9 (default 3)' },
    keys: {
      type: 'string',
      value: 'K',
      help: 'keys to decide, 1 to 100000 (default 100; with --ui, no limit)',
    },
    'in-process': { type: 'boolean', help: 'run the nodes in this process on the in-memory network instead' },
    ui: {
      type: 'boolean',
      help: 'serve the live cluster view on 127.0.0.1 and keep asking keys until Ctrl-C',
    },
    teach: {
      type: 'boolean',
      help: 'with --ui, start in teaching mode: classic Paxos, one key at a time, slowed down',
    },
    'ui-port': {
      type: 'string',
      value: 'N',
      help: "with --ui, the view's port (default 0: a free one, printed)",
    },
    rate: { type: 'string', value: 'R', help: 'with --ui, new keys per second, 0.1 to 1000 (default 4)' },
    'duration-s': {
      type: 'string',
      value: 'S',
      help: 'with --ui, stop after S seconds instead of at Ctrl-C',
    },
    record: {
      type: 'string',
      value: 'FILE',
      help: "with --ui, record the view's events for 'view --replay FILE'",
    },
    'log-level': { type: 'string', value: 'LEVEL', help: "the nodes' log level (default warn)" },
    json: { type: 'boolean', help: 'print one JSON summary on stdout' },
  },
};

const VIEW: CommandSpec = {
  name: 'view',
  summary: 'the cluster view of a recording (--replay FILE) or of running nodes (--feed)',
  description: 'Serves the cluster view on 127.0.0.1 until Ctrl-C. Give either --replay or --feed.',
  args: [],
  flags: {
    replay: {
      type: 'string',
      value: 'FILE',
      help: 'a recording to replay (demo --ui --record, or npm run sim:view)',
    },
    feed: {
      type: 'string',
      multiple: true,
      value: 'ID=URL',
      help: "a node's view feed (node --view-port), once per node",
    },
    port: {
      type: 'string',
      value: 'N',
      help: "the page's port on 127.0.0.1 (default 0: a free one, printed)",
    },
  },
};

const CHANGE_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...CLIENT_FLAGS,
  'timeout-ms': {
    type: 'string',
    value: 'N',
    help: 'wait at most N ms for the change to complete, 1-600000 (default 60000); then exit 7 if it is decided',
  },
};

const CHANGE_NOTES = [
  'Waits until the change is complete (decided, adopted, every key rescanned) and prints the new',
  'configuration. Exit 0: complete; 6: refused (PAXOS_ERR_MEMBER_EXISTS, _NOT_A_MEMBER,',
  '_CHANGE_IN_PROGRESS, _CHANGE_CONFLICT, _UNSAFE_CHANGE) or not decided in time (PAXOS_ERR_TIMEOUT);',
  '7: decided but not complete within --timeout-ms (it completes by itself: watch member list).',
];

const MEMBER_LIST: CommandSpec = {
  name: 'member list',
  summary: "print the cluster's members: URL, voter, link, caught up",
  description:
    'Prints the newest configuration the first endpoint that answers has adopted (its number, epoch,\n' +
    'and whether its change is complete) and one line per member: id, URL, voter (yes, or leaving\n' +
    "while a change runs), that node's link to it (self, up, down and why) and whether the member\n" +
    'is caught up (asked of each member at its URL; unknown when it does not answer).',
  args: [],
  flags: CLIENT_FLAGS,
};

const MEMBER_ADD: CommandSpec = {
  name: 'member add',
  summary: 'add a member (then start it with gen-paxos node --join)',
  description:
    'Adds member ID, reached at URL, to the cluster through the first endpoint that answers. The\n' +
    'change does not wait for the new member: start it before or after with gen-paxos node --join.',
  args: [{ name: 'ID=URL', help: "the new member's id and its ws:// or wss:// URL (HOST:PORT = ws://)" }],
  flags: CHANGE_FLAGS,
  notes: CHANGE_NOTES,
};

const MEMBER_REMOVE: CommandSpec = {
  name: 'member remove',
  summary: 'remove a member',
  description:
    'Removes member ID from the cluster through the first endpoint that answers. A majority of the\n' +
    'old members and of the new ones must be up. A removed node that comes back is refused.',
  args: [{ name: 'ID', help: 'the member to remove' }],
  flags: CHANGE_FLAGS,
  notes: CHANGE_NOTES,
};

const MEMBER_REPLACE: CommandSpec = {
  name: 'member replace',
  summary: 'replace a member by a new one (a machine that lost its data) in one change',
  description:
    'Replaces member OLD-ID by a new member NEW-ID at URL, in one change, through the first endpoint\n' +
    'that answers: the way to replace a machine that died or lost its data directory (the new\n' +
    'member has a new id and an empty data directory; start it with gen-paxos node --join).',
  args: [
    { name: 'OLD-ID', help: 'the member to replace' },
    { name: 'NEW-ID=URL', help: "the new member's id and its ws:// or wss:// URL (HOST:PORT = ws://)" },
  ],
  flags: CHANGE_FLAGS,
  notes: CHANGE_NOTES,
};

const VERSION: CommandSpec = {
  name: 'version',
  summary: 'print the version of gen-paxos (also: gen-paxos --version)',
  description: 'Prints the version of the gen-paxos package.',
  args: [],
  flags: {},
};

export const COMMAND_SPECS: Readonly<Record<string, CommandSpec>> = {
  node: NODE,
  ask: ASK,
  read: READ,
  status: STATUS,
  health: HEALTH,
  'member list': MEMBER_LIST,
  'member add': MEMBER_ADD,
  'member remove': MEMBER_REMOVE,
  'member replace': MEMBER_REPLACE,
  demo: DEMO,
  view: VIEW,
  version: VERSION,
};
