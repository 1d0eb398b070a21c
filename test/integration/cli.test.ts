// The `gen-paxos` command as a user runs it: the demo (real processes, small key count), a
// single node stopped by SIGINT, and a clear message with exit status 2 for every bad flag.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { parseNodeKey } from '../../src/base/nodeKey.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../support/processes.js';
import { MAIN, runCli } from './cliHelpers.js';

let dir: string;
let secretFile: string;
let clientSecretFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gen-paxos-cli-'));
  secretFile = join(dir, 'secret');
  writeFileSync(secretFile, 'a-test-secret\n');
  clientSecretFile = join(dir, 'client.secret');
  writeFileSync(clientSecretFile, 'a-client-secret\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A temp directory of the test's own, given to the demo as its TMPDIR: the demo's directories are
 * counted there, where runs of other suites on the machine cannot add theirs.
 */
function privateTmp(): { env: { TMPDIR: string }; demoDirs: () => number; cleanup: () => void } {
  const where = mkdtempSync(join(tmpdir(), 'gen-paxos-cli-tmp-'));
  return {
    env: { TMPDIR: where },
    demoDirs: () => readdirSync(where).filter((name) => name.startsWith('gen-paxos-demo-')).length,
    cleanup: () => rmSync(where, { recursive: true, force: true }),
  };
}

describe('gen-paxos demo', () => {
  it('starts 3 node processes, decides the keys, checks agreement, prints the table and stops everything', async () => {
    const tmp = privateTmp();
    const run = await runCli(['demo', '--keys', '12'], 60_000, tmp.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/3 node processes on 127\.0\.0\.1 with durable state .*, 12 keys/);
    expect(run.stdout).toMatch(/^ {2}n1 {2}pid \d+ {2}ws:\/\/127\.0\.0\.1:\d+$/m);
    expect(run.stdout).toMatch(/asks: 20\/20 \(100%\)/);
    expect(run.stdout).toMatch(/node +asks +p50 ms +p90 ms +p99 ms +keys known/);
    expect(run.stdout).toMatch(/12\/12 +all 3 nodes agree on every key/);
    expect(run.stdout).toMatch(/stopped 3 node processes, all cleanly\n$/);
    expect(tmp.demoDirs()).toBe(0);
    tmp.cleanup();
  });

  it('prints one JSON summary with --json', async () => {
    const run = await runCli(['demo', '--nodes', '2', '--keys', '5', '--json'], 60_000);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ nodes: 2, keys: 5, decided: 5, agreed: true, asks: 7 });
  });

  it('keeps the in-process demo as --in-process', async () => {
    const run = await runCli(['demo', '--in-process', '--keys', '9']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/started 3 nodes in this process/);
    expect(run.stdout).toMatch(/all nodes agree/);
  });
});

describe('gen-paxos demo --ui', () => {
  it('finishes stopping when a second signal arrives mid-shutdown (a double Ctrl-C, or `timeout`)', async () => {
    const tmp = privateTmp();
    const child = spawn(process.execPath, [MAIN, 'demo', '--ui', '--rate', '4'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...tmp.env },
    });
    const lines: string[] = [];
    let during = -1;
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('cluster view:')) {
        during = tmp.demoDirs(); // the demo's directory is where the test counts
        child.kill('SIGTERM');
      }
      // Without a listener, this one would kill the demo before it stops its nodes.
      if (line.startsWith('gen-paxos demo: stopping')) child.kill('SIGTERM');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = await exited;
    clearTimeout(timer);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(lines).toContain('gen-paxos demo: stopping (SIGTERM)');
    expect(lines.at(-1)).toBe('stopped 3 node processes');
    expect(during).toBe(1);
    expect(tmp.demoDirs()).toBe(0);
    tmp.cleanup();
  });

  it('leaves no node running when it is killed outright: each node stops when its parent is gone', async () => {
    let demoDir: string | null = null;
    const child = spawn(process.execPath, [MAIN, 'demo', '--ui', '--rate', '4'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pids: number[] = [];
    await new Promise<void>((resolve, reject) => {
      child.once('exit', () => reject(new Error('the demo exited before its URL')));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const pid = /^ {2}n\d {2}pid (\d+)/.exec(line)?.[1];
        if (pid !== undefined) pids.push(Number(pid));
        demoDir ??= /\(LMDB in (\S+)\)$/.exec(line)?.[1] ?? null;
        if (line.startsWith('cluster view:')) resolve();
      });
    });
    expect(pids).toHaveLength(3);
    expect(demoDir).toMatch(/gen-paxos-demo-/);
    child.kill('SIGKILL');
    try {
      await expect.poll(() => pids.filter(isAlive), { timeout: 10_000, interval: 50 }).toEqual([]);
    } finally {
      for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
      // Killed outright, the demo could not remove its temp directory. Only this demo's: other
      // demos (other test files, running at the same time) still use theirs.
      if (demoDir !== null) rmSync(demoDir, { recursive: true, force: true });
    }
  });
});

