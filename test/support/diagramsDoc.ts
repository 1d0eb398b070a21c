// The content of docs/state-diagrams.md, generated from the machines (see scripts/generate-diagrams.ts).
import { machineToMermaid } from '../../src/inspect/mermaid.js';
import { instanceMachine } from '../../src/paxos/instanceMachine.js';

export function renderStateDiagramsDoc(): string {
  return `# State diagrams

Generated from the machine definitions by \`npm run docs:diagrams\`; a test fails when this file no
longer matches the machines. Edge labels read \`event [guard] / actions\`; \`after X\` is the named
delay X; edges from "any state" are the root-level handlers (gen_fsm's all-state events), which
apply in every state that does not handle the event itself.

## The Paxos instance (\`src/paxos/instanceMachine.ts\`)

\`\`\`mermaid
${machineToMermaid(instanceMachine)}
\`\`\`
`;
}
