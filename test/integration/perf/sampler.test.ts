// `npm run perf -- sampler` as a user runs it: the node sampler and prometheus-node-exporter measured
// side by side on this host. Not a timed test: it checks that every subject ran and was read over the
// window (records or scrapes counted), that the ratios and the goal are printed, and that nothing is
// left running; the figures themselves are what the benchmark is for.
import { execFileSync } from 'node:child_process';
import test from 'ava';
import { REPO_ROOT, runEntry } from '../../helpers/cli.ts';

const exporters = () => {
  try {
    return execFileSync('pgrep', ['-x', 'prometheus-node'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

test.serial('perf sampler --duration 2s: the sampler and node_exporter each measured over the window, ratios printed, nothing left running', async (t) => {
  const before = exporters();
  const result = await runEntry(`${REPO_ROOT}perf/cli.ts`, ['sampler', '--duration', '2s'], { timeoutMs: 120_000 });
  t.is(result.code, 0, result.stderr);
  const subjects = [...result.stdout.matchAll(/^(.+): (\d+\.\d+)% of one core \((\d+) records\/scrapes in 2 s\)$/gm)].map((m) => ({
    label: m[1] ?? '',
    cpuPct: Number(m[2]),
    records: Number(m[3]),
  }));
  t.deepEqual(
    subjects.map((s) => s.label.replace(/ \(.*$/, '')),
    ['sampler', "sampler under this host's sh", 'node_exporter', 'node_exporter'],
    result.stdout,
  );
  // Every subject produced records (the sampler) or answered scrapes (node_exporter) at 1 Hz.
  for (const subject of subjects) t.true(subject.records >= 1 && subject.cpuPct >= 0 && subject.cpuPct < 100, JSON.stringify(subject));
  t.regex(result.stdout, /^ratio sampler \/ node_exporter \(default collectors\): \d+\.\d\d$/m);
  t.regex(result.stdout, /^goal \(≤ 0\.5% of one core and below node_exporter\): (met|NOT met)$/m);
  t.deepEqual(exporters().sort(), before.sort(), 'the node_exporters it started are gone');
});
