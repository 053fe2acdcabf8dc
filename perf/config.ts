/**
 * `npm run perf -- config`: how config parsing (YAML text → checked BenchConfig, bench/config.ts)
 * grows with the number of keys. A linear parser takes twice the time for twice the keys (growth
 * exponent ≈ 1); the yaml package's own duplicate-key check, which the config loader turns off, is
 * quadratic (≈ 2) and is measured beside it in the same run, as is JSON.parse of the same data.
 * A benchmark that prints numbers, not a timed test.
 */
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { intArg, listArg } from '../kernel/args.ts';
import { UsageError } from '../kernel/errors.ts';
import { parseBenchConfig, parseConfigText } from '../bench/config.ts';

export type ConfigShape = 'scenario-env' | 'unknown-keys';

/** A config of `keys` keys: scenario variables (valid), or unknown top-level keys (each an error). */
export function configText(shape: ConfigShape, keys: number): { yaml: string; json: string } {
  const head = 'matrix: { replicas: [1], ratesRps: [1] }\n';
  if (shape === 'scenario-env') {
    const lines = Array.from({ length: keys }, (_, i) => `  K${i}: "v${i}"`);
    const env = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`K${i}`, `v${i}`]));
    return { yaml: `${head}scenarioEnv:\n${lines.join('\n')}\n`, json: JSON.stringify({ matrix: { replicas: [1], ratesRps: [1] }, scenarioEnv: env }) };
  }
  const lines = Array.from({ length: keys }, (_, i) => `k${i}: ${i}`);
  const data = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));
  return { yaml: `${head}${lines.join('\n')}\n`, json: JSON.stringify({ matrix: { replicas: [1], ratesRps: [1] }, ...data }) };
}

function bestOfMs(times: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** The config loader's work on a text: parse and check; the UsageError of unknown keys is its answer too. */
function loadConfig(text: string): void {
  try {
    parseBenchConfig(parseConfigText(text, 'perf.yml'), 'perf.yml');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
  }
}

export interface ConfigRow {
  shape: ConfigShape;
  keys: number;
  loaderMs: number;
  jsonParseMs: number;
  /** The yaml package with its own duplicate-key check (null above `quadraticUpTo` keys). */
  yamlDefaultMs: number | null;
}

export function measureConfigParsing(sizes: number[], options: { repeats?: number; quadraticUpTo?: number } = {}): ConfigRow[] {
  const repeats = options.repeats ?? 3;
  const rows: ConfigRow[] = [];
  for (const shape of ['scenario-env', 'unknown-keys'] as const)
    for (const keys of sizes) {
      const { yaml, json } = configText(shape, keys);
      rows.push({
        shape,
        keys,
        loaderMs: bestOfMs(repeats, () => loadConfig(yaml)),
        jsonParseMs: bestOfMs(repeats, () => JSON.parse(json)),
        yamlDefaultMs: keys <= (options.quadraticUpTo ?? 20_000) ? bestOfMs(1, () => parseYaml(yaml)) : null,
      });
    }
  return rows;
}

/** log(t₂/t₁) / log(n₂/n₁) between the smallest and the largest size: ≈ 1 linear, ≈ 2 quadratic. */
export function growthExponent(points: { keys: number; ms: number }[]): number | null {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || last.keys === first.keys || first.ms <= 0) return null;
  return Math.log(last.ms / first.ms) / Math.log(last.keys / first.keys);
}

export function formatConfigRows(rows: ConfigRow[]): string {
  const out = ['shape          keys     loader ms  µs/key  JSON.parse ms  ratio  yaml (unique keys) ms'];
  for (const r of rows)
    out.push(
      `${r.shape.padEnd(13)} ${String(r.keys).padStart(6)}  ${r.loaderMs.toFixed(1).padStart(10)}  ${((r.loaderMs * 1000) / r.keys).toFixed(2).padStart(6)}  ${r.jsonParseMs.toFixed(1).padStart(13)}  ${(r.loaderMs / Math.max(r.jsonParseMs, 0.001)).toFixed(0).padStart(5)}  ${r.yamlDefaultMs === null ? '–' : r.yamlDefaultMs.toFixed(1)}`,
    );
  for (const shape of ['scenario-env', 'unknown-keys'] as const) {
    const mine = rows.filter((r) => r.shape === shape);
    const loader = growthExponent(mine.map((r) => ({ keys: r.keys, ms: r.loaderMs })));
    const quadratic = growthExponent(mine.filter((r) => r.yamlDefaultMs !== null).map((r) => ({ keys: r.keys, ms: r.yamlDefaultMs! })));
    out.push(
      `${shape}: growth exponent ${loader?.toFixed(2) ?? '–'} for the config loader (1 = linear)${quadratic !== null ? `, ${quadratic.toFixed(2)} for yaml's own duplicate check (2 = quadratic)` : ''}`,
    );
  }
  return out.join('\n');
}

/** `perf config` */
export function configCommand(): Command {
  return new Command('config')
    .description(
      'config parsing time as the number of keys grows: the config loader beside JSON.parse and the yaml package with its quadratic duplicate-key check',
    )
    .addOption(new Option('--keys <n,n,...>', 'key counts to measure').argParser(listArg(intArg(1, 10_000_000))).default([10_000, 20_000, 40_000, 80_000]))
    .addOption(new Option('--quadratic-up-to <n>', "measure yaml's own duplicate-key check up to this many keys").argParser(intArg(0)).default(20_000))
    .action((options: { keys: number[]; quadraticUpTo: number }) => {
      const sizes = [...options.keys].sort((a, b) => a - b);
      process.stdout.write(`${formatConfigRows(measureConfigParsing(sizes, { quadraticUpTo: options.quadraticUpTo }))}\n`);
    });
}
