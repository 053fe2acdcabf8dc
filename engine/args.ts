/**
 * `k6 run`'s flags (and the engine's own), parsed into RunArgs. Pure: argv in, arguments or a
 * UsageError/ConfigError out. Flags may come before or after the script, as `--flag value` or
 * `--flag=value`.
 */
import { ConfigError, UsageError } from './errors.ts';
import type { CliOverrides } from './options/consolidate.ts';
import type { Stage } from './options/types.ts';
import type { RunArgs } from './run.ts';
import { parseSegment, parseSequence } from './schedule/segment.ts';
import { parseDurationMs } from './time.ts';

interface FlagSpec {
  names: string[];
  value: boolean;
}

const FLAGS: Record<string, FlagSpec> = {
  env: { names: ['-e', '--env'], value: true },
  includeSystemEnv: { names: ['--include-system-env-vars'], value: false },
  vus: { names: ['-u', '--vus'], value: true },
  duration: { names: ['-d', '--duration'], value: true },
  iterations: { names: ['-i', '--iterations'], value: true },
  stage: { names: ['-s', '--stage'], value: true },
  tag: { names: ['--tag'], value: true },
  summaryExport: { names: ['--summary-export'], value: true },
  summaryTrendStats: { names: ['--summary-trend-stats'], value: true },
  summaryMode: { names: ['--summary-mode'], value: true },
  noSummary: { names: ['--no-summary'], value: false },
  noThresholds: { names: ['--no-thresholds'], value: false },
  systemTags: { names: ['--system-tags'], value: true },
  userAgent: { names: ['--user-agent'], value: true },
  out: { names: ['-o', '--out'], value: true },
  segment: { names: ['--execution-segment'], value: true },
  sequence: { names: ['--execution-segment-sequence'], value: true },
  quiet: { names: ['-q', '--quiet'], value: false },
  noColor: { names: ['--no-color'], value: false },
  workers: { names: ['--workers'], value: true },
  vuMode: { names: ['--vu-mode'], value: true },
  histogramInterval: { names: ['--histogram-interval'], value: true },
  noSamples: { names: ['--no-samples'], value: false },
};

/** k6 run flags this engine does not have: named in the error instead of "unknown flag". */
const K6_ONLY = [
  '--http-debug',
  '--paused',
  '-p',
  '--rps',
  '--linger',
  '-l',
  '--address',
  '-a',
  '--no-setup',
  '--no-teardown',
  '--no-usage-report',
  '--console-output',
  '--local-ips',
  '--dns',
  '--blacklist-ip',
  '--block-hostnames',
  '--compatibility-mode',
  '--max-redirects',
  '--batch',
  '--batch-per-host',
  '--insecure-skip-tls-verify',
  '--no-connection-reuse',
  '--no-vu-connection-reuse',
  '--min-iteration-duration',
  '--throw',
  '-w',
  '--log-output',
  '--log-format',
  '--traces-output',
  '--archive-out',
  '--with-summary-export',
];

