/**
 * Warnings: each is a value with the fact and what to do about it (a `hint`), found from the
 * report model and the raw run input. Pure.
 */
import { hottestTempC } from '../../rundir/node-sample.ts';
import type { RunInput } from '../ingest/rundir.ts';
import { MAX_ENDPOINTS, OTHER_ENDPOINTS } from '../ingest/point-samples.ts';
import { madOutliers } from '../stats/outliers.ts';
import type { RunModel } from './run-model.ts';

export interface Warning {
  code:
    | 'thermal'
    | 'generator-saturated'
    | 'outlier'
    | 'few-repetitions'
    | 'flagged'
    | 'rate-not-reached'
    | 'throttled'
    | 'missing-data'
    | 'implausible'
    | 'too-many-endpoints';
  message: string;
  /** What to do about it. */
  hint: string;
  pointId?: string;
  node?: string;
}

export interface WarningOptions {
  /** A node above this temperature during a point is warned about, °C. Default 70. */
  thermalThresholdC?: number;
  /** Generator host CPU above this share during a point means the load itself is suspect, %. Default 80. */
  generatorCpuPct?: number;
  /** Fewer repetitions than this per configuration gives no usable spread. Default 3. */
  minRepetitions?: number;
  /** Achieved rate below this share of the target is warned about. Default 0.95. */
  minAchievedShare?: number;
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);

