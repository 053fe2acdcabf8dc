/** Reads a run directory (contract: rundir/types.ts) into memory; raw samples become histograms. */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../../kernel/errors.ts';
import type { Manifest, NodeSample, PointResult, PointSpec, RunEvent } from '../../rundir/types.ts';
import { parseWith } from '../../kernel/schema.ts';
import { emptyPointSamples, readK6Samples, type PointSamples } from './point-samples.ts';

export interface PointInput {
  dir: string;
  spec: PointSpec;
  /** points/<id>/result.json when the harness wrote one. */
  result: PointResult | null;
  samples: PointSamples;
  nodes: NodeSample[];
  events: RunEvent[];
  /** What was missing or unreadable, for the report's warnings. */
  problems: string[];
}

export interface RunInput {
  dir: string;
  manifest: Manifest;
  points: PointInput[];
  /** Run-level gaps: points that never finished, planned points with no folder. */
  problems: string[];
}

/** A point folder while its point runs; it keeps this name if the run died during the point. */
export const PARTIAL_SUFFIX = '.partial';

// Only the fields the report relies on are checked; the rest passes through as written.
const manifestSchema = z.looseObject({
  runId: z.string(),
  status: z.string(),
  startedAt: z.string(),
  plannedPoints: z.array(z.string()).default([]),
  cluster: z.looseObject({ nodes: z.array(z.looseObject({ name: z.string() })).default([]) }).default({ nodes: [] }),
});

const specSchema = z.looseObject({
  pointId: z.string(),
  index: z.number(),
  replicas: z.record(z.string(), z.number()),
  rateRps: z.number(),
  durationS: z.number(),
  repetition: z.number().default(0),
  scenario: z.string().default(''),
  profile: z.string().default(''),
});

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

/** NDJSON lines; a line that does not parse is counted, not fatal (a crash can cut the last line). */
async function readNdjson<T>(path: string, problems: string[]): Promise<T[]> {
  if (!(await exists(path))) {
    problems.push(`missing ${path}`);
    return [];
  }
  const out: T[] = [];
  let bad = 0;
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      bad++;
    }
  }
  if (bad > 0) problems.push(`${path}: ${bad} unreadable line(s) skipped`);
  return out;
}

export async function readRunDir(dir: string): Promise<RunInput> {
  const manifestPath = join(dir, 'manifest.json');
  if (!(await exists(manifestPath)))
    throw new UsageError(`${dir} is not a run directory: it has no manifest.json (give results/<runId>/ as written by \`bench run\`)`);
  const manifest = parseWith(manifestSchema, await readJson(manifestPath), manifestPath) as unknown as Manifest;
  const pointsDir = join(dir, 'points');
  const ids = (await exists(pointsDir)) ? (await readdir(pointsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  const points: PointInput[] = [];
  const problems: string[] = [];
  for (const id of ids.filter((name) => name.endsWith(PARTIAL_SUFFIX)))
    problems.push(
      `point ${id.slice(0, -PARTIAL_SUFFIX.length)} never finished (${join(pointsDir, id)} is left as it was when the run stopped) and is not in this report`,
    );
  for (const id of ids.filter((name) => !name.endsWith(PARTIAL_SUFFIX))) {
    const pointDir = join(pointsDir, id);
    const specPath = join(pointDir, 'spec.json');
    if (!(await exists(specPath))) continue; // a point that never started has nothing to report
    points.push(await readPoint(pointDir, parseWith(specSchema, await readJson(specPath), specPath) as unknown as PointSpec));
  }
  points.sort((a, b) => a.spec.index - b.spec.index);
  const present = new Set(ids.map((id) => (id.endsWith(PARTIAL_SUFFIX) ? id.slice(0, -PARTIAL_SUFFIX.length) : id)));
  const missing = (manifest.plannedPoints ?? []).filter((id) => !present.has(id));
  if (missing.length > 0 && manifest.status !== 'running')
    problems.push(
      `${missing.length} planned point(s) were not run (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}); the run is ${manifest.status}`,
    );
  return { dir, manifest, points, problems };
}

async function readPoint(dir: string, spec: PointSpec): Promise<PointInput> {
  const problems: string[] = [];
  const resultPath = join(dir, 'result.json');
  const result = (await exists(resultPath)) ? ((await readJson(resultPath)) as PointResult) : null;
  const samplesPath = join(dir, 'k6-samples.ndjson.gz');
  const samples = emptyPointSamples();
  if (await exists(samplesPath)) {
    try {
      await readK6Samples(samplesPath, { into: samples });
    } catch (error) {
      // A crash can cut the gzip short: keep every sample read before the cut, and say so.
      problems.push(`${samplesPath} is cut short after ${samples.lines} line(s) (${(error as Error).message}); the point's numbers cover only those`);
    }
  } else problems.push(`missing ${samplesPath}`);
  if (samples.badLines > 0) problems.push(`${samplesPath}: ${samples.badLines} line(s) were not k6 JSON`);
  const nodes = await readNdjson<NodeSample>(join(dir, 'nodes.ndjson'), problems);
  const events = await readNdjson<RunEvent>(join(dir, 'events.ndjson'), problems);
  return { dir, spec, result, samples, nodes, events, problems };
}
