/**
 * The built-in generator's command line, a subset of `k6 run` so the harness drives both alike:
 *   tsx bench/load/builtin/cli.ts run scenarios/coffee.ts -e KEY=VALUE --tag k=v \
 *     --summary-export summary.json --out json=samples.ndjson.gz
 * Exit codes follow k6 (rundir/k6.ts K6_EXIT): 0 ok, 99 thresholds crossed, 104 invalid config, 105 interrupted.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseScenarioEnv, ScenarioEnvError } from '../../../scenarios/lib/env.ts';
import { k6Options, SUMMARY_TREND_STATS } from '../../../scenarios/lib/profiles.ts';
import { K6_EXIT } from '../../../rundir/k6.ts';
import { Recorder } from './recorder.ts';
import { runOptions } from './run.ts';
import { FULL_SEGMENT, parseSegment, type Segment } from './schedule.ts';
import { BUILTIN_READY_LINE, BUILTIN_VERSION } from './version.ts';

export const SUPPORTED_SCRIPTS = ['coffee.ts'];

const USAGE = `usage: builtin run <scenarios/coffee.ts> [-e KEY=VALUE]... [--tag KEY=VALUE]... [--summary-export FILE] [--out json=FILE[.gz]] [--execution-segment FROM:TO] [--quiet]
       builtin version`;

interface Args {
  script: string;
  env: Record<string, string>;
  tags: Record<string, string>;
  summaryExport: string | null;
  outJson: string | null;
  quiet: boolean;
  segment: Segment;
}

function pair(text: string | undefined, flag: string): [string, string] {
  const i = text?.indexOf('=') ?? -1;
  if (!text || i <= 0) throw new Error(`${flag} expects KEY=VALUE, got "${text ?? ''}"`);
  return [text.slice(0, i), text.slice(i + 1)];
}

export function parseArgs(argv: string[]): Args {
  const [command, script, ...rest] = argv;
  if (command !== 'run' || !script) throw new Error(USAGE);
  const args: Args = { script, env: {}, tags: {}, summaryExport: null, outJson: null, quiet: false, segment: FULL_SEGMENT };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => rest[++i];
    if (flag === '-e' || flag === '--env') {
      const [k, v] = pair(value(), flag);
      args.env[k] = v;
    } else if (flag === '--tag') {
      const [k, v] = pair(value(), flag);
      args.tags[k] = v;
    } else if (flag === '--summary-export') args.summaryExport = value() ?? null;
    else if (flag === '--out') {
      const out = value() ?? '';
      if (!out.startsWith('json=')) throw new Error(`--out supports json=FILE only, got "${out}"`);
      args.outJson = out.slice(5);
    } else if (flag === '--execution-segment') args.segment = parseSegment(value() ?? '');
    else if (flag === '--execution-segment-sequence')
      value(); // Even shares only: the sequence adds nothing here.
    else if (flag === '--quiet' || flag === '-q') args.quiet = true;
    else throw new Error(`unknown flag "${flag}"\n${USAGE}`);
  }
  if (!SUPPORTED_SCRIPTS.includes(basename(args.script))) {
    throw new Error(`the built-in generator runs ${SUPPORTED_SCRIPTS.join(', ')} only; run "${args.script}" with a k6 binary (K6_BIN)`);
  }
  return args;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'version' || argv[0] === '--version') {
    process.stdout.write(`cloudlet-bench builtin ${BUILTIN_VERSION}\n`);
    return 0;
  }
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return K6_EXIT.invalidConfig;
  }
  let config: ReturnType<typeof parseScenarioEnv>;
  try {
    config = parseScenarioEnv(args.env);
  } catch (error) {
    if (!(error instanceof ScenarioEnvError)) throw error;
    process.stderr.write(`error: scenario environment: ${error.message}\n`);
    return K6_EXIT.invalidConfig;
  }
  const options = k6Options(config);
  const recorder = new Recorder(args.outJson, args.tags);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stderr.write(`${BUILTIN_READY_LINE}\n`);
  const durationMs = await runOptions(options, config, recorder, { signal: abort.signal, segment: args.segment });
  await recorder.close();
  const { summary, thresholdsPassed } = recorder.summary(durationMs, SUMMARY_TREND_STATS, options.thresholds);
  if (args.summaryExport) await writeFile(args.summaryExport, `${JSON.stringify(summary, null, 2)}\n`);
  if (!args.quiet) {
    const reqs = summary.metrics.http_reqs as { count?: number; rate?: number } | undefined;
    const dur = summary.metrics.http_req_duration as Record<string, number> | undefined;
    process.stdout.write(
      `http_reqs ${reqs?.count ?? 0} (${(reqs?.rate ?? 0).toFixed(2)}/s), http_req_duration p(95) ${(dur?.['p(95)'] ?? 0).toFixed(1)} ms, thresholds ${thresholdsPassed ? 'passed' : 'crossed'}\n`,
    );
  }
  if (abort.signal.aborted) return K6_EXIT.interrupted;
  return thresholdsPassed ? K6_EXIT.ok : K6_EXIT.thresholdsCrossed;
}

// Exit at once, as k6 does: iterations cut at the end of their graceful stop (a probe still polling)
// would otherwise keep the process alive until they finish on their own.
process.exit(await main(process.argv.slice(2)));