export function parseRunArgs(argv: string[]): RunArgs {
  const byName = new Map<string, string>();
  for (const [key, spec] of Object.entries(FLAGS)) for (const n of spec.names) byName.set(n, key);
  const values: Record<string, string[]> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = byName.get(name);
    if (!key) {
      if (K6_ONLY.includes(name))
        throw new UsageError(`${name}: this k6 flag is not supported by this engine (set the matching option in the script, or run with k6 through K6_BIN)`);
      throw new UsageError(`unknown flag ${name} (see --help)`);
    }
    const spec = FLAGS[key] as FlagSpec;
    let value: string;
    if (spec.value) {
      if (eq > 0) value = arg.slice(eq + 1);
      else {
        const next = argv[++i];
        if (next === undefined) throw new UsageError(`${name} needs a value`);
        value = next;
      }
    } else value = eq > 0 ? arg.slice(eq + 1) : 'true';
    values[key] ??= [];
    values[key].push(value);
  }
  if (positional.length === 0) throw new UsageError('run: give the script to run, e.g. npm run engine -- run script.js');
  if (positional.length > 1) throw new UsageError(`run: one script at a time (got ${positional.join(', ')})`);
  const problems: string[] = [];
  const one = (key: string) => values[key]?.[values[key].length - 1];
  const bool = (key: string) => {
    const v = one(key);
    if (v === undefined) return false;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    problems.push(`${FLAGS[key]?.names.at(-1)}: expected true or false, got "${v}"`);
    return false;
  };
  const int = (key: string, min: number) => {
    const v = one(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      problems.push(`${FLAGS[key]?.names.at(-1)}: expected a whole number ≥ ${min}, got "${v}"`);
      return undefined;
    }
    return n;
  };
  const pairs = (key: string) => {
    const out: Record<string, string> = {};
    for (const v of values[key] ?? []) {
      const i = v.indexOf('=');
      if (i <= 0) problems.push(`${FLAGS[key]?.names.at(-1)}: expected KEY=VALUE, got "${v}"`);
      else out[v.slice(0, i)] = v.slice(i + 1);
    }
    return out;
  };
  const overrides: CliOverrides = {};
  const vus = int('vus', 0);
  if (vus !== undefined) overrides.vus = vus;
  const iterations = int('iterations', 1);
  if (iterations !== undefined) overrides.iterations = iterations;
  const duration = one('duration');
  if (duration !== undefined) {
    const ms = parseDurationMs(duration);
    if (ms === null || ms <= 0) problems.push(`--duration: expected a duration such as 30s or 1m30s, got "${duration}"`);
    else overrides.durationMs = ms;
  }
  if (values.stage) {
    const stages: Stage[] = [];
    for (const text of values.stage.flatMap((v) => v.split(','))) {
      const m = /^([^:]+):(\d+)$/.exec(text.trim());
      const ms = m ? parseDurationMs(m[1] ?? '') : null;
      if (!m || ms === null) problems.push(`--stage: expected DURATION:TARGET such as 30s:10, got "${text}"`);
      else stages.push({ durationMs: ms, target: Number(m[2]) });
    }
    overrides.stages = stages;
  }
  if (values.tag) overrides.tags = pairs('tag');
  const trendStats = one('summaryTrendStats');
  if (trendStats !== undefined)
    overrides.summaryTrendStats = trendStats
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const systemTags = one('systemTags');
  if (systemTags !== undefined)
    overrides.systemTags = systemTags
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const userAgent = one('userAgent');
  if (userAgent !== undefined) overrides.userAgent = userAgent;
  if (bool('noThresholds')) overrides.noThresholds = true;

  let outJson: string | null = null;
  let outInflux: string | null = null;
  let outHdr: string | null = null;
  for (const out of values.out ?? []) {
    const i = out.indexOf('=');
    const kind = i < 0 ? out : out.slice(0, i);
    const target = i < 0 ? '' : out.slice(i + 1);
    if (kind === 'json' && target) outJson = target;
    else if (kind === 'influxdb' && target) outInflux = target;
    else if (kind === 'hdr' && target) outHdr = target;
    else if (['json', 'influxdb', 'hdr'].includes(kind))
      problems.push(
        `--out ${kind}: needs a target, e.g. --out ${kind}=${kind === 'influxdb' ? 'http://127.0.0.1:8086/k6' : kind === 'hdr' ? 'histograms.hlog' : 'samples.json.gz'}`,
      );
    else problems.push(`--out ${kind}: not supported by this engine (json=FILE[.gz], influxdb=URL, hdr=FILE)`);
  }
  let segment = null;
  let sequence = null;
  try {
    const s = one('segment');
    if (s !== undefined) segment = parseSegment(s);
  } catch (error) {
    problems.push(`--execution-segment: ${(error as Error).message}`);
  }
  try {
    const s = one('sequence');
    if (s !== undefined) sequence = parseSequence(s);
  } catch (error) {
    problems.push(`--execution-segment-sequence: ${(error as Error).message}`);
  }
  const summaryMode = one('summaryMode') ?? 'compact';
  if (!['compact', 'full', 'legacy'].includes(summaryMode)) problems.push(`--summary-mode: expected compact, full or legacy, got "${summaryMode}"`);
  const vuMode = one('vuMode') ?? 'auto';
  if (!['auto', 'async', 'thread'].includes(vuMode)) problems.push(`--vu-mode: expected auto, async or thread, got "${vuMode}"`);
  const workers = int('workers', 1);
  const interval = one('histogramInterval');
  let histogramIntervalMs = 1000;
  if (interval !== undefined) {
    const ms = parseDurationMs(interval);
    if (ms === null || ms < 100) problems.push(`--histogram-interval: expected a duration of at least 100ms, got "${interval}"`);
    else histogramIntervalMs = ms;
  }
  const env = pairs('env');
  const includeSystemEnv = values.includeSystemEnv ? bool('includeSystemEnv') : true;
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    script: positional[0] ?? '',
    env,
    includeSystemEnv,
    overrides,
    summaryExport: one('summaryExport') ?? null,
    outJson,
    outInflux,
    outHdr,
    noSamples: bool('noSamples'),
    segment,
    sequence,
    quiet: bool('quiet'),
    noColor: bool('noColor'),
    noSummary: bool('noSummary'),
    summaryMode: summaryMode as RunArgs['summaryMode'],
    workers: workers ?? null,
    vuMode: vuMode as RunArgs['vuMode'],
    histogramIntervalMs,
  };
}

