// Membership with the `gen-paxos` command and real node processes on loopback (issue 15):
// `member list` on three durable nodes; refused changes exit 6 with their codes and change
// nothing; bad arguments exit 2; a member added, joined (`node --join`) and removed through its
// own endpoint answers the change and stops itself; and the issue's test — replace a `kill -9`'d member whose data
// directory is gone (`member replace`, `node --join`; the new member restarts after kill -9 from its
// data directory alone), then lose another original member: every
// key decided before keeps its value, and new keys still decide; the old member, back under its
// old id with an empty directory, is refused as removed and stops itself (exit 1). A node started
// with --join that nobody added exits 1 with PAXOS_ERR_NOT_A_MEMBER.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../../src/transport/client/client.js';
import type { MembersReport } from '../../src/transport/client/memberRequests.js';
import { MemberProcesses } from '../support/memberProcesses.js';
import { runCli, until } from './cliHelpers.js';

const START = ['n1', 'n2', 'n3'];
let dir: string;
let nodes: MemberProcesses;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gen-paxos-members-'));
  nodes = await MemberProcesses.create(dir, [...START, 'n4', 'n5', 'n6']);
  await Promise.all(START.map((id) => nodes.start(id, { peers: START })));
});
afterAll(async () => {
  await nodes?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function listJson(via: string): Promise<MembersReport> {
  const run = await runCli(['member', 'list', '--json', ...nodes.clientFlags(via)]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as MembersReport;
}

describe('gen-paxos member list on three nodes', () => {
  it('prints one line per member: URL, voter, link, caught up', async () => {
    // Catch-up reaches every peer's head shortly after the links come up.
    const caughtUp = await until('every member caught up', async () => {
      const report = await listJson('n1');
      return report.members.every((member) => member.caughtUp === true) ? report : undefined;
    });
    expect(caughtUp).toMatchObject({ node: 'n1', config: 1, epoch: 0, complete: true, previousVoters: null });
    expect(caughtUp.members.map(({ id, url, voter, link }) => ({ id, url, voter, link }))).toEqual([
      { id: 'n1', url: nodes.urls.n1, voter: true, link: 'self' },
      { id: 'n2', url: nodes.urls.n2, voter: true, link: 'up' },
      { id: 'n3', url: nodes.urls.n3, voter: true, link: 'up' },
    ]);
    const run = await runCli(['member', 'list', ...nodes.clientFlags('n2')]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('configuration 1 (epoch 0), complete; as node n2 knows it');
    expect(lines[1]).toMatch(/^id +url +voter +link +caught up$/);
    for (const id of START) {
      const link = id === 'n2' ? 'self' : 'up';
      expect(run.stdout).toMatch(new RegExp(`^${id} +ws://127\\.0\\.0\\.1:\\d+ +yes +${link} +yes$`, 'm'));
    }
  });

  it('a refused change exits 6 with its code and changes nothing; bad arguments exit 2', async () => {
    const exists = await runCli([
      'member',
      'add',
      '--json',
      ...nodes.clientFlags('n1'),
      `n2=${nodes.urls.n4}`,
    ]);
    expect(exists.code).toBe(6);
    expect(JSON.parse(exists.stdout)).toMatchObject({ error: { code: 'PAXOS_ERR_MEMBER_EXISTS' } });
    const unknown = await runCli(['member', 'remove', '--json', ...nodes.clientFlags('n1'), 'zz']);
    expect(unknown.code).toBe(6);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { code: 'PAXOS_ERR_NOT_A_MEMBER' } });
    const noUrl = await runCli(['member', 'add', ...nodes.clientFlags('n1'), 'n4']);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/^gen-paxos member add: ID=URL must be ID=URL/);
    const sameId = await runCli([
      'member',
      'replace',
      ...nodes.clientFlags('n1'),
      'n3',
      `n3=${nodes.urls.n4}`,
    ]);
    expect(sameId.code).toBe(2);
    expect(sameId.stderr).toMatch(/NEW-ID must differ from OLD-ID/);
    expect((await listJson('n3')).config).toBe(1);
  });
});

describe('a member added, joined, then removed through its own endpoint', () => {
  it(
    'joins once added; removed, it answers the change, then stops itself with exit 1',
    { timeout: 90_000 },
    async () => {
      const add = await runCli(['member', 'add', ...nodes.clientFlags('n1'), `n6=${nodes.urls.n6}`], 70_000);
      expect(add.code, add.stderr).toBe(0);
      expect(add.stdout).toMatch(/^n6 +ws:\/\/127\.0\.0\.1:\d+ +yes +down/m);
      const n6 = await nodes.start('n6', { join: ['n1'] });
      await until('n6 joined', async () =>
        n6.stdout.some((line) => line.includes('"event":"joined"')) ? true : undefined,
      );
      const remove = await runCli(['member', 'remove', ...nodes.clientFlags('n6'), 'n6'], 70_000);
      expect(remove.code, remove.stderr).toBe(0);
      expect(remove.stdout).toMatch(/, complete; as node n6 knows it/);
      expect(remove.stdout).not.toMatch(/^n6 /m);
      expect(await n6.exited).toEqual({ code: 1, signal: null });
      expect(n6.stderr.join('\n')).toMatch(/gen-paxos node: PAXOS_ERR_REMOVED: node n6 was removed/);
      // n6 knew the change complete when it answered; n2 adopts it once it learns the decision,
      // which may come a moment later (it is asynchronous, like every member's learning).
      const report = await until('n2 adopts the configuration without n6', async () => {
        const listed = await listJson('n2');
        return listed.members.some((member) => member.id === 'n6') ? undefined : listed;
      });
      expect(report.members.map((member) => member.id)).toEqual(START);
      const ask = await runCli(['ask', ...nodes.clientFlags('n2'), 'after-n6', 'yes']);
      expect(ask).toMatchObject({ code: 0, stdout: 'yes\n' });
    },
  );
});

describe('replacing a kill -9’d member whose data directory is gone (issue 15)', () => {
  it(
    'keeps every decided key through the replacement and the loss of another original member',
    { timeout: 180_000 },
    async () => {
      const client = await connectClient(nodes.urls.n1 as string, {
        secret: nodes.clientSecret,
        cluster: nodes.cluster,
      });
      const decided = new Map<string, string>();
      try {
        for (let i = 0; i < 40; i++) decided.set(`k${i}`, String(await client.ask(`k${i}`, `v${i}`)));
      } finally {
        await client.close();
      }

      // n3 dies with its disk.
      await nodes.kill('n3');
      rmSync(nodes.dataDirOf('n3'), { recursive: true, force: true });

      const replace = await runCli(
        ['member', 'replace', ...nodes.clientFlags('n1', 'n2'), 'n3', `n4=${nodes.urls.n4}`],
        90_000,
      );
      expect(replace.code, replace.stderr).toBe(0);
      expect(replace.stdout).toMatch(/^configuration \d+ \(epoch \d+\), complete/);
      expect(replace.stdout).toMatch(/^n4 +ws:\/\/127\.0\.0\.1:\d+ +yes /m);
      expect(replace.stdout).not.toMatch(/^n3 /m);

      const n4 = await nodes.start('n4', { join: ['n1', 'n2'] });
      await until('n4 joined', async () =>
        n4.stdout.some((line) => line.includes('"event":"joined"')) ? true : undefined,
      );
      await until(
        'n4 up and caught up, as n1 sees it',
        async () => {
          const report = await listJson('n1');
          const entry = report.members.find((member) => member.id === 'n4');
          return entry?.link === 'up' && entry.caughtUp === true ? report : undefined;
        },
        30_000,
      );

      // kill -9 and restarted with neither --join nor --peer: its data directory holds the chain.
      await nodes.kill('n4');
      const again = await nodes.start('n4', { peers: [] });
      const listening = JSON.parse(again.stdout.find((line) => line.includes('"listening"')) as string) as {
        members: string[];
      };
      expect(listening.members).toEqual(['n1', 'n2', 'n4']);
      await until('n1 and n4 linked again', async () => {
        const report = await listJson('n1');
        return report.members.find((member) => member.id === 'n4')?.link === 'up' ? true : undefined;
      });

      // status and /ready judge n4 by the configuration it runs under, not by how it started.
      const status = await runCli(['status', '--json', ...nodes.clientFlags('n4')]);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ node: 'n4', members: ['n1', 'n2', 'n4'] });

      // Lose another original member: n1 and n4 are a majority of [n1, n2, n4].
      await nodes.kill('n2');
      for (const via of ['n4', 'n1']) {
        const reader = await connectClient(nodes.urls[via] as string, {
          secret: nodes.clientSecret,
          cluster: nodes.cluster,
        });
        try {
          for (const [key, value] of decided)
            expect(await reader.read(key, { quorum: true }), `${key} via ${via}`).toBe(value);
          expect(await reader.ask(`after-${via}`, via)).toBe(via);
          for (const [key] of decided) expect(await reader.ask(key, 'other')).toBe(decided.get(key));
        } finally {
          await reader.close();
        }
      }
      const list = await runCli(['member', 'list', ...nodes.clientFlags('n4')]);
      expect(list.code).toBe(0);
      // (n4, restarted, knows no URL for the start members: configuration 1 holds none, §14.)
      expect(list.stdout).toMatch(/^n2 +\S+ +yes +down/m);

      // The old n3 comes back under its old id with an empty data directory: refused as removed,
      // it stops itself; the group keeps deciding.
      const old = await nodes.start('n3', { peers: START });
      expect(await old.exited).toEqual({ code: 1, signal: null });
      expect(old.stderr.join('\n')).toMatch(/gen-paxos node: PAXOS_ERR_REMOVED: node n3 was removed/);
      const after = await runCli(['ask', ...nodes.clientFlags('n4'), 'after-n3', 'yes']);
      expect(after).toMatchObject({ code: 0, stdout: 'yes\n' });
    },
  );

  it(
    'a node started with --join that the group did not add exits 1 with PAXOS_ERR_NOT_A_MEMBER',
    { timeout: 60_000 },
    async () => {
      const n5 = nodes.start('n5', { join: ['n1'] });
      const started = await n5;
      expect(await started.exited).toEqual({ code: 1, signal: null });
      expect(started.stderr.join('\n')).toMatch(
        /PAXOS_ERR_NOT_A_MEMBER: node n5 is not a member .*gen-paxos member add n5=URL/,
      );
    },
  );
});
