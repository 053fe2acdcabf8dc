import { readFile, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { startLocalShop } from '../../../../../bench/target/local-shop.ts';
import type { K6SampleLine, K6Summary } from '../../../../../rundir/k6.ts';
import { REPO_ROOT, runEntry } from '../../../../helpers/cli.ts';

const CLI = `${REPO_ROOT}bench/load/builtin/cli.ts`;
const SCRIPT = `${REPO_ROOT}scenarios/coffee.ts`;

test("a real run against the reference shop writes k6's summary and sample formats", async (t) => {
  const shop = await startLocalShop({ replicas: 1, port: 0, cpuMs: 0, prepFactor: 0.02, stationSlots: 5 });
  t.teardown(() => shop.stop());
  const dir = await mkdtemp(join(tmpdir(), 'builtin-'));
  const result = await runEntry(CLI, [
    'run',
    SCRIPT,
    '-e',
    `BASE_URL=${shop.url}`,
    '-e',
    'PROFILE=load',
    '-e',
    'RATE=12',
    '-e',
    'DURATION=3s',
    '-e',
    'PROBE_INTERVAL=1',
    '-e',
    'PROBE_POLL=0.1',
    '--tag',
    'run=r1',
    '--tag',
    'point=p1',
    '--summary-export',
    join(dir, 'summary.json'),
    '--out',
    `json=${join(dir, 'samples.ndjson.gz')}`,
  ]);
  t.is(result.code, 0, result.stderr);
  const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as K6Summary;
  const reqs = summary.metrics.http_reqs as { count: number; rate: number };
  t.true(reqs.count >= 30, `http_reqs ${reqs.count}`);
  t.is((summary.metrics.checks as { fails: number }).fails, 0);
  t.true(typeof (summary.metrics.http_req_duration as Record<string, number>)['p(99)'] === 'number');
  t.true(((summary.metrics.order_fulfilled_ms as Record<string, number>)?.count ?? 0) >= 1, 'the probe measured order-to-fulfilled');
  t.deepEqual((summary.metrics.http_req_failed as { thresholds: Record<string, boolean> }).thresholds, { 'rate<0.01': false });
  const lines = gunzipSync(await readFile(join(dir, 'samples.ndjson.gz')))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as K6SampleLine);
  const durations = lines.filter((l) => l.type === 'Point' && l.metric === 'http_req_duration');
  t.is(durations.length, reqs.count);
  const names = new Set(durations.map((l) => (l.type === 'Point' ? l.data.tags.name : '')));
  for (const name of ['item-types', 'place-order', 'fulfillment-orders']) t.true(names.has(name), name);
  const first = durations[0];
  t.true(first?.type === 'Point' && first.data.tags.run === 'r1' && first.data.tags.point === 'p1' && first.data.tags.status === '200');
  t.false(
    durations.some((l) => l.type === 'Point' && 'url' in l.data.tags),
    'no raw URLs in tags',
  );
});

test('crossed thresholds exit 99, a result and not a crash; the summary says which', async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end('{"code":13,"message":"boom","details":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => server.close());
  const dir = await mkdtemp(join(tmpdir(), 'builtin-'));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const result = await runEntry(CLI, [
    'run',
    SCRIPT,
    '-e',
    `BASE_URL=${url}`,
    '-e',
    'RATE=10',
    '-e',
    'DURATION=2s',
    '-e',
    'PROBE=off',
    '--summary-export',
    join(dir, 's.json'),
    '--quiet',
  ]);
  t.is(result.code, 99, result.stderr);
  const summary = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as K6Summary;
  t.deepEqual((summary.metrics.http_req_failed as { thresholds: Record<string, boolean> }).thresholds, { 'rate<0.01': true });
});

test("a bad scenario variable is a one-line error (k6's invalid-config code)", async (t) => {
  const result = await runEntry(CLI, ['run', SCRIPT, '-e', 'RATE=-3']);
  t.is(result.code, 104);
  t.regex(result.stderr, /^error: scenario environment: RATE: expected a number of iterations per second > 0, got "-3"\n$/);
});
