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
