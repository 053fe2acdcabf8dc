import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import ssh2 from 'ssh2';
import { clusterCli, runCli } from '../../helpers/testbed.ts';

// Bad input through the real CLI: one line, exit 2, and no hang on a node that never answers.
let dir: string;
let silent: Server;
let silentPort: number;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cluster-cli-'));
  // Accepts TCP connections and never says a word: an SSH handshake to it can only time out.
  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});
test.after.always(async () => {
  silent?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('schema prints the committed inventory JSON Schema', async (t) => {
  const result = await runCli('cluster/cli.ts', ['schema']);
  t.is(result.code, 0);
  t.deepEqual(JSON.parse(result.stdout), JSON.parse(await readFile('cluster/inventory.schema.json', 'utf8')));
});

test('an inventory error names the field and what was expected', async (t) => {
  const path = join(dir, 'bad.yml');
  await writeFile(path, 'name: x\nnodes:\n  - { name: a, host: h, role: manager, ssh: { port: "22x" } }\n');
  const result = await clusterCli(path, ['status']);
  t.is(result.code, 2);
  t.regex(result.stderr, /^error: .*bad\.yml: nodes\[0\]\.ssh\.port: .*number/m);
  t.notRegex(result.stderr, /at .*\.ts:\d+/, 'no stack trace');
});

test('a bad scale target is a usage error', async (t) => {
  const result = await clusterCli('cluster/cloudlet.yml', ['scale', 'web']);
  t.is(result.code, 2);
  t.regex(result.stderr, /expected <service>=<replicas>, got "web"/);
});

test('a manager that never answers is reported within the SSH timeout', async (t) => {
  const path = join(dir, 'silent.yml');
  await writeFile(
    path,
    `name: silent\nssh: { user: nobody, keyPath: ${join(dir, 'no-key')}, timeoutMs: 500 }\nnodes:\n  - { name: m1, host: 127.0.0.1, role: manager, ssh: { port: ${silentPort} } }\n`,
  );
  // A real key, so the connection gets as far as the silent server: the only possible error is the
  // timeout. (With "not a key" the error was "Cannot parse privateKey" and the server was never
  // reached; seen failing by writing that back.)
  await writeFile(join(dir, 'no-key'), ssh2.utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
  const result = await clusterCli(path, ['status'], 20_000);
  t.is(result.code, 2);
  t.regex(result.stderr, /no manager answered: m1: .*SSH timed out after 500 ms/);
});

test('doctor reports an unreachable node instead of hanging', async (t) => {
  const path = join(dir, 'silent-agent.yml');
  await writeFile(
    path,
    `name: silent\nssh: { user: nobody, agent: false, timeoutMs: 500 }\nnodes:\n  - { name: m1, host: 127.0.0.1, role: manager, ssh: { port: ${silentPort} } }\n`,
  );
  const result = await clusterCli(path, ['doctor', '--json'], 20_000);
  t.is(result.code, 1);
  const findings = JSON.parse(result.stdout) as Array<{ node?: string; level: string; message: string }>;
  t.true(
    findings.some((finding) => finding.node === 'm1' && finding.level === 'fail' && /SSH timed out after 500 ms/.test(finding.message)),
    result.stdout,
  );
});

test('a missing stack file is a usage error', async (t) => {
  const path = join(dir, 'ok.yml');
  await writeFile(
    path,
    `name: ok\nssh: { agent: false, timeoutMs: 500 }\nnodes:\n  - { name: m1, host: 127.0.0.1, role: manager, ssh: { port: ${silentPort} } }\n`,
  );
  const result = await clusterCli(path, ['doctor', '--stack', join(dir, 'nope.yml')]);
  t.is(result.code, 2);
  t.regex(result.stderr, /cannot read stack file/);
});

test('stack config names every missing variable at once, one error line each, and prints the effective file otherwise', async (t) => {
  const missing = await runCli('cluster/cli.ts', ['--cluster', 'cluster/cloudlet.yml', 'stack', 'config', 'go-coffee'], 60_000, {
    POSTGRES_PASSWORD: '',
    RABBITMQ_PASSWORD: '',
  });
  t.is(missing.code, 2);
  t.deepEqual(
    missing.stderr
      .trim()
      .split('\n')
      .map((line) => line.replace(/ \S*go-coffee\.yml:/, ' FILE:')),
    ['error: FILE: POSTGRES_PASSWORD: set POSTGRES_PASSWORD in the environment', 'error: FILE: RABBITMQ_PASSWORD: set RABBITMQ_PASSWORD in the environment'],
  );
  const shown = await runCli('cluster/cli.ts', ['--cluster', 'cluster/cloudlet.yml', 'stack', 'config', 'go-coffee'], 60_000, {
    POSTGRES_PASSWORD: 'p',
    RABBITMQ_PASSWORD: 'r',
  });
  t.is(shown.code, 0, shown.stderr);
  t.regex(shown.stdout, /^# .*go-coffee\.yml \(cluster cloudlet changes nothing\)\nversion: "3\.8"\n/, 'the phones get the file as it is');
});

test('stack config: a bad duration, size or CPU count in a stack file is one error line with its place, no stack trace', async (t) => {
  // Before, units.ts's plain Error left convertStack unnamed and reached the user as "internal error" (exit 70) with a trace.
  const file = join(dir, 'bad-units.yml');
  await writeFile(file, 'version: "3.8"\nservices:\n  web:\n    image: nginx:1\n    stop_grace_period: 10 parsecs\n');
  const result = await runCli('cluster/cli.ts', ['stack', 'config', file]);
  t.is(result.code, 2, result.stderr);
  t.is(result.stderr, `error: ${file}: services.web.stop_grace_period: expected a duration such as 10s or 1m30s, got "10 parsecs"\n`);
});

test('bad flags of images load and teardown are named before anything is reached', async (t) => {
  const node = await clusterCli('cluster/cloudlet.yml', ['images', 'load', '--node', 'pixel-1,nope']);
  t.is(node.code, 2);
  t.regex(node.stderr, /^error: --node nope: not in the inventory \(nodes: pixel-1, pixel-2, pixel-3, pixel-4, pixel-5\)$/m);
  const volumes = await clusterCli('cluster/cloudlet.yml', ['teardown', '--volumes', '--yes']);
  t.is(volumes.code, 2);
  t.regex(volumes.stderr, /^error: --volumes goes with --prune$/m);
});
