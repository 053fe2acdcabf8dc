/**
 * Declared script variables. A script may export the __ENV variables it reads:
 *
 *   export const env = {
 *     BASE_URL: { type: 'url', default: 'http://127.0.0.1:5000', help: 'gateway URL' },
 *     RATE: { type: 'number', min: 0, help: 'arrivals per second' },
 *     PROFILE: { type: 'enum', values: ['smoke', 'load'], default: 'smoke' },
 *   };
 *
 * k6 ignores the export. This engine checks every `-e KEY=VALUE` against it (unknown keys and bad
 * values, one `error:` line each, exit 104) and `inspect` prints it as help. Defaults are documentation:
 * the engine does not put them into __ENV (k6 would not), so the script still applies its own.
 */
import { ConfigError } from '../errors.ts';
import { parseDurationMs } from '../time.ts';

export const ENV_TYPES = ['string', 'number', 'integer', 'boolean', 'duration', 'url', 'enum'] as const;
export type EnvType = (typeof ENV_TYPES)[number];

export interface EnvVarSpec {
  type: EnvType;
  help?: string;
  default?: string | number | boolean;
  /** enum: the allowed values. */
  values?: string[];
  /** number, integer: bounds (inclusive). */
  min?: number;
  max?: number;
  /** string: a regular expression the whole value must match. */
  pattern?: string;
}

export type EnvSpec = Record<string, EnvVarSpec>;

export function parseEnvSpec(raw: unknown): EnvSpec | null {
  if (raw === undefined) return null;
  const problems: string[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError('the exported env: expected an object of VARIABLE → { type, help, default, … }');
  const out: EnvSpec = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const at = `env.${name}`;
    if (value === null || typeof value !== 'object') {
      problems.push(`${at}: expected { type, help, default, … }`);
      continue;
    }
    const v = value as Record<string, unknown>;
    const type = v.type ?? 'string';
    if (!ENV_TYPES.includes(type as EnvType)) {
      problems.push(`${at}.type: expected one of ${ENV_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
      continue;
    }
    for (const key of Object.keys(v))
      if (!['type', 'help', 'default', 'values', 'min', 'max', 'pattern'].includes(key))
        problems.push(`${at}.${key}: unknown field (type, help, default, values, min, max, pattern)`);
    if (type === 'enum' && (!Array.isArray(v.values) || v.values.length === 0 || !v.values.every((x) => typeof x === 'string')))
      problems.push(`${at}.values: an enum needs a list of strings`);
    if (v.min !== undefined && typeof v.min !== 'number') problems.push(`${at}.min: expected a number`);
    if (v.max !== undefined && typeof v.max !== 'number') problems.push(`${at}.max: expected a number`);
    if (v.pattern !== undefined) {
      try {
        new RegExp(String(v.pattern));
      } catch {
        problems.push(`${at}.pattern: not a regular expression`);
      }
    }
    const spec: EnvVarSpec = { type: type as EnvType };
    if (typeof v.help === 'string') spec.help = v.help;
    if (v.default !== undefined) spec.default = v.default as string | number | boolean;
    if (Array.isArray(v.values)) spec.values = v.values as string[];
    if (typeof v.min === 'number') spec.min = v.min;
    if (typeof v.max === 'number') spec.max = v.max;
    if (typeof v.pattern === 'string') spec.pattern = v.pattern;
    if (spec.default !== undefined) {
      const problem = checkValue(spec, String(spec.default));
      if (problem) problems.push(`${at}.default: ${problem}`);
    }
    out[name] = spec;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/** Null when the value fits, else what is wrong with it. */
export function checkValue(spec: EnvVarSpec, value: string): string | null {
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) return `expected a number, got "${value}"`;
      if (spec.type === 'integer' && !Number.isInteger(n)) return `expected a whole number, got "${value}"`;
      if (spec.min !== undefined && n < spec.min) return `expected ≥ ${spec.min}, got ${value}`;
      if (spec.max !== undefined && n > spec.max) return `expected ≤ ${spec.max}, got ${value}`;
      return null;
    }
    case 'boolean':
      return /^(true|false|1|0|yes|no|on|off)$/i.test(value) ? null : `expected true or false (or 1/0, yes/no, on/off), got "${value}"`;
    case 'duration':
      return parseDurationMs(value) === null ? `expected a duration such as 30s, 2m or 1h30m, got "${value}"` : null;
    case 'url':
      try {
        const u = new URL(value);
        return u.protocol === 'http:' || u.protocol === 'https:' ? null : `expected an http(s):// URL, got "${value}"`;
      } catch {
        return `expected an http(s):// URL, got "${value}"`;
      }
    case 'enum':
      return spec.values?.includes(value) ? null : `expected one of ${spec.values?.join(', ')}, got "${value}"`;
    default:
      if (spec.pattern && !new RegExp(`^(?:${spec.pattern})$`).test(value)) return `expected a value matching ${spec.pattern}, got "${value}"`;
      return null;
  }
}

/** One problem per unknown key or bad value among the `-e` variables. */
export function validateEnv(spec: EnvSpec, cliEnv: Record<string, string>): string[] {
  const problems: string[] = [];
  const known = Object.keys(spec);
  for (const [key, value] of Object.entries(cliEnv)) {
    const s = spec[key];
    if (!s) {
      problems.push(`-e ${key}: the script does not read this variable (it declares ${known.length ? known.join(', ') : 'none'})`);
      continue;
    }
    const problem = checkValue(s, value);
    if (problem) problems.push(`-e ${key}: ${problem}`);
  }
  return problems;
}

export function describeEnvSpec(spec: EnvSpec): string {
  const rows = Object.entries(spec).map(([name, s]) => {
    const type = s.type === 'enum' ? (s.values ?? []).join('|') : s.type;
    const bounds = [s.min !== undefined ? `≥ ${s.min}` : '', s.max !== undefined ? `≤ ${s.max}` : ''].filter(Boolean).join(', ');
    const def = s.default !== undefined ? ` (default ${String(s.default)})` : '';
    return `  ${name.padEnd(20)} ${`${type}${bounds ? `, ${bounds}` : ''}`.padEnd(24)} ${s.help ?? ''}${def}`;
  });
  return rows.join('\n');
}
