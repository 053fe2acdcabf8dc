/**
 * RawRecord → NodeSample: CPU % from deltas against the previous record, hotplug, °C, throttling.
 * Pure: the caller passes the arrival time and the clock offset.
 */
import type { NodeSample } from '../../rundir/types.ts';
import type { CpuTicks, RawRecord } from './parse.ts';

export interface SampleOptions {
  /** The node is "under load" at or above this overall CPU %; default 70. */
  loadedCpuPct?: number;
  /** A busy core below this share of its max frequency counts as throttled; default 0.9. */
  throttleFreqRatio?: number;
}

export interface SampleBuilder {
  /** `timeMs`: harness clock at arrival; `clockOffsetMs`: harness − node (0 for the local host). */
  next(record: RawRecord, at: { timeMs: number; clockOffsetMs: number }): NodeSample;
}

export function createSampleBuilder(node: string, options: SampleOptions = {}): SampleBuilder {
  const loadedCpuPct = options.loadedCpuPct ?? 70;
  const throttleFreqRatio = options.throttleFreqRatio ?? 0.9;
  let previous = new Map<number, CpuTicks>();
  // Cores seen once stay in the series as offline when they vanish from both /proc/stat and sysfs.
  const known = new Set<number>();

  return {
    next(record, at) {
      for (const core of record.cpuTicks.keys()) known.add(core);
      for (const core of record.cores) known.add(core.core);
      const sysfs = new Map(record.cores.map((c) => [c.core, c]));

      let busySum = 0;
      let totalSum = 0;
      const cores: NodeSample['cores'] = [...known]
        .sort((a, b) => a - b)
        .map((core) => {
          const ticks = record.cpuTicks.get(core);
          const info = sysfs.get(core);
          // /proc/stat lists exactly the online cores; the sysfs `online` file can lag a hotplug
          // by a moment, so a core is online only when both agree.
          const online = ticks !== undefined && info?.online !== false;
          const delta = online ? tickDelta(previous.get(core), ticks) : null;
          if (delta) {
            busySum += delta.busy;
            totalSum += delta.total;
          }
          return {
            core,
            online,
            cpuPct: delta ? pct(delta) : null,
            freqKHz: online ? (info?.curFreqKHz ?? null) : null,
            maxFreqKHz: info?.maxFreqKHz ?? null,
          };
        });
      previous = record.cpuTicks;

      // Overall % from the cores with a valid delta, not from the aggregate line: the aggregate
      // sums only online cores, so it jumps backwards when a core goes offline.
      const cpuPct = totalSum > 0 ? round((100 * busySum) / totalSum) : null;
      const throttled =
        cpuPct !== null &&
        cpuPct >= loadedCpuPct &&
        cores.some(
          (c) =>
            c.online &&
            c.cpuPct !== null &&
            c.cpuPct >= loadedCpuPct &&
            c.freqKHz !== null &&
            c.maxFreqKHz !== null &&
            c.maxFreqKHz > 0 &&
            c.freqKHz < c.maxFreqKHz * throttleFreqRatio,
        );

      const mem = record.memKB;
      const memAvailableKB = mem.MemAvailable ?? (mem.MemFree ?? 0) + (mem.Buffers ?? 0) + (mem.Cached ?? 0);
      const battery = record.supplies.find((s) => s.type.toLowerCase() === 'battery' && s.raw !== null);

      return {
        node,
        timeMs: at.timeMs,
        // A clock read in whole seconds (an old busybox without $EPOCHREALTIME or date %N) is worse
        // than the arrival time, which is off only by the record's transit.
        nodeTimeMs: record.nodeClockMs === null || record.clockPrecisionMs >= 1000 ? at.timeMs : round(record.nodeClockMs + at.clockOffsetMs),
        clockOffsetMs: at.clockOffsetMs,
        pointId: null,
        cpuPct,
        cores,
        load1: record.load1 ?? 0,
        memTotalKB: mem.MemTotal ?? 0,
        memAvailableKB,
        thermal: record.zones.map((z) => ({ zone: z.zone, type: z.type, tempC: thermalTempC(z.raw) })),
        // power_supply temp is in tenths of a degree Celsius.
        batteryTempC: battery?.raw != null ? plausibleC(battery.raw / 10) : null,
        throttled,
      };
    },
  };
}

/**
 * A thermal zone's reading in °C. The ABI says millidegrees, but some phone drivers report whole
 * degrees: a small magnitude (≤ 200) is taken as °C already. Readings outside −273…200 °C are
 * sentinels of a sensor that is off or broken (−273000, INT_MAX) and become null.
 */
export function thermalTempC(raw: number | null): number | null {
  if (raw === null) return null;
  const tempC = Math.abs(raw) <= 200 ? raw : raw / 1000;
  return plausibleC(tempC);
}

function plausibleC(tempC: number): number | null {
  return tempC > -273 && tempC <= 200 ? round(tempC) : null;
}

function tickDelta(before: CpuTicks | undefined, after: CpuTicks | undefined): CpuTicks | null {
  if (!before || !after) return null;
  const busy = after.busy - before.busy;
  const total = after.total - before.total;
  // A core that came back from offline can show counters that went backwards (idle is
  // recomputed on some kernels): no valid delta this time, a good one next time.
  if (total <= 0 || busy < 0 || busy > total) return null;
  return { busy, total };
}

function pct(delta: CpuTicks): number {
  return round((100 * delta.busy) / delta.total);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
