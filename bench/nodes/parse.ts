/**
 * Pure parsing of the sampler's output (see ./script.ts for the format): text chunks → framed
 * records → RawRecord. No clocks, no I/O; ./sample.ts turns RawRecords into NodeSamples.
 */
import { parseClock } from '../../kernel/ssh/clock.ts';

/** /proc/stat counters of one line, in USER_HZ ticks. */
export interface CpuTicks {
  /** Everything but idle and iowait. */
  busy: number;
  total: number;
}

export interface RawCore {
  core: number;
  /** From cpuN/online; null when the file is absent (cpu0 on most kernels) or unreadable. */
  online: boolean | null;
  curFreqKHz: number | null;
  maxFreqKHz: number | null;
}

export interface RawRecord {
  seq: number;
  /** Node clock in epoch ms, null if unreadable. `precisionMs` is 1000 when only seconds came. */
  nodeClockMs: number | null;
  clockPrecisionMs: number;
  /** The aggregate `cpu` line, null if absent. */
  cpuAll: CpuTicks | null;
  /** Per-core lines: only online cores appear in /proc/stat. */
  cpuTicks: Map<number, CpuTicks>;
  load1: number | null;
  /** meminfo keys without the colon, in kB. */
  memKB: Record<string, number>;
  cores: RawCore[];
  /** Zone name (thermal_zoneN), type, raw value as printed (millidegrees, or null if unreadable). */
  zones: { zone: string; type: string; raw: number | null }[];
  /** Power supplies with a temp file: name, type, raw value (tenths of °C). */
  supplies: { name: string; type: string; raw: number | null }[];
}

export interface Hello {
  format: number;
  pid: number;
}

export interface Framer {
  /** Feed output as it arrives; chunks may split lines anywhere. */
  push(chunk: string): void;
}

/**
 * Splits the stream into records. A record is emitted only when its `@@end` arrives with the same
 * seq, so a record cut off by a dropped connection is never half-parsed. Lines outside a record
 * (shell noise, a motd) are ignored.
 */
export function createFramer(handlers: { onHello?: (h: Hello) => void; onRecord: (lines: string[], seq: number) => void }): Framer {
  let partial = '';
  let current: { seq: number; lines: string[] } | null = null;
  const line = (text: string) => {
    if (text.startsWith('@@')) {
      const [tag, a, b] = text.split(' ');
      if (tag === '@@hello') handlers.onHello?.({ format: Number(a), pid: Number(b) });
      else if (tag === '@@rec') current = { seq: Number(a), lines: [] };
      else if (tag === '@@end' && current && current.seq === Number(a)) {
        handlers.onRecord(current.lines, current.seq);
        current = null;
      }
      return;
    }
    current?.lines.push(text);
  };
  return {
    push(chunk) {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) line(part.endsWith('\r') ? part.slice(0, -1) : part);
    },
  };
}

export function parseRecord(lines: string[], seq: number): RawRecord {
  const record: RawRecord = {
    seq,
    nodeClockMs: null,
    clockPrecisionMs: 1000,
    cpuAll: null,
    cpuTicks: new Map(),
    load1: null,
    memKB: {},
    cores: [],
    zones: [],
    supplies: [],
  };
  for (const text of lines) {
    const words = text.trim().split(/\s+/);
    const [tag] = words;
    if (tag === 't') {
      const clock = parseClock(words[1] ?? '');
      if (clock) {
        record.nodeClockMs = clock.ms;
        record.clockPrecisionMs = clock.precisionMs;
      }
    } else if (tag === 's') {
      const name = words[1] ?? '';
      const ticks = parseTicks(words.slice(2));
      if (!ticks) continue;
      if (name === 'cpu') record.cpuAll = ticks;
      else if (/^cpu\d+$/.test(name)) record.cpuTicks.set(Number(name.slice(3)), ticks);
    } else if (tag === 'l') {
      record.load1 = num(words[1]);
    } else if (tag === 'm') {
      const value = num(words[2]);
      if (words[1]?.endsWith(':') && value !== null) record.memKB[words[1].slice(0, -1)] = value;
    } else if (tag === 'f') {
      const core = num(words[1]);
      if (core === null || !Number.isInteger(core)) continue;
      const online = words[2] === '1' ? true : words[2] === '0' ? false : null;
      record.cores.push({ core, online, curFreqKHz: num(words[3]), maxFreqKHz: num(words[4]) });
    } else if (tag === 'z' || tag === 'b') {
      const name = words[1] ?? '';
      // The type is the rest of the line; odd drivers put spaces in it or leave it empty.
      const type = restAfter(text.trim(), 3);
      const raw = num(words[2]);
      if (tag === 'z') record.zones.push({ zone: name, type, raw });
      else record.supplies.push({ name, type, raw });
    }
  }
  record.cores.sort((a, b) => a.core - b.core);
  record.zones.sort((a, b) => zoneOrder(a.zone) - zoneOrder(b.zone) || a.zone.localeCompare(b.zone));
  return record;
}

/**
 * user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is already counted
 * in user, so it is left out of the total. Old kernels print only four or seven columns.
 */
function parseTicks(words: string[]): CpuTicks | null {
  const values = words.slice(0, 8).map(Number);
  if (values.length < 4 || values.some((v) => !Number.isFinite(v) || v < 0)) return null;
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

function num(word: string | undefined): number | null {
  if (word === undefined || word === '' || word === '-') return null;
  const value = Number(word);
  return Number.isFinite(value) ? value : null;
}

function restAfter(text: string, fields: number): string {
  let rest = text;
  for (let i = 0; i < fields; i++) {
    const space = rest.search(/\s/);
    if (space < 0) return '';
    rest = rest.slice(space).trimStart();
  }
  return rest;
}

function zoneOrder(zone: string): number {
  const match = /(\d+)$/.exec(zone);
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}
