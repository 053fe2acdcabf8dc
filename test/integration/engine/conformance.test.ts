/**
 * The conformance suite: k6 scripts of our own (test/integration/engine/scripts/, one per feature), run as users
 * run them, against a loopback server; each checks the number k6 documents for that feature.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { count, runScript, startTarget } from './helpers.ts';

function checksOf(run: Awaited<ReturnType<typeof runScript>>): Record<string, { passes: number; fails: number }> {
  return run.summary?.root_group.checks ?? {};
}

test.serial('executor counts: shared 23, per-VU 3×4, constant arrival 40, ramping arrival 30', async (t) => {
  const target = await startTarget(t);
  const dir = await import('../../helpers/temp-dir.ts').then((m) => m.tempDir(t));
  const samples = join(dir, 'samples.json');
  const run = await runScript(t, 'executors.ts', ['-e', `BASE_URL=${target.url}`, '--out', `json=${samples}`]);
  t.is(run.code, 0, run.stderr);
  const perScenario: Record<string, number> = {};
  for (const line of (await readFile(samples, 'utf8')).split('\n')) {
    // An arrival is started or dropped; k6 documents their sum (drops only happen on a starved machine).
    if (!line.includes('"metric":"iterations"') && !line.includes('"metric":"dropped_iterations"')) continue;
    const row = JSON.parse(line) as { type: string; data: { tags: { scenario: string } } };
    if (row.type === 'Point') perScenario[row.data.tags.scenario] = (perScenario[row.data.tags.scenario] ?? 0) + 1;
  }
  t.is(perScenario.shared, 23);
  t.is(perScenario.perVu, 12);
  t.is(perScenario.constant, 40);
  t.is(perScenario.ramping, 30);
  // constant-vus: 2 VUs looping 100 ms iterations for 1 s (about 20; fewer when the machine is starved);
  // ramping-vus: up to 3 VUs, then down.
  t.true((perScenario.vus ?? 0) >= 2 && (perScenario.vus ?? 0) <= 22, `constant-vus ran ${perScenario.vus}`);
  t.true((perScenario.ramp ?? 0) >= 5, `ramping-vus ran ${perScenario.ramp}`);
  t.is(perScenario.late, 1);
  t.is(run.summary?.metrics.vus_max?.max, 5 + 3 + 40 + 40 + 2 + 3 + 1);
  // startTime: the late scenario was due 1.5 s into the test, and its iteration ran then, not before.
  const gauge = (name: string) => Number(run.summary?.metrics[name]?.value ?? Number.NaN);
  const offset = gauge('start_offset_ms');
  // Date.now() in the script counts whole milliseconds, startTime fractions of one: up to 1 ms below.
  t.true(offset > -1 && offset < 500, `the late scenario's iteration ran ${offset} ms after it was due`);
  const due = gauge('late_scenario_start_ms') - gauge('shared_scenario_start_ms');
  t.is(due, 1500, 'the late scenario is due 1.5 s after one that starts with the test');
});

test.serial('checks: passes and fails per check, and the checks rate', async (t) => {
  const run = await runScript(t, 'checks.ts');
  t.is(run.code, 0, run.stderr);
  const checks = checksOf(run);
  t.deepEqual(checks.always && { p: checks.always.passes, f: checks.always.fails }, { p: 10, f: 0 });
  t.deepEqual(checks.never && { p: checks.never.passes, f: checks.never.fails }, { p: 0, f: 10 });
  t.deepEqual(checks.even && { p: checks.even.passes, f: checks.even.fails }, { p: 5, f: 5 });
  t.is(count(run, 'checks', 'passes'), 15);
  t.is(count(run, 'checks', 'fails'), 15);
  t.is(count(run, 'checks', 'value'), 0.5);
});

test.serial('thresholds on metrics and submetrics: 0 when they hold, 99 when one is crossed', async (t) => {
  const target = await startTarget(t);
  const pass = await runScript(t, 'thresholds.ts', ['-e', `BASE_URL=${target.url}`]);
  t.is(pass.code, 0, pass.stderr);
  t.is(count(pass, 'tagged{kind:a}'), 4);
  t.is(count(pass, 'tagged'), 8);
  t.is(count(pass, 'http_req_duration{name:slow}', 'count') || pass.summary?.engine.samples.http_req_duration, pass.summary?.engine.samples.http_req_duration);
  t.false((pass.summary?.metrics['http_req_duration{name:slow}']?.thresholds as Record<string, boolean> | undefined)?.['p(95)<10000']);
  const fail = await runScript(t, 'thresholds.ts', ['-e', `BASE_URL=${target.url}`, '-e', 'LIMIT=20']);
  t.is(fail.code, 99, fail.stderr);
  t.true((fail.summary?.metrics['http_req_duration{name:slow}']?.thresholds as Record<string, boolean> | undefined)?.['p(95)<20']);
  t.regex(fail.stderr, /thresholds on metrics 'http_req_duration\{name:slow\}' have been crossed/);
  t.regex(fail.stdout, /✗ 'p\(95\)<20'/);
});

test.serial('abortOnFail stops the test early with exit code 99', async (t) => {
  const target = await startTarget(t);
  const run = await runScript(t, 'abort-on-fail.ts', ['-e', `BASE_URL=${target.url}`]);
  t.is(run.code, 99, run.stderr);
  t.true((run.summary?.engine.testRunDurationMs ?? 60_000) < 15_000, 'stopped long before 60 s');
  t.regex(run.stderr, /abortOnFail/);
});

test.serial('setup data reaches every iteration and teardown', async (t) => {
  const target = await startTarget(t);
  const run = await runScript(t, 'lifecycle.ts', ['-e', `BASE_URL=${target.url}`]);
  t.is(run.code, 0, run.stderr);
  t.is(checksOf(run)['setup data arrived']?.passes, 6);
  t.is(checksOf(run)['setup data arrived']?.fails, 0);
  t.is(count(run, 'teardown_calls'), 1);
  t.is(count(run, 'iterations'), 6);
  t.is(target.hits.get('/json'), 1, 'setup ran once');
});

test.serial('handleSummary replaces the default summary and gets k6 data', async (t) => {
  const dir = await import('../../helpers/temp-dir.ts').then((m) => m.tempDir(t));
  const file = join(dir, 'data.json');
  const run = await runScript(t, 'handle-summary.ts', ['-e', `SUMMARY_FILE=${file}`]);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, 'CUSTOM SUMMARY iterations=5\n');
  t.regex(run.stderr, /█ TOTAL RESULTS[\s\S]*✓ fine[\s\S]*iterations\.+: 5 /);
  const data = JSON.parse(await readFile(file, 'utf8')) as {
    metrics: Record<string, { type: string; values: Record<string, number> }>;
    setup_data: unknown;
    root_group: { checks: { name: string; passes: number }[] };
    state: { testRunDurationMs: number };
  };
  t.is(data.metrics.iterations?.type, 'counter');
  t.is(data.metrics.iterations?.values.count, 5);
  t.deepEqual(data.setup_data, { seed: 7 });
  t.is(data.root_group.checks[0]?.passes, 5);
  t.true(data.state.testRunDurationMs > 0);
});

test.serial('groups: nested groups with their checks, group tags and group_duration', async (t) => {
  const target = await startTarget(t);
  const run = await runScript(t, 'groups.ts', ['-e', `BASE_URL=${target.url}`]);
  t.is(run.code, 0, run.stderr);
  const root = run.summary?.root_group as unknown as {
    checks: Record<string, { passes: number }>;
    groups: Record<
      string,
      { path: string; checks: Record<string, { passes: number }>; groups: Record<string, { path: string; checks: Record<string, { fails: number }> }> }
    >;
  };
  t.is(root.checks['top level']?.passes, 3);
  t.is(root.groups.outer?.path, '::outer');
  t.is(root.groups.outer?.checks['in outer']?.passes, 3);
  t.is(root.groups.outer?.groups.inner?.path, '::outer::inner');
  t.is(root.groups.outer?.groups.inner?.checks['in inner']?.fails, 3);
  t.is(count(run, 'http_reqs{group:::outer::inner}'), 3);
  t.truthy(run.summary?.metrics.group_duration);
  t.regex(run.stdout, /█ GROUP: outer > inner/);
});

test.serial('SharedArray and open(): one read-only array for every VU', async (t) => {
  const run = await runScript(t, 'shared-array.ts');
  t.is(run.code, 0, run.stderr);
  t.is(count(run, 'checks', 'fails'), 0, JSON.stringify(checksOf(run)));
  t.is(count(run, 'checks', 'passes'), 24);
});

test.serial('cookies: a cookie jar per VU, set by responses, by hand and per request', async (t) => {
  const target = await startTarget(t);
  const run = await runScript(t, 'cookies.ts', ['-e', `BASE_URL=${target.url}`]);
  t.is(run.code, 0, run.stderr);
  t.is(count(run, 'checks', 'fails'), 0, JSON.stringify(checksOf(run)));
  t.is(count(run, 'checks', 'passes'), 4 * 7);
});

test.serial('redirects: followed and counted hop by hop; params.redirects limits them', async (t) => {
  const target = await startTarget(t);
  const run = await runScript(t, 'redirects.ts', ['-e', `BASE_URL=${target.url}`]);
  t.is(run.code, 0, run.stderr);
  t.is(count(run, 'checks', 'fails'), 0, JSON.stringify(checksOf(run)));
  // Per iteration: 3 redirects + the final /ok, then 1 redirect + the 302 that comes back.
  t.is(count(run, 'http_reqs'), 2 * (4 + 2));
});

test.serial('exec.test.abort() ends the test with exit code 108 and still writes the summary', async (t) => {
  const target = await startTarget(t);
  const run = await runScript(t, 'abort.ts', ['-e', `BASE_URL=${target.url}`]);
  t.is(run.code, 108, run.stderr);
  t.regex(run.stderr, /test aborted: enough/);
  t.true(count(run, 'http_reqs') >= 6 && count(run, 'http_reqs') < 100, `${count(run, 'http_reqs')} requests`);
});

test.serial('k6/http: methods, bodies, selectors, batch, response types, timeouts, expected statuses', async (t) => {
  const target = await startTarget(t);
  const run = await runScript(t, 'http-api.ts', ['-e', `BASE_URL=${target.url}`]);
  t.is(run.code, 0, run.stderr);
  const failed = Object.entries(checksOf(run))
    .filter(([, c]) => c.fails > 0)
    .map(([name]) => name);
  t.deepEqual(failed, []);
  // The response callback expects 200 and 404: the 503, the timeout and the batch's 201 are failures.
  t.is(count(run, 'http_req_failed', 'passes'), 3);
});

test.serial('k6/execution and the VU globals', async (t) => {
  const run = await runScript(t, 'exec-info.ts', ['-e', 'FROM_CLI=cli']);
  t.is(run.code, 0, run.stderr);
  t.deepEqual(
    Object.entries(checksOf(run))
      .filter(([, c]) => c.fails > 0)
      .map(([n]) => n),
    [],
  );
  t.is(count(run, 'checks', 'passes'), 6 * 5);
});

test.serial('custom metrics: counter, gauge, rate and trend values, and their declared better direction', async (t) => {
  const run = await runScript(t, 'metrics.ts');
  t.is(run.code, 0, run.stderr);
  const m = run.summary?.metrics ?? {};
  t.is(m.c_total?.count, 6);
  t.deepEqual([m.g_value?.value, m.g_value?.min, m.g_value?.max], [3, 1, 3]);
  t.is(m.r_ok?.passes, 2);
  t.is(m.r_ok?.fails, 1);
  t.deepEqual([m.t_wait?.min, m.t_wait?.max, m.t_wait?.avg], [10, 30, 20]);
  t.deepEqual(run.summary?.engine_metrics_info.t_wait, { type: 'trend', unit: 'time', better: 'lower', custom: true });
  t.deepEqual(run.summary?.engine_metrics_info.r_ok, { type: 'rate', unit: 'none', better: 'higher', custom: true });
  t.deepEqual(run.summary?.engine_metrics_info.iteration_duration, { type: 'trend', unit: 'time', better: 'lower', custom: false });
  t.is(count(run, 'checks', 'passes'), 3);
});

test.serial('an arrival-rate scenario of async iterations without requests runs every arrival', async (t) => {
  const run = await runScript(t, 'arrival-no-http.ts', []);
  t.is(run.code, 0, run.stderr);
  // 2,000 due; a few may drop on a starved machine. Waiting for each arrival inside the turn that
  // armed it let no iteration finish: each of the 500 VUs ran once and 1,500 arrivals were dropped.
  t.true(count(run, 'ran') >= 1900, `${count(run, 'ran')} of 2000 iterations ran`);
  t.is(count(run, 'iterations') + count(run, 'dropped_iterations'), 2000);
});

test.serial('async scripts: asyncRequest and timers, iterations wait for their timers', async (t) => {
  const target = await startTarget(t);
  const run = await runScript(t, 'timers-async.ts', ['-e', `BASE_URL=${target.url}`]);
  t.is(run.code, 0, run.stderr);
  t.is(count(run, 'checks', 'passes'), 6);
  t.is(target.hits.get('/delay'), 6, 'every timer ran before the end');
  t.is(count(run, 'http_reqs'), 18);
});

test.serial('a script error in the init context: exit code 107 with the file and line', async (t) => {
  const run = await runScript(t, 'script-error.ts');
  t.is(run.code, 107);
  t.regex(run.stderr, /^error: script error: test\/integration\/engine\/scripts\/script-error\.ts:4:\d+: SyntaxError/m);
  t.notRegex(run.stderr, /engine\/runtime|node:internal/);
});

test.serial('an unsupported module is named, exit code 107', async (t) => {
  const run = await runScript(t, 'unsupported.ts');
  t.is(run.code, 107);
  t.regex(run.stderr, /unsupported module "k6\/crypto"/);
});

test.serial('invalid options: exit code 104 with one error line each', async (t) => {
  const run = await runScript(t, 'invalid-options.ts');
  t.is(run.code, 104);
  const lines = run.stderr.trim().split('\n');
  t.true(
    lines.every((l) => l.startsWith('error: ')),
    run.stderr,
  );
  t.regex(run.stderr, /options\.rps: not supported by this engine/);
  t.regex(run.stderr, /options\.scenarios\.bad\.rate: expected a whole number ≥ 1/);
  t.regex(run.stderr, /options\.scenarios\.bad\.duration: expected a duration/);
  t.is(lines.length, 3);
});

test.serial('thresholds on unknown metrics or with the wrong statistic are invalid config', async (t) => {
  const dir = await import('../../helpers/temp-dir.ts').then((m) => m.tempDir(t));
  const script = join(dir, 's.js');
  await import('node:fs/promises').then((fs) =>
    fs.writeFile(
      script,
      "export const options = { thresholds: { no_such_metric: ['count>0'], http_req_duration: ['rate<1'] } };\nexport default function () {}\n",
    ),
  );
  const run = await runScript(t, script);
  t.is(run.code, 104);
  t.regex(run.stderr, /error: options\.thresholds\["no_such_metric"\]: no metric "no_such_metric"/);
  t.regex(run.stderr, /error: options\.thresholds\["http_req_duration"\]: "rate" does not apply to a trend metric/);
});

test.serial('declared variables: -e keys and values are checked against the script (exit code 104)', async (t) => {
  const target = await startTarget(t);
  const ok = await runScript(t, 'env-declared.ts', ['-e', `BASE_URL=${target.url}`, '-e', 'RATE=4', '-e', 'MODE=slow']);
  t.is(ok.code, 0, ok.stderr);
  t.is(count(ok, 'iterations'), 4);
  const bad = await runScript(t, 'env-declared.ts', ['-e', 'BASE_URL=not-a-url', '-e', 'RATE=0', '-e', 'MODE=medium', '-e', 'RAET=3']);
  t.is(bad.code, 104);
  t.deepEqual(bad.stderr.trim().split('\n'), [
    'error: -e BASE_URL: expected an http(s):// URL, got "not-a-url"',
    'error: -e RATE: expected ≥ 1, got 0',
    'error: -e MODE: expected one of fast, slow, got "medium"',
    'error: -e RAET: the script does not read this variable (it declares BASE_URL, RATE, MODE)',
  ]);
});