describe('gen-paxos node', () => {
  it('runs until SIGINT, then shuts down cleanly with status 0', async () => {
    const child = spawn(process.execPath, [
      MAIN,
      'node',
      '--id',
      'solo',
      '--listen',
      '127.0.0.1:0',
      '--secret-file',
      secretFile,
      '--client-secret-file',
      clientSecretFile,
      '--json',
    ]);
    const lines = createInterface({ input: child.stdout });
    const stdout: string[] = [];
    const listening = new Promise<{ url: string }>((resolve) =>
      lines.on('line', (line) => {
        stdout.push(line);
        if (line.includes('"listening"')) resolve(JSON.parse(line) as { url: string });
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const { url } = await listening;
    // A one-member cluster decides alone.
    const asked = await runCli(['ask', '--node', url, '--secret-file', clientSecretFile, 'k', 'v']);
    expect(asked).toMatchObject({ code: 0, stdout: 'v\n' });
    // A __proto__ key is a key like any other, through the CLI too (issue 17).
    const proto = '{"__proto__":"first","__proto_":"second"}';
    const exact = await runCli([
      'ask',
      '--node',
      url,
      '--secret-file',
      clientSecretFile,
      '--value-json',
      'p',
      proto,
    ]);
    expect(exact).toMatchObject({ code: 0, stdout: `${proto}\n` });
    // The peer secret is no client credential (issue 17).
    const asPeer = await runCli(['ask', '--node', url, '--secret-file', secretFile, 'k', 'v']);
    expect(asPeer.code).toBe(5);
    expect(asPeer.stderr).toMatch(/WIRE_ERR_AUTH_FAILED.*not a client credential/);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(JSON.parse(stdout.at(-1) as string)).toEqual({ event: 'stopped', node: 'solo', signal: 'SIGINT' });
  });

  it('exits 1 with a message when it cannot listen', async () => {
    const { freePorts } = await import('../../src/cli/freePorts.js');
    const { createServer } = await import('node:net');
    const [port] = await freePorts(1);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const run = await runCli([
      'node',
      '--id',
      'a',
      '--listen',
      `127.0.0.1:${port}`,
      '--secret-file',
      secretFile,
    ]);
    blocker.close();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot start a: .*EADDRINUSE/);
  });

  it('keeps its state in --data-dir, which then belongs to that node id', async () => {
    const data = join(dir, 'data-x');
    const args = ['--listen', '127.0.0.1:0', '--secret-file', secretFile, '--data-dir', data];
    const child = spawn(process.execPath, [MAIN, 'node', '--id', 'x', ...args, '--json']);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const listening = await new Promise<{ durable: boolean; publicKey: string }>((resolve) =>
      createInterface({ input: child.stdout }).on('line', (line) =>
        resolve(JSON.parse(line) as { durable: boolean; publicKey: string }),
      ),
    );
    expect(listening.durable).toBe(true);
    // Its identity key was made in the directory on first start (mode 0600) and is printed to pin.
    const keyFile = join(data, 'node-key.pem');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(listening.publicKey).toBe(parseNodeKey(readFileSync(keyFile, 'utf8'), keyFile).publicKey);
    // While x runs the directory is locked; afterwards it still belongs to x only.
    const locked = await runCli(['node', '--id', 'x', ...args]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/cannot start x: /);
    child.kill('SIGTERM');
    await exited;
    // Restarted, it keeps the same key.
    const again = spawn(process.execPath, [MAIN, 'node', '--id', 'x', ...args, '--json']);
    const againExited = new Promise((resolve) => again.once('exit', resolve));
    const relisten = await new Promise<{ publicKey: string }>((resolve) =>
      createInterface({ input: again.stdout }).on('line', (line) =>
        resolve(JSON.parse(line) as { publicKey: string }),
      ),
    );
    expect(relisten.publicKey).toBe(listening.publicKey);
    again.kill('SIGTERM');
    await againExited;
    const wrong = await runCli(['node', '--id', 'y', ...args]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/cannot start y: /);
  });
});

describe('bad command lines exit 2 with a clear message', () => {
  const node = ['node', '--id', 'a', '--listen', '127.0.0.1:0', '--secret-file'];
  it.each([
    [[], /usage: gen-paxos <command>/],
    [['launch'], /unknown command "launch"/],
    [['node'], /gen-paxos node: needs --id/],
    [['node', '--id', 'a'], /needs --listen/],
    [['node', '--id', 'a b', '--listen', '127.0.0.1:1'], /--id "a b": a node id is/],
    [['node', '--id', 'a', '--listen', 'localhost'], /--listen must be HOST:PORT/],
    [['node', '--id', 'a', '--listen', '127.0.0.1:70000'], /--listen must be HOST:PORT/],
    [['node', '--id', 'a', '--listen', '127.0.0.1:0', '--peer', 'b'], /--peer must be ID=URL/],
    [
      ['node', '--id', 'a', '--listen', '127.0.0.1:0', '--peer', 'b=http://x:1'],
      /--peer must be ws:\/\/HOST:PORT/,
    ],
    [['node', '--id', 'a', '--listen', '127.0.0.1:0', '--peer', 'a=ws://x:1'], /a node is not its own peer/],
    [['node', '--id', 'a', '--listen', '127.0.0.1:0'], /needs --secret-file/],
    [
      ['node', '--id', 'a', '--listen', '127.0.0.1:0', '--secret-file', '/nonexistent/secret'],
      /--secret-file \/nonexistent\/secret: cannot read: no such file/,
    ],
    [
      ['node', '--id', 'a', '--listen', '127.0.0.1:0', '--secret-file', 'SECRET', '--log-level', 'loud'],
      /--log-level must be/,
    ],
    [
      ['node', '--id', 'a', '--listen', '127.0.0.1:0', '--secret-file', 'SECRET', '--tls-key', 'k.pem'],
      /--tls-key and --tls-cert go together/,
    ],
    [
      ['ask', '--node', '127.0.0.1:1', '--secret-file', 'SECRET', 'only-a-key'],
      /gen-paxos ask: missing VALUE\n/,
    ],
    [
      ['ask', '--node', '127.0.0.1:1', '--secret-file', 'SECRET', 'k', 'v', 'w'],
      /takes KEY VALUE; unexpected "w"/,
    ],
    [
      ['ask', '--node', '127.0.0.1:1', '--secret-file', 'SECRET', 'k', '-5'],
      /-5: a value starting with "-" goes after "--", as in: gen-paxos ask \[options\] -- KEY -5\n/,
    ],
    [
      ['ask', '--secret-file', 'SECRET', 'k', 'v'],
      /needs --endpoints URL\[,URL...\] \(or --node URL, or GEN_PAXOS_ENDPOINTS\)/,
    ],
    [['ask', '--node', 'x:1', 'k', 'v'], /needs --secret-file FILE \(or GEN_PAXOS_SECRET_FILE\)/],
    [
      ['ask', '--endpoints', 'x:1,http://y:2', '--secret-file', 'SECRET', 'k', 'v'],
      /--endpoints must be ws:\/\/HOST:PORT, wss:\/\/HOST:PORT or HOST:PORT/,
    ],
    [['ask', '--node'], /--node needs a value \(URL\)/],
    [['ask', '--json=yes'], /--json takes no value/],
    [['stauts'], /unknown command "stauts" \(did you mean "status"\?\)/],
    [['halth'], /did you mean "health"/],
    [
      ['ask', '--node', '127.0.0.1:1', '--secret-file', 'SECRET', '--value-json', 'k', '{oops'],
      /VALUE is not JSON/,
    ],
    [
      ['ask', '--node', '127.0.0.1:1', '--secret-file', 'SECRET', '--timeout-ms=0', 'k', 'v'],
      /--timeout-ms must be an integer/,
    ],
    [['ask', '--node', '127.0.0.1:1', '--secret-file', 'SECRET', '', 'v'], /a key must not be empty/],
    [
      ['read', '--nod', 'x', 'k'],
      /unknown flag --nod \(did you mean --node\?\); 'gen-paxos read --help' lists every flag/,
    ],
    [['node', '--data-dri', 'x'], /unknown flag --data-dri \(did you mean --data-dir\?\)/],
    [['status', '--secret', 'x'], /unknown flag --secret \(did you mean --secret-file\?\)/],
    [['status', '--node', 'nowhere', '--secret-file', 'SECRET'], /--node must be ws:\/\/HOST:PORT/],
    [['demo', '--keys', '0'], /--keys must be an integer from 1 to 100000/],
    [['demo', '--nodes', 'three'], /--nodes must be an integer/],
    [[...node, 'SECRET', '--catchup-rate', 'fast'], /--catchup-rate must be an integer from 0/],
    [['demo', '--teach'], /--teach goes with --ui/],
    [['demo', '--config', 'CONFIG:{"keys":"5","colour":"red"}'], /there is no flag --colour here/],
    [['demo', '--config', 'CONFIG:{"key":"5"}'], /there is no flag --key here \(did you mean --keys\?\)/],
    [['demo', '--config', 'CONFIG:{not json'], /not valid JSON/],
    [['demo', '--config', 'CONFIG:{"in-process":"yes"}'], /"in-process" must be true or false/],
  ])('gen-paxos %j', async (args, message) => {
    const resolved = (args as string[]).map((arg) => {
      if (arg === 'SECRET') return secretFile;
      if (!arg.startsWith('CONFIG:')) return arg;
      const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, arg.slice('CONFIG:'.length));
      return file;
    });
    const run = await runCli(resolved);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message as RegExp);
    expect(run.stdout).toBe('');
  });

  it('node flags fill in from a config file, flags win', async () => {
    const config = join(dir, 'node.json');
    writeFileSync(
      config,
      JSON.stringify({ id: 'from-config', listen: 'not-a-listen-address', 'secret-file': secretFile }),
    );
    const run = await runCli([...node.slice(0, 1), '--config', config, '--id', 'from-flag']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--listen must be HOST:PORT .*, got "not-a-listen-address"/);
  });

  it('--help prints a command usage and exits 0', async () => {
    const run = await runCli(['ask', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/usage: gen-paxos ask \[options\] KEY VALUE/);
  });

  it('a "--help" after "--" is a value, not a request for help', async () => {
    const run = await runCli([
      'ask',
      '--node',
      '127.0.0.1:1',
      '--secret-file',
      secretFile,
      '--',
      'k',
      '--help',
    ]);
    expect(run.code).toBe(4); // it tried to ask: nothing listens on port 1
    expect(run.stdout).toBe('');
  });
});
