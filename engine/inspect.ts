/** `engine inspect SCRIPT`: what a run would do, without running it. */
import type { RunArgs } from './run.ts';
import { prepare } from './run.ts';
import { describeEnvSpec } from './script/env-spec.ts';
import { scenarioMaxVUs } from './schedule/plan.ts';
import { formatDuration } from './time.ts';

export const INSPECT_HELP = `usage: npm run engine -- inspect SCRIPT [-e KEY=VALUE]... [run flags]

Prints the consolidated options (after flags), each scenario with its VU mode (async: VUs share worker
threads; thread: a thread per VU, because its code makes blocking calls), the script's declared
variables (its exported env) and custom metrics. Add --json for the same as JSON.
`;

export async function inspect(args: RunArgs & { json?: boolean }): Promise<number> {
  const p = await prepare(args);
  const scenarios = p.options.scenarios.map((s, i) => ({
    name: s.name,
    executor: s.executor,
    exec: s.exec,
    maxVUs: scenarioMaxVUs(s),
    startTime: formatDuration(s.startTimeMs),
    gracefulStop: formatDuration(s.gracefulStopMs),
    vuMode: p.modes[i],
    blockingCalls: p.blocking[i],
  }));
  const out = process.stdout;
  out.write(`script: ${args.script}\n\nscenarios:\n`);
  for (const s of scenarios) {
    out.write(`  ${s.name}: ${s.executor}, exec ${s.exec}, up to ${s.maxVUs} VUs, starts at ${s.startTime}, gracefulStop ${s.gracefulStop}\n`);
    out.write(`    VU mode: ${s.vuMode}${s.blockingCalls && s.blockingCalls.length > 0 ? ` (blocking calls: ${s.blockingCalls.join(', ')})` : ''}\n`);
  }
  const thresholds = Object.entries(p.options.thresholds);
  if (thresholds.length > 0) {
    out.write('\nthresholds:\n');
    for (const [key, list] of thresholds) out.write(`  ${key}: ${list.map((t) => t.source + (t.abortOnFail ? ' (abortOnFail)' : '')).join(', ')}\n`);
  }
  if (p.metrics.length > 0) {
    out.write('\ncustom metrics:\n');
    for (const m of p.metrics) out.write(`  ${m.name}: ${m.type}, ${m.contains === 'default' ? 'no unit' : m.contains}, better ${m.better}\n`);
  }
  out.write(
    p.envSpec
      ? `\nvariables (-e KEY=VALUE):\n${describeEnvSpec(p.envSpec)}\n`
      : '\nvariables: the script declares none (export const env = { NAME: { type, help, default } } to have -e checked)\n',
  );
  out.write(`\noptions:\n${JSON.stringify(p.options.raw, null, 2)}\n`);
  return 0;
}
