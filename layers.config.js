// The layers of src/ (docs/design.md, "Map"): each folder and the folders it may import. Lint
// (eslint.config.js) and the architecture test (test/architecture/) both read this table, so a new
// import against the layering fails both. Within a folder, subfolders are checked for cycles only.
export const LAYERS = {
  // Roots: the pure Paxos core and the utilities import nothing of the project.
  paxos: [],
  base: [],
  // The generic actor runtime knows no Paxos, transport or storage.
  runtime: ['base'],
  storage: ['base', 'paxos'],
  transport: ['base', 'paxos', 'runtime'],
  // The Paxos node: built from the runtime, the core's rules, a store and a transport.
  node: ['base', 'paxos', 'runtime', 'storage', 'transport'],
  inspect: ['base', 'paxos', 'runtime', 'storage', 'transport', 'node'],
  leader: ['base', 'paxos', 'runtime', 'storage', 'transport', 'node'],
  // A node process: the node, its network, its HTTP port and its inspection feeds.
  server: ['base', 'paxos', 'runtime', 'storage', 'transport', 'node', 'inspect'],
  cli: ['base', 'paxos', 'runtime', 'storage', 'transport', 'node', 'inspect', 'leader', 'server'],
};
