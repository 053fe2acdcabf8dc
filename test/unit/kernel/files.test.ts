// Outputs are whole or absent: a write that fails leaves the old file and no temporary file, and a
// failure the user can fix is an OutputError naming the path and the fix.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { assertWritableDir, OutputError, outputError, writeFileAtomic } from '../../../kernel/files.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

test('a failed atomic write keeps the old file and leaves no temporary file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'report.html');
  await writeFileAtomic(path, 'old');
  // A folder where the temporary file's rename must land: the rename fails after the write.
  await mkdir(join(dir, 'charts.png'));
  const error = await t.throwsAsync(writeFileAtomic(join(dir, 'charts.png'), 'new'), { instanceOf: OutputError });
  t.regex(error.message, /cannot write .*charts\.png: a folder is in the way of a file: move it away, or write somewhere else \(EISDIR\)/);
  t.is(await readFile(path, 'utf8'), 'old');
  t.deepEqual((await readdir(dir)).sort(), ['charts.png', 'report.html']);
});

test('a file where a folder should be: ENOTDIR as one line with the fix', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'results'), 'a file');
  const error = await t.throwsAsync(assertWritableDir(join(dir, 'results', 'sub'), '--results'), { instanceOf: OutputError });
  t.regex(error.message, /^cannot write .*results\/sub \(--results\): a part of the path is a file, not a folder: .* \(ENOTDIR\)$/);
  t.false(error.message.includes('\n'));
  t.regex(String((outputError(Object.assign(new Error('x'), { code: 'ENOSPC' }), '/x') as Error).message), /no space left on the device/);
});
