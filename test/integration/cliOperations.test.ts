// Operating a cluster with the `gen-paxos` command, as an etcdctl user would, in real processes:
// --version, endpoints with failover from the environment, health and readiness with all up and
// with two of three down, values that cannot look alike, a timed-out ask that says why, an ask
// cut off by its node stopping, and `status` naming why links are down (start member lists that
// differ, amnesia).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/cli/freePorts.js';
import { LocalCluster } from '../../src/cli/localCluster.js';
import { MAIN, runCli, until } from './cliHelpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gen-paxos-ops-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

const httpOf = (ws: string) => ws.replace(/^ws:/, 'http:');

describe('gen-paxos --version', () => {
  it.each([['--version'], ['-v'], ['version']])('%s prints the package version', async (flag) => {
    const run = await runCli([flag]);
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('a 3-node cluster, all up, then two of three down', () => {
  let cluster: LocalCluster;
  let endpoints: string;
  let common: string[];

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3, mainPath: MAIN, dir: mkdtempSync(join(dir, 'c-')) });
    endpoints = cluster.ids.map((id) => cluster.urls[id]).join(',');
    common = ['--secret-file', cluster.clientSecretFile, '--cluster', cluster.cluster];
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('health: one line per member, exit 0 while all are up', async () => {
    const run = await runCli(['health', '--endpoints', endpoints, ...common]);
    expect(run.code).toBe(0);
    for (const id of cluster.ids) expect(run.stdout).toMatch(new RegExp(`^${id} +up +ws://\\S+ +3/3 `, 'm'));
    expect(run.stdout).toMatch(/^healthy: 3 of 3 members healthy, a quorum needs 2$/m);
    const ready = await fetch(`${httpOf(cluster.urls.n1 as string)}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, reachable: ['n1', 'n2', 'n3'] });
  });

  it('ask fails over past a dead first endpoint, reading endpoints, secret and cluster from the environment', async () => {
    const [deadPort, otherDeadPort] = await freePorts(2);
    const run = await runCli(['ask', 'colour', 'red'], 30_000, {
      GEN_PAXOS_ENDPOINTS: `127.0.0.1:${deadPort},${cluster.urls.n2}`,
      GEN_PAXOS_SECRET_FILE: cluster.clientSecretFile,
      GEN_PAXOS_CLUSTER: cluster.cluster,
    });
    expect(run).toMatchObject({ code: 0, stdout: 'red\n' });
    // With every endpoint dead, the message names each one's failure.
    const none = await runCli([
      'read',
      '--endpoints',
      `127.0.0.1:${deadPort},127.0.0.1:${otherDeadPort}`,
      ...common,
      'colour',
    ]);
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(
      /^gen-paxos read: none of the 2 endpoints answered: cannot connect to ws:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED .*; cannot connect to /,
    );
  });

  it('prints a string that reads as JSON quoted, and a JSON value as JSON; --expect-won exits 7 on a lost ask', async () => {
    const asString = await runCli(['ask', '--endpoints', endpoints, ...common, 'cfg', '{"a":[1,2]}']);
    const asJson = await runCli([
      'ask',
      '--endpoints',
      endpoints,
      ...common,
      '--value-json',
      'cfg2',
      '{"a":[1,2]}',
    ]);
    expect(asString).toMatchObject({ code: 0, stdout: '"{\\"a\\":[1,2]}"\n' });
    expect(asJson).toMatchObject({ code: 0, stdout: '{"a":[1,2]}\n' });
    const read = await runCli(['read', '--node', cluster.urls.n3 as string, ...common, 'cfg']);
    expect(read.stdout).toBe(asString.stdout);
    const lost = await runCli(['ask', '--endpoints', endpoints, ...common, '--expect-won', 'cfg', 'other']);
    expect(lost.code).toBe(7);
    expect(lost.stdout).toBe(asString.stdout);
    expect(lost.stderr).toMatch(/another value was decided for "cfg"/);
    const won = await runCli(['ask', '--endpoints', endpoints, ...common, '--expect-won', 'fresh', 'mine']);
    expect(won).toMatchObject({ code: 0, stdout: 'mine\n' });
  });

  it('read --quorum: the decided value from any node, exit 3 only when no value can have been chosen', async () => {
    const asked = await runCli(['ask', '--node', cluster.urls.n1 as string, ...common, 'quorum-key', 'q']);
    expect(asked).toMatchObject({ code: 0, stdout: 'q\n' });
    for (const id of cluster.ids) {
      const run = await runCli([
        'read',
        '--quorum',
        '--json',
        '--node',
        cluster.urls[id] as string,
        ...common,
        'quorum-key',
      ]);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({
        key: 'quorum-key',
        decided: true,
        value: 'q',
        node: id,
        quorum: true,
      });
    }
    const none = await runCli([
      'read',
      '--quorum',
      '--node',
      cluster.urls.n2 as string,
      ...common,
      'never-asked',
    ]);
    expect(none).toMatchObject({ code: 3, stdout: '' });
    expect(none.stderr).toMatch(
      /^gen-paxos read: no value is decided for "never-asked" \(a quorum, asked by node n2\)$/m,
    );
  });

  it('with two of three down: health exits 8 saying why, status exits 8, /ready is 503, an ask says no quorum was reachable', async () => {
    await cluster.kill('n2');
    await cluster.kill('n3');
    const health = await until('n1 to see both links down', async () => {
      const run = await runCli(['health', '--endpoints', endpoints, ...common]);
      return /n1 sees unreachable/.test(run.stdout) && run.stdout.match(/n1 sees/g)?.length === 2
        ? run
        : undefined;
    });
    expect(health.code).toBe(8);
    expect(health.stdout).toMatch(/^n1 +up, no quorum .* reaches 1 of 3 members, a quorum needs 2$/m);
    expect(health.stdout).toMatch(
      /^n2 +down .*cannot connect to ws:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/m,
    );
    expect(health.stdout).toMatch(/^unhealthy: 0 of 3 members healthy, a quorum needs 2$/m);

    const status = await runCli(['status', '--endpoints', endpoints, ...common]);
    expect(status.code).toBe(8);
    expect(status.stdout).toMatch(/^n2 +down .*unreachable \(connect ECONNREFUSED/m);
    expect(status.stderr).toMatch(/node n1 reaches 1 of 3 members; a quorum needs 2/);

    const ready = await fetch(`${httpOf(cluster.urls.n1 as string)}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      ready: false,
      node: 'n1',
      quorum: 2,
      reachable: ['n1'],
      unreachable: { n2: 'unreachable', n3: 'unreachable' },
    });
    expect((await fetch(`${httpOf(cluster.urls.n1 as string)}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${httpOf(cluster.urls.n1 as string)}/metrics`)).text();
    expect(metrics).toMatch(/^paxos_link_up\{node="n1",peer="n2",reason="unreachable",code="",side=""\} 0$/m);

    const ask = await runCli(['ask', '--endpoints', endpoints, ...common, '--timeout-ms', '1000', 'k1', 'v']);
    expect(ask.code).toBe(6);
    expect(ask.stderr).toBe(
      'gen-paxos ask: no decision for key "k1" within 1000 ms; the outcome is unknown (the value may still be decided): ' +
        'unreachable from node n1: n2, n3; no quorum was reachable (1 of 3 members, a quorum needs 2)\n',
    );
  });

  it('an ask cut off by its node stopping says the outcome is unknown', async () => {
    const child = spawn(process.execPath, [
      MAIN,
      'ask',
      '--node',
      cluster.urls.n1 as string,
      ...common,
      '--timeout-ms',
      '30000',
      'k-stop',
      'v',
    ]);
    const stderr: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Wait until n1 holds the ask (it shows as pending), then stop n1.
    await until('the ask to be pending on n1', async () => {
      const run = await runCli(['status', '--node', cluster.urls.n1 as string, ...common, '--json']);
      return run.stdout.includes('"k-stop"') ? true : undefined;
    });
    await cluster.kill('n1', 'SIGTERM');
    expect(await exited).toBe(4);
    expect(stderr.join('')).toMatch(
      /^gen-paxos ask: connection to node n1 closed during the ask of "k-stop" \(code 1001: node stopping\); the outcome is unknown: the value may still be decided\n$/,
    );
  });
});

/** Starts `gen-paxos node` with these flags; resolves once it listens. */
function startNode(args: readonly string[]) {
  const child = spawn(process.execPath, [MAIN, 'node', ...args, '--memory', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const listening = new Promise<void>((resolve) =>
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"listening"')) resolve();
    }),
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    stderr,
    listening,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('status names why a link is down', () => {
  it('start member lists that differ (a configuration conflict): both sides say so, redial once a minute and log it once', async () => {
    const [px, py, pz] = await freePorts(3);
    const peerSecret = join(dir, 'mismatch-peer.secret');
    const secret = join(dir, 'mismatch-client.secret');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(peerSecret, 'mismatch-peer-secret\n');
    writeFileSync(secret, 'mismatch-client-secret\n');
    const x = startNode([
      '--id',
      'x',
      '--listen',
      `127.0.0.1:${px}`,
      '--peer',
      `y=127.0.0.1:${py}`,
      '--secret-file',
      peerSecret,
      '--client-secret-file',
      secret,
    ]);
    const y = startNode([
      '--id',
      'y',
      '--listen',
      `127.0.0.1:${py}`,
      '--peer',
      `x=127.0.0.1:${px}`,
      '--peer',
      `z=127.0.0.1:${pz}`,
      '--secret-file',
      peerSecret,
      '--client-secret-file',
      secret,
    ]);
    try {
      await Promise.all([x.listening, y.listening]);
      const status = await until('x to name the refusal', async () => {
        const run = await runCli(['status', '--node', `127.0.0.1:${px}`, '--secret-file', secret]);
        return /configuration conflict/.test(run.stdout) ? run : undefined;
      });
      expect(status.stdout).toMatch(
        /^y +down .*refused by (peer|this node): configuration conflict \(WIRE_ERR_CONFIG_CONFLICT: configuration 1 differs/m,
      );
      const ofY = await runCli(['status', '--node', `127.0.0.1:${py}`, '--secret-file', secret, '--json']);
      const links = (JSON.parse(ofY.stdout) as { links: Array<{ peer: string; reason: { code: string } }> })
        .links;
      expect(links.find((link) => link.peer === 'x')?.reason.code).toBe('WIRE_ERR_CONFIG_CONFLICT');
      // Two more seconds: no redial (permanent refusals wait a minute), one log line per side.
      const dialsOfX = async () =>
        (
          JSON.parse(
            (await runCli(['status', '--node', `127.0.0.1:${px}`, '--secret-file', secret, '--json'])).stdout,
          ) as { counters: Record<string, number> }
        ).counters['wire.dialAttempts'];
      const before = await dialsOfX();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await dialsOfX()).toBe(before);
      expect(x.stderr.filter((line) => line.includes('handshake with peer failed'))).toHaveLength(1);
    } finally {
      await Promise.all([x.stop(), y.stop()]);
    }
  });

  it('amnesia: a node restarted without its data directory is refused, and both sides say why', async () => {
    const cluster = await LocalCluster.start({
      size: 3,
      mainPath: MAIN,
      dir: mkdtempSync(join(dir, 'a-')),
      durable: true,
    });
    const common = ['--secret-file', cluster.clientSecretFile, '--cluster', cluster.cluster];
    try {
      expect((await runCli(['ask', '--node', cluster.urls.n1 as string, ...common, 'k', 'v'])).code).toBe(0);
      await cluster.kill('n3', 'SIGTERM');
      rmSync(cluster.dataDirOf('n3'), { recursive: true, force: true });
      await cluster.spawn('n3');
      const ofN3 = await until('n3 to be refused', async () => {
        const run = await runCli(['status', '--node', cluster.urls.n3 as string, ...common]);
        return /^n1 .*amnesia/m.test(run.stdout) && /^n2 .*amnesia/m.test(run.stdout) ? run : undefined;
      });
      expect(ofN3.code).toBe(8);
      expect(ofN3.stdout).toMatch(
        /^n1 +down .*refused by (peer|this node): amnesia \(WIRE_ERR_INCARNATION_REFUSED: /m,
      );
      const ofN1 = await until('n1 to refuse n3', async () => {
        const run = await runCli(['status', '--node', cluster.urls.n1 as string, ...common]);
        return /^n3 .*amnesia/m.test(run.stdout) ? run : undefined;
      });
      expect(ofN1.stdout).toMatch(
        /^n3 +down .*refused by (peer|this node): amnesia \(WIRE_ERR_INCARNATION_REFUSED: /m,
      );
      expect(ofN1.code).toBe(0); // n1 still reaches n2: a quorum
    } finally {
      await cluster.stop();
    }
  });
});
