// The scenario runner itself, with its must-fail controls: a wrong expected block is reported at
// its first differing line (so the golden check cannot silently pass), the rewrite mode produces
// a file that then passes, and `check` fails on a real agreement violation (an acceptor that lost
// its disk) and on a reused ballot, in rewrite mode too.
import { describe, expect, it } from 'vitest';
import { formatMismatch } from './compare.js';
import { parseScenario, ScenarioSyntaxError } from './parse.js';
import { runScenario, ScenarioFailure } from './runner.js';

const GOOD = `# One ask on the owner's path.
cluster a b c
----
ok

ask a k v
----
      0 ms  a/k       spawned → nil
      0 ms  a/k       nil → proposing  (ballot 0.a)

held
----
a → b  propose(0.a, "v") for k
a → c  propose(0.a, "v") for k

read b k
----
b: k = undefined
`;

describe('the scenario runner', () => {
  it('passes a file whose expected blocks are right', async () => {
    const run = await runScenario(GOOD);
    expect(run.mismatch).toBeNull();
    expect(run.outputs).toHaveLength(4);
  });

  it('must fail: reports the first differing line of a wrong block, with the command and context', async () => {
    const wrong = GOOD.replace('a → c  propose(0.a, "v") for k', 'a → c  propose(0.a, "w") for k');
    const run = await runScenario(wrong, { name: 'wrong.txt' });
    expect(run.mismatch).not.toBeNull();
    const mismatch = run.mismatch!;
    expect(mismatch.scenarioCase.command).toBe('held');
    expect(mismatch.scenarioCase.line).toBe(11);
    expect(mismatch.index).toBe(1);
    expect(mismatch.expected[1]).toBe('a → c  propose(0.a, "w") for k');
    expect(mismatch.actual[1]).toBe('a → c  propose(0.a, "v") for k');
    // The run stops there: the commands after the mismatch did not run.
    expect(run.outputs).toHaveLength(3);
    const report = formatMismatch('wrong.txt', mismatch);
    expect(report).toContain('wrong.txt:11: output of `held` differs');
    expect(report).toContain('first difference at line 2 of the block (wrong.txt:14)');
    expect(report).toContain('    expected: a → c  propose(0.a, "w") for k');
    expect(report).toContain('    actual:   a → c  propose(0.a, "v") for k');
    expect(report).toContain('a → b  propose(0.a, "v") for k'); // context
  });

  it('must fail: a block missing its last line, and a command without a block', async () => {
    const short = GOOD.replace('a → c  propose(0.a, "v") for k\n', '');
    const run = await runScenario(short);
    expect(run.mismatch?.index).toBe(1);
    expect(run.mismatch?.expected[1]).toBeUndefined();
    expect(formatMismatch('short.txt', run.mismatch!)).toContain('    expected: (end of output)');
    const bare = await runScenario('cluster a b c\n\nread b k\n');
    expect(bare.mismatch?.scenarioCase.command).toBe('cluster a b c');
    expect(formatMismatch('bare.txt', bare.mismatch!)).toContain('no expected block');
  });

  it('rewrite mode fills and corrects every block, keeping comments and commands as written', async () => {
    const draft = GOOD.replace('b: k = undefined', 'b: k = "v"').replace(/held\n----\n[^]*?\n\n/, 'held\n\n');
    const run = await runScenario(draft, { rewrite: true });
    expect(run.rewritten).toBe(GOOD);
    expect((await runScenario(run.rewritten!)).mismatch).toBeNull();
  });

  it('fails on an unknown command, an unknown option and a misused one, in both modes', async () => {
    for (const rewrite of [false, true]) {
      const started = 'cluster a b c\n----\nok\n\n';
      await expect(runScenario(`${started}fly a\n----\nok\n`, { rewrite })).rejects.toThrow(
        /unknown command fly/,
      );
      await expect(runScenario('cluster a b c colour=red\n', { rewrite })).rejects.toThrow(
        /unknown option colour/,
      );
      await expect(runScenario(`${started}deliver 2\n----\nok\n`, { rewrite })).rejects.toThrow(
        /deliver 2: only 0 message/,
      );
    }
  });
});

describe('check, with its must-fail controls', () => {
  // b loses its disk after voting for "x" with a; c then gets "y" chosen with the amnesic b.
  const AMNESIA = `cluster a b c owner-fast-path=off
drop *->c
drop *->* type=decide
ask a k x
deliver
heal
crash b wipe
restart b
partition a | b c
ask c k y
deliver
check
`;

  it('must fail: a value chosen twice (an acceptor that lost its disk) is an agreement violation', async () => {
    const violation = /amnesia\.txt:\d+: `check` failed: agreement violated for k: a="x" .*c="y"/;
    const text = AMNESIA.replaceAll('\n', '\n\n');
    const rewriting = runScenario(text, { rewrite: true, name: 'amnesia.txt' });
    await expect(rewriting).rejects.toThrow(ScenarioFailure);
    await expect(rewriting).rejects.toThrow(violation);
    await expect(rewriting).rejects.toThrow(/^amnesia\.txt:23:/);
    // In check mode too, even when the file expects the check to pass: blocks for every command
    // before it (written by rewrite mode), and "ok" under the check.
    const before = await runScenario(text.replace('check\n', ''), { rewrite: true });
    const expectingOk = `${before.rewritten}\ncheck\n----\nok\n`;
    await expect(runScenario(expectingOk, { name: 'amnesia.txt' })).rejects.toThrow(violation);
  });

  it('without the wipe the same run keeps one value, and check passes', async () => {
    const run = await runScenario(AMNESIA.replace('crash b wipe', 'crash b').replaceAll('\n', '\n\n'), {
      rewrite: true,
    });
    expect(run.outputs.at(-1)?.[0]).toMatch(/^ok: 1 of 1 key decided/);
  });

  it('must fail: a node that reuses a round after a restart (its disk wiped)', async () => {
    const reuse = `cluster a b c owner-fast-path=off
partition b | a c
ask b k lost
crash b wipe
restart b
heal
ask b k again
deliver
check
`;
    await expect(runScenario(reuse.replaceAll('\n', '\n\n'), { rewrite: true })).rejects.toThrow(
      /b reused round 1 for k after a restart/,
    );
  });
});

describe('the scenario file format', () => {
  it('keeps comments, commands, input lines and expected blocks apart', () => {
    const file = parseScenario(
      '# c\ncmd x\n----\nout\n\nrepeat seeds=1..2\ncluster a\n----\nseed 1\n\nlast\n',
    );
    expect(file.cases.map((c) => [c.line, c.command, c.input, c.expected])).toEqual([
      [2, 'cmd x', [], ['out']],
      [6, 'repeat seeds=1..2', ['cluster a'], ['seed 1']],
      [11, 'last', [], null],
    ]);
  });

  it('rejects a separator with no command', () => {
    expect(() => parseScenario('# c\n----\nout\n')).toThrow(ScenarioSyntaxError);
  });
});
