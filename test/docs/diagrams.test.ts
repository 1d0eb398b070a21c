// The committed state diagrams match the machines they describe.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { machineToMermaid } from '../../src/inspect/mermaid.js';
import { instanceMachine } from '../../src/paxos/instanceMachine.js';
import { renderStateDiagramsDoc } from '../support/diagramsDoc.js';

describe('docs/state-diagrams.md', () => {
  it('is up to date with the machine definitions (regenerate: npm run docs:diagrams)', () => {
    const committed = readFileSync(new URL('../../docs/state-diagrams.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderStateDiagramsDoc());
  });

  it('draws every state and every transition of the instance machine', () => {
    const diagram = machineToMermaid(instanceMachine);
    for (const state of ['nil', 'preparing', 'proposing', 'acknowledged', 'decided'])
      expect(diagram).toContain(`--> ${state}`);
    expect(diagram).toContain('proposing --> decided : always [hasAckQuorum] / learnOwn');
    expect(diagram).toContain('acknowledged --> preparing : after takeover [hasSomethingToPush]');
    expect(diagram).toContain('any --> acknowledged : prepare [grantsVote] / vote');
    expect(diagram).toContain('decided --> decided : prepare [fromMember] / replyDecided');
  });
});