export function findWarnings(model: RunModel, run: RunInput, options: WarningOptions = {}): Warning[] {
  const thermalC = options.thermalThresholdC ?? 70;
  const generatorPct = options.generatorCpuPct ?? 80;
  const minReps = options.minRepetitions ?? 3;
  const minShare = options.minAchievedShare ?? 0.95;
  const warnings: Warning[] = [];
  // The local host runs the load generator in the embedded default; a node named like a generator
  // is one too when the load comes from elsewhere.
  const generators = new Set(model.nodes.filter((n) => n.role === 'local' || /generator|harness/i.test(n.name)).map((n) => n.name));

  for (const point of run.points) {
    const id = point.spec.pointId;
    const byNode = new Map<string, { maxTempC: number; cpu: number[]; throttled: number }>();
    for (const sample of point.nodes) {
      let node = byNode.get(sample.node);
      if (!node) {
        node = { maxTempC: Number.NEGATIVE_INFINITY, cpu: [], throttled: 0 };
        byNode.set(sample.node, node);
      }
      const tempC = hottestTempC(sample);
      if (tempC !== null && tempC > node.maxTempC) node.maxTempC = tempC;
      if (sample.cpuPct !== null) node.cpu.push(sample.cpuPct);
      if (sample.throttled) node.throttled++;
    }
    for (const [name, node] of byNode) {
      if (node.maxTempC > thermalC)
        warnings.push({
          code: 'thermal',
          pointId: id,
          node: name,
          message: `node ${name} reached ${fmt(node.maxTempC)} °C during point ${id} (threshold ${thermalC} °C)`,
          hint: 'raise the cooldown gate or lengthen the cooldown timeout, and check the node has airflow; its results may reflect heat, not the configuration',
        });
      if (node.throttled > 0)
        warnings.push({
          code: 'throttled',
          pointId: id,
          node: name,
          message: `node ${name} ran below its maximum CPU frequency in ${node.throttled} sample(s) of point ${id}`,
          hint: 'treat this point as throttled: cool the node down and rerun it, or compare only points with equal throttling',
        });
      const meanCpu = node.cpu.length > 0 ? node.cpu.reduce((a, b) => a + b, 0) / node.cpu.length : 0;
      if (generators.has(name) && meanCpu > generatorPct)
        warnings.push({
          code: 'generator-saturated',
          pointId: id,
          node: name,
          message: `load generator host ${name} averaged ${fmt(meanCpu)} % CPU during point ${id} (over ${generatorPct} %)`,
          hint: 'the generator may be the bottleneck: lower the rate, move the generator off the system under test, or split the load over several generators',
        });
    }
    for (const lost of point.events.filter((e) => e.type === 'node-lost'))
      warnings.push({
        code: 'flagged',
        pointId: id,
        node: typeof lost.node === 'string' ? lost.node : undefined,
        message: `a node was lost during point ${id}${typeof lost.node === 'string' ? ` (${lost.node})` : ''}`,
        hint: 'the swarm rescheduled tasks mid-measurement: rerun the point once the node is back',
      });
    for (const flag of point.result?.flags ?? [])
      warnings.push({
        code: 'flagged',
        pointId: id,
        message: `point ${id} was flagged by the harness: ${flag.code}: ${flag.message}`,
        hint: "read the point's events.ndjson; rerun the point if the flag means its conditions were not met",
      });
    if (point.result && point.result.status !== 'complete')
      warnings.push({
        code: 'flagged',
        pointId: id,
        message: `point ${id} is ${point.result.status}`,
        hint: 'its numbers cover only part of the window: rerun it with `bench resume`',
      });
    if (point.samples.endpointsMerged.size > 0)
      warnings.push({
        code: 'too-many-endpoints',
        pointId: id,
        message: `point ${id} has more than ${MAX_ENDPOINTS} endpoint names; ${point.samples.endpointsMerged.size}${point.samples.endpointsMerged.size >= MAX_ENDPOINTS ? '+' : ''} more (e.g. ${[...point.samples.endpointsMerged].slice(0, 2).join(', ')}) are merged into "${OTHER_ENDPOINTS}"`,
        hint: 'give every request a fixed `name` tag in the scenario (k6 names a request by its URL otherwise)',
      });
    for (const problem of point.problems)
      warnings.push({ code: 'missing-data', pointId: id, message: problem, hint: "the point's numbers may be incomplete; rerun the point if it matters" });
    for (const value of point.implausible)
      warnings.push({
        code: 'implausible',
        pointId: id,
        message: `implausible values left out of point ${id}: ${value}`,
        hint: 'the file is damaged or was written by a broken generator or sampler; rerun the point if its numbers matter',
      });
  }

  for (const problem of run.problems)
    warnings.push({ code: 'missing-data', message: problem, hint: 'finish the run with `bench resume`, or rerun it; the report covers only finished points' });

  for (const row of model.points) {
    if (row.targetRps > 0 && row.achievedRps < row.targetRps * minShare)
      warnings.push({
        code: 'rate-not-reached',
        pointId: row.pointId,
        message: `point ${row.pointId} achieved ${fmt(row.achievedRps)}/s of a ${row.targetRps}/s target${row.droppedIterations > 0 ? ` (${row.droppedIterations} dropped iterations)` : ''}`,
        hint: 'give the generator more VUs (preAllocatedVUs/maxVUs) or a faster host; the system may also be saturated, which the latency columns show',
      });
  }

  const fewReps = model.groups.filter((g) => g.pointIds.length < minReps);
  if (fewReps.length > 0)
    warnings.push({
      code: 'few-repetitions',
      message: `${fewReps.length} of ${model.groups.length} configuration(s) ran fewer than ${minReps} repetitions, so their confidence intervals are missing or wide`,
      hint: `set repetitions to ${minReps} or more in the bench config`,
    });

  for (const group of model.groups) {
    const values = group.p95Ms.values;
    for (const index of madOutliers(values)) {
      const id = group.pointIds[index]!;
      warnings.push({
        code: 'outlier',
        pointId: id,
        message: `point ${id} is an outlier among the repetitions of ${group.configLabel}: p95 ${fmt(values[index]!)} ms against a median of ${fmt(group.p95Ms.median ?? 0)} ms (MAD)`,
        hint: 'look at the node time series for heat, throttling or a background job during that point, and rerun it',
      });
    }
  }
  return warnings;
}
