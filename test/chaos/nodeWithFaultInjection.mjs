// The compiled `gen-paxos` CLI with `--allow-fault-injection` appended: LocalCluster runs this as
// its `mainPath`, so the chaos tests reuse its process management unchanged while the nemesis
// can cut links through `client.setFaults`. Built by test/globalSetup.ts (dist/ must exist).
process.argv.push('--allow-fault-injection');
await import('../../dist/cli/main.js');
