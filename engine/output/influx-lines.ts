/**
 * Raw samples as InfluxDB 1.x line protocol, the way k6's `--out influxdb` writes them: measurement =
 * metric name, field `value`, the sample's tags as tags except vu, iter and url, which go to fields
 * (k6's default tagsAsFields: they would make a series per request). Timestamps are nanoseconds:
 * the microsecond time plus a running 0–999 ns nudge, so two samples of one series in the same
 * microsecond do not overwrite each other.
 */
import type { MetricRuntime, SampleEncoder } from '../metrics/registry.ts';
import type { TagSet } from '../metrics/tags.ts';

const AS_FIELDS: Record<string, 'int' | 'string'> = { vu: 'int', iter: 'int', url: 'string' };

export class InfluxLinesEncoder implements SampleEncoder {
  private text = '';
  private lines = 0;
  private nudge = 0;

  point(metric: MetricRuntime, tags: TagSet, timeMs: number, value: number): void {
    let name = metric.influxName;
    if (name === null) name = metric.influxName = escapeKey(metric.info.name);
    let parts = tags.influxCache;
    if (parts === null) parts = tags.influxCache = encodeTags(tags.tags);
    const sep = parts.indexOf('\u0000');
    const us = Math.round(timeMs * 1000);
    this.nudge = (this.nudge + 1) % 1000;
    this.text += name + parts.slice(0, sep) + ' value=' + value + parts.slice(sep + 1) + ' ' + us + String(this.nudge).padStart(3, '0') + '\n';
    this.lines++;
  }

  get pendingLength(): number {
    return this.text.length;
  }

  /** Forgets the samples encoded so far (the engine's warm-up). */
  discard(): void {
    this.text = '';
    this.lines = 0;
  }

  take(): { text: string; lines: number } | null {
    if (this.lines === 0) return null;
    const out = { text: this.text, lines: this.lines };
    this.text = '';
    this.lines = 0;
    return out;
  }
}

/** ",k=v,k2=v2" + NUL + ",url=\"...\"" (tags, then the fields that replace some tags). */
function encodeTags(tags: Readonly<Record<string, string>>): string {
  let tagPart = '';
  let fieldPart = '';
  for (const [k, v] of Object.entries(tags)) {
    const asField = AS_FIELDS[k];
    if (asField === 'int' && /^-?\d+$/.test(v)) fieldPart += `,${escapeKey(k)}=${v}i`;
    else if (asField) fieldPart += `,${escapeKey(k)}="${v.replace(/["\\]/g, '\\$&')}"`;
    else if (v !== '') tagPart += `,${escapeKey(k)}=${escapeKey(v)}`; // InfluxDB rejects empty tag values
  }
  return `${tagPart}\u0000${fieldPart}`;
}

function escapeKey(text: string): string {
  return text.replace(/[,= \\]/g, '\\$&').replace(/\n/g, '\\n');
}
