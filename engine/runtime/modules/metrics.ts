/**
 * `k6/metrics`: Counter, Gauge, Rate, Trend, declared in the init context. Beyond k6, a metric can
 * say which way is better and its unit: a third constructor argument `{ better: 'lower' | 'higher' |
 * 'none', unit: 'time' | 'data' | 'none' }`, or the script's exported `metricsInfo` (same shape, by
 * metric name). k6 ignores both; the engine writes them into the summary export.
 */
import { isValidMetricName, type MetricType } from '../../options/thresholds.ts';
import type { Better, Contains } from '../../metrics/types.ts';
import { stringTags } from './k6.ts';
import type { VuRuntime } from '../vu.ts';

export interface MetricExtraInfo {
  better?: Better;
  unit?: 'time' | 'data' | 'none';
}

export function parseExtraInfo(value: unknown, at: string): MetricExtraInfo {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new TypeError(`${at}: expected { better, unit }`);
  const { better, unit } = value as Record<string, unknown>;
  if (better !== undefined && better !== 'lower' && better !== 'higher' && better !== 'none')
    throw new TypeError(`${at}.better: expected "lower", "higher" or "none"`);
  if (unit !== undefined && unit !== 'time' && unit !== 'data' && unit !== 'none') throw new TypeError(`${at}.unit: expected "time", "data" or "none"`);
  return { better: better as Better | undefined, unit: unit as MetricExtraInfo['unit'] };
}

export function createMetrics(vu: VuRuntime): Record<string, unknown> {
  const make = (type: MetricType) =>
    class Metric {
      readonly name: string;
      constructor(name: unknown, isTime?: unknown, info?: unknown) {
        if (vu.phase !== 'init') throw new Error(`new ${type[0]?.toUpperCase()}${type.slice(1)}(): metrics must be declared in the init context`);
        if (typeof name !== 'string' || !isValidMetricName(name)) {
          throw new TypeError(`invalid metric name ${JSON.stringify(name)}: use letters, digits and _ (at most 128), starting with a letter or _`);
        }
        const extra = parseExtraInfo(info, `metric "${name}" info`);
        const contains: Contains = extra.unit === 'data' ? 'data' : isTime === true || extra.unit === 'time' ? 'time' : 'default';
        vu.backend.defineMetric({ name, type, contains, better: extra.better ?? 'none' });
        this.name = name;
      }
      add(value: unknown, tags?: Record<string, unknown>): void {
        if (vu.phase === 'init') throw new Error(`${this.name}.add(): metrics cannot be added to in the init context`);
        let v: number;
        if (typeof value === 'boolean') v = value ? 1 : 0;
        else if (typeof value === 'number' && Number.isFinite(value)) v = value;
        else if (type === 'rate') v = value ? 1 : 0;
        else throw new TypeError(`${this.name}.add(): ${JSON.stringify(value)} is not a number`);
        vu.backend.emit(this.name, v, tags ? stringTags(tags) : null);
      }
    };
  const metrics = { Counter: make('counter'), Gauge: make('gauge'), Rate: make('rate'), Trend: make('trend') };
  return { ...metrics, default: metrics };
}