export const RUN_HELP = `usage: npm run engine -- run SCRIPT [flags]

Runs a k6 script (JavaScript or TypeScript) with k6's options, executors and metrics.

k6 run flags:
  -e, --env KEY=VALUE            a variable for __ENV (repeatable)
  --include-system-env-vars=BOOL also pass this process's environment into __ENV (default true)
  -u, --vus N                    VUs of the shortcut scenario
  -d, --duration D               duration of the shortcut scenario (30s, 1m30s); replaces options.scenarios
  -i, --iterations N             iterations of the shortcut scenario; replaces options.scenarios
  -s, --stage D:TARGET           a ramping-vus stage (repeatable); replaces options.scenarios
      --tag KEY=VALUE            a tag on every sample (repeatable)
      --summary-export FILE      the end-of-test summary as JSON (k6's legacy format, plus engine_metrics_info)
      --summary-trend-stats LIST trend statistics shown, e.g. avg,p(95),p(99)
      --summary-mode MODE        compact (default), full or legacy
      --no-summary               no end-of-test summary on stdout
      --no-thresholds            do not evaluate thresholds
      --system-tags LIST         system tags to keep on samples
      --user-agent UA            User-Agent header of requests
  -o, --out json=FILE[.gz]       raw samples in k6's JSON format (gzip when the name ends in .gz)
  -o, --out influxdb=URL         raw samples to InfluxDB 1.x, e.g. http://127.0.0.1:8086/k6
  -o, --out hdr=FILE             trends as an HdrHistogram interval log (engine extension)
      --execution-segment SEG    run only this segment of the test, e.g. 0:1/2
      --execution-segment-sequence SEQ   checked only; segments need no sequence here
  -q, --quiet                    no progress on stderr
      --no-color                 no colours in the summary

engine flags:
      --workers N                worker threads (default: half the cores, at least 1)
      --vu-mode MODE             auto (default): a thread per VU only for scenarios whose code makes
                                 blocking calls (sleep, http.get, …); async: VUs share worker threads;
                                 thread: a thread per VU everywhere
      --histogram-interval D     interval of the HdrHistogram log (default 1s)
      --no-samples               write no raw samples even if --out json is given

exit codes: 0 ok, 2 usage, 99 thresholds crossed, 104 invalid config, 105 stopped by SIGINT/SIGTERM,
107 script error, 108 exec.test.abort(), 110 exec.test.fail(), 100/101 setup/teardown timeout
`;
