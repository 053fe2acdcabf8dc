// `bench nightly` on the embedded target: the first night has no baseline, a slower shop is a named
// regression (exit 1), an unchanged one is not (exit 0), and a run that cannot happen exits 2.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { NightlyHistory } from '../../../bench/nightly.ts';
import { isOneLineError, REPO_ROOT, runEntry } from '../../helpers/cli.ts';

const BENCH = `${REPO_ROOT}bench/cli.ts`;

async function nightlyConfig(dir: string, name: string, cpuMs: number): Promise<string> {
  const path = join(dir, `${name}.yml`);
  await writeFile(
    path,
    `name: nightly-test\ntarget: { kind: local-shop, cpuMs: ${cpuMs}, prepFactor: 0.01 }\nmatrix: { replicas: [1], ratesRps: [20], repetitions: 2 }\ndurationS: 3\nwarmupS: 0\npauseS: 0\nscenarioEnv: { PROBE: "off" }\n`,
  );
  return path;
}

test.serial('nightly: first run, no change, a named regression, and a run that cannot happen', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nightly-'));
  const history = join(dir, 'history.json');
  const summary = join(dir, 'step-summary.md');
  const common = ['nightly', '--results', join(dir, 'results'), '--history', history, '--load-generator', 'engine', '--summary-file', summary];
  const fast = await nightlyConfig(dir, 'fast', 0);
  const slow = await nightlyConfig(dir, 'slow', 40);

  const first = await runEntry(BENCH, [...common, '--config', fast]);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stderr, /no baseline yet/);

  // A threshold no noise reaches: no regression, exit 0, compared with the first night.
  const same = await runEntry(BENCH, [...common, '--config', fast, '--threshold', '10000']);
  t.is(same.code, 0, same.stderr);
  t.regex(same.stdout, /compare-baseline\/report\.html/);

  // 40 ms of CPU per request instead of none: latency regresses far beyond 5 %.
  const regressed = await runEntry(BENCH, [...common, '--config', slow]);
  t.is(regressed.code, 1, regressed.stderr);
  t.regex(regressed.stderr, /regression beyond 5 % against .*\n {2}.*(p50|p95|p99|median|latency)/);

  // The night after the regression: latest-good must skip the regressed third night and compare with
  // the second; "latest" would pick the third. (Seen failing with latestGood() not skipping regressed
  // entries: the fourth entry's baseline was the third run.)
  const after = await runEntry(BENCH, [...common, '--config', fast, '--threshold', '10000']);
  t.is(after.code, 0, after.stderr);

  const entries = (JSON.parse(await readFile(history, 'utf8')) as NightlyHistory).runs;
  t.deepEqual(
    entries.map((e) => [e.status, e.verdict]),
    [
      ['complete', null],
      // A 10000 % threshold: an unchanged shop is no change, whatever the noise.
      ['complete', 'no-change'],
      ['complete', 'regressed'],
      ['complete', 'no-change'],
    ],
  );
  t.is(new Set(entries.map((e) => e.runDir)).size, 4);
  t.deepEqual(
    entries.map((e) => e.baseline),
    [null, entries[0]?.runDir, entries[1]?.runDir, entries[1]?.runDir],
  );
  t.regex(await readFile(summary, 'utf8'), /Benchmark comparison/);

  const bad = await runEntry(BENCH, [...common, '--config', fast, '--baseline', join(dir, 'nowhere')]);
  t.is(bad.code, 2);
  t.true(isOneLineError(bad.stderr), bad.stderr);
});
