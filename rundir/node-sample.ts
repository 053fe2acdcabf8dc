import type { NodeSample } from './types.ts';

/**
 * The hottest reading of a node sample, °C: every thermal zone and the battery; null when it has
 * none. The cooldown gate, the thermal warning and the node charts all read temperature this way.
 */
export function hottestTempC(sample: Pick<NodeSample, 'thermal' | 'batteryTempC'>): number | null {
  let max: number | null = sample.batteryTempC ?? null;
  for (const zone of sample.thermal ?? []) if (zone.tempC !== null && (max === null || zone.tempC > max)) max = zone.tempC;
  return max;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const finiteOrNull = (value: unknown): boolean => value === null || value === undefined || (typeof value === 'number' && Number.isFinite(value));

/** Plausible ranges: a value outside is kept out of the report (null) and warned about. */
export const PLAUSIBLE = { cpuPct: [0, 100.5], tempC: [-40, 150], freqKHz: [0, 20_000_000] } as const;

/**
 * A line of nodes.ndjson as a NodeSample, or what is wrong with it (the field). Values out of their
 * plausible range (a CPU share of 250 %, a temperature of 4000 °C) become null and are listed in
 * `implausible`, so a damaged or mis-parsed line does not distort the charts.
 */
export function checkNodeSample(value: unknown): { sample: NodeSample; implausible: { field: string; value: number }[] } | { problem: string } {
  if (!isObject(value)) return { problem: `expected a node sample object, found ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}` };
  if (typeof value.node !== 'string' || value.node === '') return { problem: 'node: missing or not a string' };
  if (typeof value.timeMs !== 'number' || !Number.isFinite(value.timeMs)) return { problem: 'timeMs: missing or not a finite number' };
  if (value.pointId !== undefined && value.pointId !== null && typeof value.pointId !== 'string') return { problem: 'pointId: not a string' };
  for (const field of ['cpuPct', 'batteryTempC', 'load1', 'memTotalKB', 'memAvailableKB', 'nodeTimeMs', 'clockOffsetMs'])
    if (!finiteOrNull(value[field])) return { problem: `${field}: not a finite number` };
  if (value.cores !== undefined && !(Array.isArray(value.cores) && value.cores.every(isObject))) return { problem: 'cores: not a list of objects' };
  if (value.thermal !== undefined && !(Array.isArray(value.thermal) && value.thermal.every(isObject))) return { problem: 'thermal: not a list of objects' };
  const cores = ((value.cores as Record<string, unknown>[] | undefined) ?? []).map((core) => ({ ...core }));
  const thermal = ((value.thermal as Record<string, unknown>[] | undefined) ?? []).map((zone) => ({ ...zone }));
  for (const [i, core] of cores.entries())
    for (const field of ['cpuPct', 'freqKHz', 'maxFreqKHz']) if (!finiteOrNull(core[field])) return { problem: `cores[${i}].${field}: not a finite number` };
  for (const [i, zone] of thermal.entries()) if (!finiteOrNull(zone.tempC)) return { problem: `thermal[${i}].tempC: not a finite number` };
  const implausible: { field: string; value: number }[] = [];
  const within = (field: string, v: unknown, [low, high]: readonly [number, number]): boolean => {
    if (typeof v !== 'number' || (v >= low && v <= high)) return true;
    implausible.push({ field, value: v });
    return false;
  };
  const sample = { ...value, cores, thermal } as unknown as NodeSample & Record<string, unknown>;
  if (!within('cpuPct', sample.cpuPct, PLAUSIBLE.cpuPct)) sample.cpuPct = null;
  if (!within('batteryTempC', sample.batteryTempC, PLAUSIBLE.tempC)) sample.batteryTempC = null;
  for (const [i, zone] of sample.thermal.entries()) if (!within(`thermal ${zone.zone ?? i} tempC`, zone.tempC, PLAUSIBLE.tempC)) zone.tempC = null;
  for (const [i, core] of sample.cores.entries()) {
    if (!within(`core ${core.core ?? i} cpuPct`, core.cpuPct, PLAUSIBLE.cpuPct)) core.cpuPct = null;
    if (!within(`core ${core.core ?? i} freqKHz`, core.freqKHz, PLAUSIBLE.freqKHz)) core.freqKHz = null;
  }
  sample.cpuPct ??= null;
  sample.batteryTempC ??= null;
  sample.pointId ??= null;
  for (const core of sample.cores) {
    core.cpuPct ??= null;
    core.freqKHz ??= null;
    core.maxFreqKHz ??= null;
  }
  for (const zone of sample.thermal) zone.tempC ??= null;
  sample.throttled = sample.throttled === true;
  return { sample, implausible };
}
