import test from 'ava';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeSample } from '../../../../bench/dry-run.ts';
import { pointFileBatches } from '../../../../bench/influx/run-files.ts';
import { listPoints, runIdOf } from '../../../../rundir/reader.ts';
import { writeK6Samples } from '../../../helpers/k6-samples.ts';

test('a crashed run: no manifest, a k6 file cut short, a torn last line, a point without files, a point left .partial', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'cloudlet-crashed-'));
  t.teardown(() => rm(parent, { recursive: true, force: true }));
  const runDir = join(parent, 'run-crashed');
  const k6Path = join(runDir, 'points/p01/k6-samples.ndjson.gz');
  await writeK6Samples(k6Path, { startMs: Date.parse('2025-11-24T15:00:00Z'), count: 2000 });
  const whole = await readFile(k6Path);
  await writeFile(k6Path, whole.subarray(0, Math.floor(whole.length * 0.6)));
  const sample = { ...fakeSample('n'), pointId: 'p01', cores: [] };
  await writeFile(join(runDir, 'points/p01/nodes.ndjson'), `${JSON.stringify(sample)}\n{"node":"n","tim`);
  await writeFile(join(runDir, 'points/.keep'), '');
  await mkdir(join(runDir, 'points/p02'));
  await writeK6Samples(join(runDir, 'points/p03.partial/k6-samples.ndjson.gz'), { startMs: Date.parse('2025-11-24T15:00:00Z'), count: 10 });

  t.is(await runIdOf(runDir), 'run-crashed');
  const points = await listPoints(runDir);
  t.deepEqual(
    points.map((p) => [p.id, p.partial]),
    [
      ['p01', false],
      ['p02', false],
      ['p03', true],
    ],
  );
  const batches = async (pointId: string, kind: 'nodes' | 'k6') => {
    const all = [];
    for await (const batch of pointFileBatches(points.find((p) => p.id === pointId)!, 'run-crashed', kind, 100)) all.push(...batch);
    return all;
  };
  t.is((await batches('p01', 'nodes')).length, 1);
  const k6 = (await batches('p01', 'k6')).length;
  t.true(k6 > 0 && k6 < 4000, `kept the readable part: ${k6}`);
  t.is((await batches('p02', 'k6')).length, 0);
  const partial = await batches('p03', 'k6');
  t.true(partial.length > 0);
  t.true(
    partial.every((point) => point.tags.point === 'p03'),
    'a point cut short is tagged with its id, not its folder name',
  );
});
