// Regenerates docs/state-diagrams.md from the machine definitions.
// Usage: npm run docs:diagrams (a test fails when the committed file is stale).
import { writeFileSync } from 'node:fs';
import { renderStateDiagramsDoc } from '../test/support/diagramsDoc.js';

writeFileSync(new URL('../docs/state-diagrams.md', import.meta.url), renderStateDiagramsDoc());
console.log('wrote docs/state-diagrams.md');
