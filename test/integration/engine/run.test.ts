/**
 * `engine run` end to end: its output files agree on every count, SIGINT ends a run in order,
 * execution segments and worker threads split a test without losing or repeating an iteration, the
 * VU mode follows the script's calls, InfluxDB gets every sample (and a dead one never stops a run),
 * and the coffee scenario runs unchanged against the reference shop.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test from 'ava';
import { ENGINE_NODE_FLAGS } from '../../../engine/node-flags.ts';
import { verifyRunOutputs } from '../../../engine/output/verify.ts';
import { REPO_ROOT, runEntry } from '../../helpers/cli.ts';
import { startInfluxd } from '../../helpers/influxd.ts';
import { waitFor } from '../../helpers/poll.ts';
import { descendants, threadNice } from '../../helpers/procs.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { count, runScript, SCRIPTS, startTarget } from './helpers.ts';

test.serial('the summary, the histogram log and the raw samples agree on every count', async (t) => {
  const target = await startTarget(t);
  const dir = await tempDir(t);
  const samples = join(dir, 'samples.json.gz');
  const hdr = join(dir, 'trends.hlog');
  const run = await runScript(t, 'groups.ts', [
    '-e',
    `BASE_URL=${target.url}`,
    '--out',
    `json=${samples}`,
    '--out',
    `hdr=${hdr}`,
    '--histogram-interval',
    '200ms',
  ]);
  t.is(run.code, 0, run.stderr);
  const summaryExport = join(run.dir, 'summary.json');
  const result = await verifyRunOutputs({ summaryExport, hdrLog: hdr, samples });
  t.deepEqual(result.problems, []);
  t.is(result.counts.http_req_duration?.hdr, 3);
  t.is(result.counts.checks?.samples, 9);
  const log = await readFile(hdr, 'utf8');
  t.regex(log, /^#\[Histogram log format version 1\.3\]$/m);
  t.regex(log, /^Tag=http_req_duration\?[^,]*group=%3A%3Aouter%3A%3Ainner[^,]*,\d+\.\d{3},\d+\.\d{3},\d+\.\d{3},HISTF/m);
  // The check can fail: drop one sample line and it says which metric disagrees.
  const raw = join(dir, 'samples.json');
  const cli = await runEntry(join(REPO_ROOT, 'engine/cli.ts'), ['verify', '--summary-export', summaryExport, '--hdr', hdr, '--samples', samples]);
  t.is(cli.code, 0, cli.stderr);
  t.regex(cli.stdout, /all counts agree/);
  const lines = (await import('node:zlib'))
    .gunzipSync(await readFile(samples))
    .toString()
    .split('\n');
  await writeFile(
    raw,
    lines.filter((l, i) => !(l.includes('"metric":"checks"') && i === lines.findIndex((x) => x.includes('"metric":"checks","type":"Point"')))).join('\n'),
  );
  const broken = await verifyRunOutputs({ summaryExport, samples: raw });
  t.false(broken.ok);
  t.true(
    broken.problems.some((p) => p.startsWith('checks: the summary counts 9 samples, the raw samples 8')),
    broken.problems.join('\n'),
  );
});

test.serial('the warm-up before the start stays out of the test: its requests never reach the target and none of its samples are kept', async (t) => {
  // Each worker first runs about a thousand iterations of its own against a loopback server of its
  // own (engine/host/warm.ts) on scratch metrics. Seen failing by handing the warm-up the test's
  // machinery instead of a scratch one: the counts below then include its iterations.
  const target = await startTarget(t);
  const dir = await tempDir(t);
  const samples = join(dir, 'samples.json.gz');
  const run = await runScript(t, 'long-run.ts', [
    '-e',
    `BASE_URL=${target.url}`,
    '-e',
    'RATE=40',
    '-e',
    'DURATION=1s',
    '-e',
    'DELAY=0',
    '--workers',
    '2',
    '--out',
    `json=${samples}`,
  ]);
  t.is(run.code, 0, run.stderr);
  t.is(count(run, 'iterations'), 40);
  t.is(count(run, 'http_reqs'), 40);
  t.is(target.hits.get('/delay'), 40);
  t.is(count(run, 'dropped_iterations'), 0);
  const text = (await import('node:zlib')).gunzipSync(await readFile(samples)).toString();
  t.false(text.includes('warm-up'), 'a sample of the warm-up scenario was written');
  t.is(text.split('\n').filter((l) => l.includes('"metric":"http_reqs","type":"Point"')).length, 40);
});

test.serial('SIGINT: scheduling stops, in-flight iterations finish, summary and samples are written (exit 105)', async (t) => {
  const target = await startTarget(t);
  const dir = await tempDir(t);
  const samples = join(dir, 'samples.json');
  let pid = 0;
  const running = runScript(t, 'long-run.ts', ['-e', `BASE_URL=${target.url}`, '-e', 'DELAY=300', '--out', `json=${samples}`], { onSpawn: (p) => (pid = p) });
  await waitFor('requests under way', () => (target.hits.get('/delay') ?? 0) >= 20, 30_000);
  // Meanwhile, every thread but the worker's (and those it started) runs at nice 10 (engine/host/priority.ts).
  const base = getPriority();
  const nice = await threadNice(pid);
  process.kill(pid, 'SIGINT');
  const run = await running;
  t.is(run.code, 105, run.stderr);
  if (base < 10) {
    t.is(nice.get(pid), 10, 'the main thread');
    t.true([...nice.values()].filter((n) => n === base).length >= 1, `a worker thread at ${base}: ${[...nice.values()].join(' ')}`);
    t.true([...nice.values()].filter((n) => n === 10).length >= 2, 'the main thread and at least one helper thread');
  } else t.log(`nice ${base} already: the engine cannot lower it, nothing to check`);
  t.regex(run.stderr, /SIGINT: stopping the test/);
  t.true((run.summary?.engine.testRunDurationMs ?? 60_000) < 20_000);
  // Every request the server saw was recorded; the ones in flight finished within gracefulStop.
  const served = target.hits.get('/delay') ?? 0;
  t.is(count(run, 'http_reqs'), served);
  t.is(count(run, 'http_req_failed', 'passes'), 0);
  const result = await verifyRunOutputs({ summaryExport: join(run.dir, 'summary.json'), samples });
  t.deepEqual(result.problems, []);
});

test.serial('Ctrl-C to the whole process group of npm run engine: one graceful stop, summary written, exit 105', async (t) => {
  const target = await startTarget(t);
  const dir = await tempDir(t);
  const summary = join(dir, 'summary.json');
  // As a terminal's foreground job: npm and the node it execs share a group of their own, and Ctrl-C
  // reaches both (tsx also re-sends it a few ms later): that is still one stop, not a forced one.
  const child = spawn(
    'npm',
    [
      'run',
      '--silent',
      'engine',
      '--',
      'run',
      join(SCRIPTS, 'long-run.ts'),
      '-q',
      '-e',
      `BASE_URL=${target.url}`,
      '-e',
      'DELAY=300',
      '--summary-export',
      summary,
    ],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  await waitFor('requests under way', () => (target.hits.get('/delay') ?? 0) >= 20, 30_000);
  process.kill(-child.pid!, 'SIGINT');
  t.is(await exited, 105, stderr);
  t.is(stderr.match(/SIGINT: stopping the test/g)?.length, 1, stderr);
  t.notRegex(stderr, /stopping now/);
  const doc = JSON.parse(await readFile(summary, 'utf8')) as { metrics: Record<string, { count?: number }> };
  t.is(doc.metrics.http_reqs?.count, target.hits.get('/delay'));
});

test.serial('Ctrl-C to the group while the script is being bundled: exit 105, no internal error', async (t) => {
  const target = await startTarget(t);
  // esbuild's service runs as a child in the engine's group: the same Ctrl-C ends it mid-bundle (or
  // mid-build of the worker code).
  const child = spawn('npm', ['run', '--silent', 'engine', '--', 'run', join(SCRIPTS, 'long-run.ts'), '-q', '-e', `BASE_URL=${target.url}`], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  // Once the engine catches SIGINT (its handlers come first, then the bundle), and esbuild's service runs.
  let engineArgv: string[] = [];
  const ready = async () => {
    let handling = false;
    let esbuild = false;
    for (const pid of await descendants(child.pid!)) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes('esbuild')) esbuild = true;
      if (!cmdline.includes('engine/cli.ts')) continue;
      engineArgv = cmdline.split('\0');
      const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''))?.[1];
      handling = caught !== undefined && (BigInt(`0x${caught}`) & 2n) !== 0n;
    }
    return handling && esbuild;
  };
  await waitFor('the engine handling SIGINT, esbuild running', ready, 30_000, 5);
  process.kill(-child.pid!, 'SIGINT');
  // npm run engine starts node with the engine's V8 flags (engine/node-flags.ts).
  for (const flag of ENGINE_NODE_FLAGS) t.true(engineArgv.includes(flag), engineArgv.join(' '));
  t.is(await exited, 105, stderr);
  t.notRegex(stderr, /internal error|script error/);
});

test.serial('execution segments split a test into disjoint parts that add up to it', async (t) => {
  const target = await startTarget(t);
  const args = ['-e', `BASE_URL=${target.url}`, '-e', 'RATE=60', '-e', 'DURATION=2s', '-e', 'DELAY=0', '--execution-segment-sequence', '0,1/3,1'];
  const [a, b] = await Promise.all([
    runScript(t, 'long-run.ts', [...args, '--execution-segment', '0:1/3']),
    runScript(t, 'long-run.ts', [...args, '--execution-segment', '1/3:1']),
  ]);
  t.is(a.code, 0, a.stderr);
  t.is(b.code, 0, b.stderr);
  // Every arrival is started or dropped (k6's dropped_iterations) by exactly one of the two processes.
  const arrivals = (r: typeof a) => count(r, 'iterations') + count(r, 'dropped_iterations');
  t.is(arrivals(a) + arrivals(b), 120);
  t.true(Math.abs(arrivals(a) - 40) <= 2, `first third had ${arrivals(a)} arrivals`);
  const wrong = await runScript(t, 'long-run.ts', [...args, '--execution-segment', '0:1/2']);
  t.is(wrong.code, 104);
  t.regex(wrong.stderr, /error: --execution-segment: the execution segment is not one of the execution segment sequence/);
});

test.serial('two worker threads run the same iterations as one', async (t) => {
  const target = await startTarget(t);
  const dir = await tempDir(t);
  const samples = join(dir, 'samples.json');
  const run = await runScript(t, 'executors.ts', ['-e', `BASE_URL=${target.url}`, '--workers', '2', '--out', `json=${samples}`]);
  t.is(run.code, 0, run.stderr);
  const perScenario: Record<string, number> = {};
  for (const line of (await readFile(samples, 'utf8')).split('\n')) {
    // Started or dropped (under a heavily loaded machine an arrival may find no free VU).
    if (!line.startsWith('{"metric":"iterations","type":"Point"') && !line.startsWith('{"metric":"dropped_iterations","type":"Point"')) continue;
    const scenario = (JSON.parse(line) as { data: { tags: { scenario: string } } }).data.tags.scenario;
    perScenario[scenario] = (perScenario[scenario] ?? 0) + 1;
  }
  t.like(perScenario, { shared: 23, perVu: 12, constant: 40, ramping: 30 });
  t.deepEqual((await verifyRunOutputs({ summaryExport: join(run.dir, 'summary.json'), samples })).problems, []);
});

test.serial('VU mode: a thread per VU only where the code can block; a blocking call in async mode is a clear error', async (t) => {
  const inspect = (script: string, extra: string[] = []) => runEntry(join(REPO_ROOT, 'engine/cli.ts'), ['inspect', join(SCRIPTS, script), ...extra]);
  const sync = await inspect('cookies.ts');
  t.is(sync.code, 0, sync.stderr);
  t.regex(sync.stdout, /VU mode: thread \(blocking calls: http\.get\)/);
  const asyncRun = await inspect('timers-async.ts');
  t.regex(asyncRun.stdout, /VU mode: async\n/);
  const target = await startTarget(t);
  const forced = await runScript(t, 'cookies.ts', ['-e', `BASE_URL=${target.url}`, '--vu-mode', 'async']);
  t.is(forced.code, 0);
  t.regex(forced.stderr, /http\.get\(\) blocks its VU until it returns, and this VU runs in async mode/);
  t.regex(forced.stderr, /\tat \w+ \(test\/integration\/engine\/scripts\/cookies\.ts:\d+:\d+\)/);
});

test.serial('InfluxDB receives every sample; an unreachable InfluxDB only warns', async (t) => {
  const influx = await startInfluxd('enginetest');
  t.teardown(() => influx.stop());
  const target = await startTarget(t);
  await fetch(`http://127.0.0.1:${influx.port}/query?q=${encodeURIComponent('CREATE DATABASE enginetest')}`, { method: 'POST' });
  const run = await runScript(t, 'groups.ts', ['-e', `BASE_URL=${target.url}`, '--out', `influxdb=${influx.url}`, '--tag', 'run=r1']);
  t.is(run.code, 0, run.stderr);
  const rows = await waitFor('points in InfluxDB', async () => {
    const r = await influx.query("SELECT count(value) FROM checks WHERE run = 'r1'");
    return r.length > 0 ? r : undefined;
  });
  t.is(rows[0]?.count, 9);
  const reqs = await influx.query('SELECT count(value) FROM http_reqs GROUP BY "group"');
  t.is(reqs.length > 0 ? (reqs[0]?.count as number) : 0, 3);
  const dead = await runScript(t, 'checks.ts', ['--out', 'influxdb=http://127.0.0.1:1/nowhere']);
  t.is(dead.code, 0, dead.stderr);
  t.regex(dead.stderr, /WARN writing to InfluxDB at 127\.0\.0\.1:1 failed/);
  t.is(count(dead, 'checks', 'passes'), 15);
});

test.serial('scenarios/coffee.ts runs unchanged against the reference shop', async (t) => {
  const shop = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'shop/cli.ts'), 'serve', '--port', '0', '--prep-factor', '0.01', '--cpu-ms', '0'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => void shop.kill('SIGTERM'));
  const url = await new Promise<string>((resolve) => createInterface({ input: shop.stdout }).once('line', (line) => resolve(line.trim())));
  const run = await runScript(t, join(REPO_ROOT, 'scenarios/coffee.ts'), [
    '-e',
    `BASE_URL=${url}`,
    '-e',
    'PROFILE=load',
    '-e',
    'RATE=9',
    '-e',
    'DURATION=3s',
    '-e',
    'PROBE_INTERVAL=1',
    '-e',
    'PROBE_POLL=0.1',
  ]);
  t.is(run.code, 0, run.stderr);
  t.is(count(run, 'checks', 'fails'), 0, JSON.stringify(run.summary?.root_group.checks));
  for (const name of ['item-types', 'place-order', 'fulfillment-orders']) t.true(count(run, `http_req_duration{name:${name}}`, 'max') > 0, name);
  t.true(count(run, 'http_reqs') >= 27);
  t.truthy(run.summary?.root_group.checks['probe order fulfilled']);
  t.is(run.summary?.engine_metrics_info.order_fulfilled_ms?.unit, 'time');
});

test.serial('gracefulStop: iterations past it are interrupted, their requests aborted and still recorded', async (t) => {
  const target = await startTarget(t);
  const dir = await tempDir(t);
  const samples = join(dir, 'samples.json');
  const run = await runScript(t, 'graceful-stop.ts', ['-e', `BASE_URL=${target.url}`, '--out', `json=${samples}`]);
  t.is(run.code, 0, run.stderr);
  // slow: 3 VUs each stuck in a 5 s request, interrupted 300 ms after the 500 ms end.
  const lines = (await readFile(samples, 'utf8')).split('\n').filter((l) => l.startsWith('{"metric":"http_reqs","type":"Point"'));
  const slow = lines.map((l) => JSON.parse(l) as { data: { tags: Record<string, string> } }).filter((r) => r.data.tags.name === 'slow');
  t.is(slow.length, 3);
  t.true(slow.every((r) => r.data.tags.error?.startsWith('request canceled') === true && r.data.tags.status === '0'));
  // quick: 10 arrivals whose 700 ms requests finish within their 5 s gracefulStop.
  t.is(lines.length - slow.length, 10);
  t.is(count(run, 'iterations'), 10);
  t.true((run.summary?.engine.testRunDurationMs ?? 0) < 4000);
  t.deepEqual((await verifyRunOutputs({ summaryExport: join(run.dir, 'summary.json'), samples })).problems, []);
});

test.serial('HTTPS with a self-signed certificate: refused by default, accepted with insecureSkipTLSVerify', async (t) => {
  const dir = await tempDir(t);
  const { execFileSync } = await import('node:child_process');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'],
    { stdio: 'ignore' },
  );
  const { createServer } = await import('node:https');
  const server = createServer({ key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => void server.close());
  const port = (server.address() as { port: number }).port;
  const accepted = await runScript(t, 'tls.ts', ['-e', `BASE_URL=https://localhost:${port}`, '-e', 'INSECURE=yes']);
  t.is(accepted.code, 0, accepted.stderr);
  t.is(count(accepted, 'checks', 'passes'), 1, accepted.stdout);
  t.true(count(accepted, 'http_req_tls_handshaking', 'max') > 0);
  const refused = await runScript(t, 'tls.ts', ['-e', `BASE_URL=https://localhost:${port}`]);
  t.is(count(refused, 'checks', 'passes'), 1, refused.stdout);
  t.is(count(refused, 'http_req_failed', 'passes'), 1);
});

test.serial('an arrival-rate scenario with blocking calls runs its VUs as threads, adding them as needed', async (t) => {
  const target = await startTarget(t);
  const run = await runScript(t, 'arrival-threads.ts', ['-e', `BASE_URL=${target.url}`]);
  t.is(run.code, 0, run.stderr);
  t.is(count(run, 'iterations') + count(run, 'dropped_iterations'), 20);
  t.true(count(run, 'iterations') >= 10, `${count(run, 'iterations')} started`);
  t.true(count(run, 'vus_max', 'max') > 2, 'VUs were added');
});

test.serial('exec.test.fail() lets the test finish and exits with 110; --summary-mode legacy prints the flat list', async (t) => {
  const dir = await tempDir(t);
  const script = join(dir, 'fail.js');
  await writeFile(
    script,
    "import exec from 'k6/execution';\nimport { check } from 'k6';\nexport const options = { iterations: 3 };\nexport default function () { check(1, { one: () => true }); if (exec.scenario.iterationInTest === 1) exec.test.fail('not good'); }\n",
  );
  const run = await runEntry(join(REPO_ROOT, 'engine/cli.ts'), ['run', script, '-q', '--summary-mode', 'legacy']);
  t.is(run.code, 110, run.stderr);
  t.regex(run.stdout, /^ +✓ one$/m);
  t.regex(run.stdout, /^ +checks\.+: 100\.00% ✓ 3 +✗ 0$/m);
  t.regex(run.stdout, /^ +iterations\.+: 3 +\d+(\.\d+)?\/s$/m);
});

test.serial('a thread-mode test that cannot fit in memory is refused before it starts (exit 104)', async (t) => {
  const dir = await tempDir(t);
  const script = join(dir, 'many.js');
  await writeFile(
    script,
    "import http from 'k6/http';\nexport const options = { vus: 100000, duration: '1s' };\nexport default function () { http.get('http://127.0.0.1:1/'); }\n",
  );
  const run = await runEntry(join(REPO_ROOT, 'engine/cli.ts'), ['run', script]);
  t.is(run.code, 104);
  t.regex(
    run.stderr,
    /^error: 100000 VUs run in thread mode \(a thread each, about 9 MB\): about [\d.]+ GB of this machine's [\d.]+ GB; use http\.asyncRequest/,
  );
});
