/**
 * Run-directory records → InfluxDB 1.x points. Pure, and the only place the schema lives, so a
 * live write and a later backfill produce the very same series and timestamps (a rewrite then
 * overwrites instead of duplicating).
 *
 * Node series (timestamps: the node clock corrected to the harness clock, so they line up with k6):
 *   node          tags run, point, node          fields cpuPct, load1, memTotalKB, memAvailableKB,
 *                                                       batteryTempC, throttled (0/1), clockOffsetMs
 *   node_cpu      tags run, point, node, core    fields online (0/1), cpuPct, freqKHz, maxFreqKHz
 *   node_thermal  tags run, point, node, zone, type     field tempC
 * k6 series, as k6's `--out influxdb` writes them: measurement = metric name, field `value`, the
 * sample's tags as tags except vu, iter and url (k6's default tagsAsFields), plus run and point.
 */
import type { NodeSample } from '../../rundir/types.ts';
import type { K6SampleLine } from '../../rundir/k6.ts';

export interface InfluxPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | boolean | string>;
  /** Epoch nanoseconds as a decimal string (write with precision 'n'). */
  timestamp: string;
}

/** k6's default K6_INFLUXDB_TAGS_AS_FIELDS: high-cardinality tags kept out of the series key. */
const K6_TAGS_AS_FIELDS: Record<string, 'int' | 'string'> = { vu: 'int', iter: 'int', url: 'string' };

export function nodeSamplePoints(runId: string, sample: NodeSample): InfluxPoint[] {
  const timestamp = msToNs(sample.nodeTimeMs);
  const base = cleanTags({ run: runId, point: sample.pointId ?? '', node: sample.node });
  const points: InfluxPoint[] = [];
  const push = (measurement: string, tags: Record<string, string>, fields: Record<string, number | boolean | null>) => {
    const kept = cleanFields(fields);
    if (Object.keys(kept).length > 0) points.push({ measurement, tags: { ...base, ...cleanTags(tags) }, fields: kept, timestamp });
  };
  push(
    'node',
    {},
    {
      cpuPct: sample.cpuPct,
      load1: sample.load1,
      memTotalKB: sample.memTotalKB,
      memAvailableKB: sample.memAvailableKB,
      batteryTempC: sample.batteryTempC,
      // 0/1 rather than a boolean: InfluxQL cannot mean() or max() a boolean field on a dashboard.
      throttled: sample.throttled ? 1 : 0,
      clockOffsetMs: sample.clockOffsetMs,
    },
  );
  for (const core of sample.cores) {
    push('node_cpu', { core: String(core.core) }, { online: core.online ? 1 : 0, cpuPct: core.cpuPct, freqKHz: core.freqKHz, maxFreqKHz: core.maxFreqKHz });
  }
  for (const zone of sample.thermal) push('node_thermal', { zone: zone.zone, type: zone.type }, { tempC: zone.tempC });
  return points;
}

/**
 * One k6 `--out json` line → a point, or null for Metric lines and malformed ones.
 * `seen` (one per file) nudges a timestamp by 1 ns when two samples of one series share it, as
 * InfluxDB would otherwise keep only the last; the nudge depends only on file order, so it is the
 * same on every rewrite.
 */
export function k6SamplePoint(runId: string, pointId: string, line: K6SampleLine, seen?: Set<string>): InfluxPoint | null {
  if (line.type !== 'Point' || typeof line.data?.value !== 'number' || !Number.isFinite(line.data.value)) return null;
  const ns = isoToNs(line.data.time);
  if (ns === null) return null;
  const tags: Record<string, string> = {};
  const fields: Record<string, number | boolean | string> = { value: line.data.value };
  for (const [key, value] of Object.entries(line.data.tags ?? {})) {
    const asField = K6_TAGS_AS_FIELDS[key];
    if (asField === 'int' && Number.isFinite(Number(value))) fields[key] = Math.trunc(Number(value));
    else if (asField) fields[key] = String(value);
    else tags[key] = String(value);
  }
  tags.run = runId;
  tags.point = pointId;
  const point: InfluxPoint = { measurement: line.metric, tags: cleanTags(tags), fields, timestamp: ns.toString() };
  if (seen) {
    const series = `${point.measurement}|${Object.entries(point.tags)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}|`;
    let at = ns;
    while (seen.has(series + at)) at += 1n;
    seen.add(series + at);
    point.timestamp = at.toString();
  }
  return point;
}

/** RFC 3339 with up to nanosecond digits and any offset (k6 writes local time) → epoch ns. */
export function isoToNs(time: string): bigint | null {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/i.exec(time ?? '');
  if (!match) return null;
  const wholeSecondsMs = Date.parse(`${match[1]}${match[3] ?? 'Z'}`);
  if (!Number.isFinite(wholeSecondsMs)) return null;
  const fraction = (match[2] ?? '').padEnd(9, '0').slice(0, 9);
  return BigInt(wholeSecondsMs) * 1_000_000n + BigInt(fraction);
}

export function msToNs(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}

/** InfluxDB rejects empty tag values; a missing tag is the same as an empty one to InfluxQL. */
function cleanTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== ''));
}

function cleanFields(fields: Record<string, number | boolean | null>): Record<string, number | boolean> {
  return Object.fromEntries(
    Object.entries(fields).filter((e): e is [string, number | boolean] => e[1] !== null && (typeof e[1] !== 'number' || Number.isFinite(e[1]))),
  );
}
