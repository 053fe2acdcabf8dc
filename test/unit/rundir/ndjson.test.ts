import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNdjsonWriter } from '../../../rundir/ndjson.ts';

test('appends one JSON line per record, in order, across flushes and reopen', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cloudlet-writer-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'points/p1/nodes.ndjson');
  const writer = await openNdjsonWriter<{ i: number }>(path);
  for (let i = 0; i < 50; i++) writer.append({ i });
  await writer.flush();
  t.is((await readFile(path, 'utf8')).split('\n').length, 51);
  writer.append({ i: 50 });
  await writer.close();
  t.throws(() => writer.append({ i: 51 }));
  const again = await openNdjsonWriter<{ i: number }>(path);
  again.append({ i: 51 });
  await again.close();
  const lines = (await readFile(path, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l).i);
  t.deepEqual(
    lines,
    Array.from({ length: 52 }, (_, i) => i),
  );
  t.is(again.count, 1);
});
