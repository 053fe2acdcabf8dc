/** Reads a run directory (contract: rundir/) into memory through rundir/reader.ts; raw samples become histograms. */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../../kernel/errors.ts';
import type { Manifest, NodeSample, PointResult, PointSpec } from '../../rundir/types.ts';
import type { RunEvent } from '../../rundir/events.ts';
import { pathExists } from '../../kernel/files.ts';
import { parseWith } from '../../kernel/schema.ts';
import { manifestPath, pointFilePath } from '../../rundir/layout.ts';
import { listPoints, newReadNotes, readRecords } from '../../rundir/reader.ts';
import { readK6Samples, type PointSamples } from './point-samples.ts';

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

async function readJsonFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

/** Every record of an NDJSON file; what was missing or unreadable goes to `problems`. */
async function readAll<T>(path: string, problems: string[]): Promise<T[]> {
  const notes = newReadNotes();
  const out: T[] = [];
  for await (const record of readRecords<T>(path, { notes })) out.push(record);
  if (notes.missing) problems.push(`missing ${path}`);
  if (notes.badLines > 0) problems.push(`${path}: ${notes.badLines} unreadable line(s) skipped`);
  return out;
}

export async function readRunDir(dir: string): Promise<RunInput> {
  const manifestFile = manifestPath(dir);
  if (!(await pathExists(manifestFile)))
    throw new UsageError(`${dir} is not a run directory: it has no manifest.json (give results/<runId>/ as written by \`bench run\`)`);
  const manifest = parseWith(manifestSchema, await readJsonFile(manifestFile), manifestFile) as unknown as Manifest;
  const entries = await listPoints(dir);
  const points: PointInput[] = [];
  const problems: string[] = [];
  for (const entry of entries.filter((e) => e.partial))
    problems.push(`point ${entry.id} never finished (${entry.dir} is left as it was when the run stopped) and is not in this report`);
  for (const entry of entries.filter((e) => !e.partial)) {
    const specFile = pointFilePath(entry.dir, 'spec');
    if (!(await pathExists(specFile))) continue; // a point that never started has nothing to report
    points.push(await readPoint(entry.dir, parseWith(specSchema, await readJsonFile(specFile), specFile) as unknown as PointSpec));
  }
  points.sort((a, b) => a.spec.index - b.spec.index);
  const present = new Set(entries.map((e) => e.id));
  const missing = (manifest.plannedPoints ?? []).filter((id) => !present.has(id));
  if (missing.length > 0 && manifest.status !== 'running')
    problems.push(
      `${missing.length} planned point(s) were not run (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}); the run is ${manifest.status}`,
    );
  return { dir, manifest, points, problems };
}

async function readPoint(dir: string, spec: PointSpec): Promise<PointInput> {
  const problems: string[] = [];
  const resultFile = pointFilePath(dir, 'result');
  const result = (await pathExists(resultFile)) ? ((await readJsonFile(resultFile)) as PointResult) : null;
  const samplesFile = pointFilePath(dir, 'k6Samples');
  const notes = newReadNotes();
  const samples = await readK6Samples(samplesFile, { notes });
  if (notes.missing) problems.push(`missing ${samplesFile}`);
  // A crash can cut the gzip short: every sample read before the cut is kept, and the report says so.
  if (notes.cutShort) problems.push(`${samplesFile} is cut short after ${samples.lines} line(s) (${notes.cutShort}); the point's numbers cover only those`);
  if (samples.badLines > 0) problems.push(`${samplesFile}: ${samples.badLines} line(s) were not k6 JSON`);
  const nodes = await readAll<NodeSample>(pointFilePath(dir, 'nodes'), problems);
  const events = await readAll<RunEvent>(pointFilePath(dir, 'events'), problems);
  return { dir, spec, result, samples, nodes, events, problems };
}
