// shop.ndjson's contract: a line is checked as nodes.ndjson's are (a damaged one is named, not
// fatal), and a point folder without the file (a target that does not know its shop) is no problem.
import { writeFile } from 'node:fs/promises';
import test from 'ava';
import { preflight } from '../../../bench/run.ts';
import { parseBenchConfig } from '../../../bench/config.ts';
import { UsageError } from '../../../kernel/errors.ts';
import { readRunDir } from '../../../reports/ingest/rundir.ts';
import { pointFilePath, pointPath } from '../../../rundir/layout.ts';
import { checkShopSample, isDrained, isEmptyState, snapshotOf } from '../../../rundir/shop-sample.ts';
import { buildRunDir } from '../../helpers/synthetic-run.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const queue = { name: 'kitchen-order-queue', depth: 4, unacked: 5, consumers: 1 };

test('a shop sample: counts ≥ 0 or null, queues with their counts; anything else names the field', (t) => {
  const good = { timeMs: 1, pointId: 'p', orders: 3, fulfilled: 1, inProgress: 2, queues: [queue] };
  t.deepEqual(checkShopSample(good), { record: good });
  t.deepEqual(checkShopSample({ timeMs: 1, orders: null, queues: null }), {
    record: { timeMs: 1, pointId: null, orders: null, fulfilled: null, inProgress: null, queues: null },
  });
  t.deepEqual(checkShopSample({ ...good, orders: -1 }), { problem: 'orders: not a count (a finite number ≥ 0)' });
  t.deepEqual(checkShopSample({ ...good, queues: [{ name: 'q', depth: 'x' }] }), { problem: 'queues[0].depth: not a count' });
  t.deepEqual(checkShopSample([]), { problem: 'expected a shop sample object, found a list' });
  const snapshot = snapshotOf({ ...good, pointId: 'p' })!;
  t.like(snapshot, { orders: 3, queued: 4, unacked: 5 });
  t.false(isEmptyState(snapshot));
  t.false(isDrained(snapshot));
  t.true(isDrained({ queued: 0, unacked: 0 }));
  t.is(snapshotOf({ ...good, queues: null }), null);
});

test('the report reads shop.ndjson when there is one, names a damaged line, and misses nothing when there is none', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, {
    runId: 'r',
    points: [
      { pointId: 'a', replicas: { kitchen: 1 }, rateRps: 2, shop: { ordersPerS: 1, fulfilledPerS: 0.5 } },
      { pointId: 'b', replicas: { kitchen: 2 }, rateRps: 2 },
    ],
  });
  const file = pointFilePath(pointPath(dir, 'a'), 'shop');
  await writeFile(file, `{"timeMs":1,"orders":"many"}\n`, { flag: 'a' });
  const run = await readRunDir(dir);
  const [a, b] = run.points;
  t.true(a!.shop.length >= 5);
  t.deepEqual(a!.problems, [`${file}: 1 line(s) skipped (line ${a!.shop.length + 1}: orders: not a count (a finite number ≥ 0))`]);
  t.deepEqual([b!.shop, b!.problems], [[], []]);
});

test('a url target names its shop services only with --cluster', async (t) => {
  const config = parseBenchConfig(
    {
      target: { kind: 'url', url: 'http://10.0.0.1:5000', shop: { postgres: 'go-coffee_postgres', rabbitmq: 'go-coffee_rabbitmq' } },
      matrix: { ratesRps: [1] },
      state: 'drain',
    },
    'c.yml',
  );
  await t.throwsAsync(preflight(config, undefined), {
    instanceOf: UsageError,
    message: "the config's target.shop names swarm services: pass --cluster <inventory file> to reach them",
  });
});
