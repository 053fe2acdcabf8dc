/**
 * Reads a run directory (contract: rundir/) into memory through rundir/reader.ts; raw samples become
 * histograms. It never fails on a damaged run directory: a file, line or layout that does not match
 * the contract becomes a problem (a warning in the report, naming the file) and the report is built
 * from the rest. Only a directory with neither a manifest nor points is refused.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../../kernel/errors.ts';
import { formatIssues } from '../../kernel/schema.ts';
import { checkRunEvent, type RunEvent } from '../../rundir/events.ts';
import { type MetricFacts, metricFactsOf } from '../../rundir/k6.ts';
import { manifestPath, pointFilePath, pointsPath } from '../../rundir/layout.ts';
import { checkNodeSample } from '../../rundir/node-sample.ts';
import { checkPointResult, describeBadLines, listPoints, newReadNotes, type ReadNotes, readRecords } from '../../rundir/reader.ts';
import { checkShopSample } from '../../rundir/shop-sample.ts';
import type { Manifest, NodeSample, PointResult, PointSpec, ShopSample } from '../../rundir/types.ts';
import { applyHdrLog } from './hdr-log.ts';
import { type PointSamples, readK6Samples } from './point-samples.ts';

export interface PointInput {
  dir: string;
  spec: PointSpec;
  /** points/<id>/result.json when the harness wrote one. */
  result: PointResult | null;
  samples: PointSamples;
  nodes: NodeSample[];
  /** The shop's own metrics (shop.ndjson); empty when the target did not know its shop's state. */
  shop: ShopSample[];
  events: RunEvent[];
  /** What was missing or unreadable, for the report's warnings. */
  problems: string[];
  /** Values outside their plausible range, kept out of the numbers, for the report's warnings. */
  implausible: string[];
  /** Each metric's type, unit and better direction as the run recorded them (k6-summary.json); empty for k6 and older runs. */
  metrics: Record<string, MetricFacts>;
}

export interface RunInput {
  dir: string;
  manifest: Manifest;
  points: PointInput[];
  /** Run-level gaps: points that never finished, planned points with no folder, a damaged manifest. */
  problems: string[];
}

// Only the fields the report relies on are checked; the rest passes through as written.
const manifestSchema = z.looseObject({
  runId: z.string(),
  status: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable().optional(),
  plannedPoints: z.array(z.string()).default([]),
  cluster: z.looseObject({ nodes: z.array(z.looseObject({ name: z.string() })).default([]) }).default({ nodes: [] }),
  loadGenerator: z.looseObject({ name: z.string(), version: z.string() }).optional().catch(undefined),
  gitCommit: z.string().nullable().optional().catch(null),
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

/** A JSON file's value, or why it could not be had (missing, a folder, not JSON). */
async function readJsonFile(path: string): Promise<{ value: unknown } | { problem: string; missing?: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: `missing ${path}`, missing: true };
    return { problem: `${path} cannot be read (${code === 'EISDIR' ? 'it is a folder, not a file' : (code ?? (error as Error).message)})` };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { problem: `${path} is not valid JSON (${(error as Error).message})` };
  }
}

/** What a read of one file met, as problems naming the file. */
function describeNotes(path: string, notes: ReadNotes, problems: string[]): void {
  if (notes.missing) problems.push(`missing ${path}`);
  if (notes.unreadable) problems.push(`${path} cannot be read (${notes.unreadable === 'EISDIR' ? 'it is a folder, not a file' : notes.unreadable})`);
  if (notes.cutShort) problems.push(`${path} ends early (${notes.cutShort}); what came before is kept`);
  if (notes.badLines > 0) problems.push(`${path}: ${notes.badLines} line(s) skipped (${describeBadLines(notes)})`);
}

async function readChecked<T>(
  path: string,
  check: (value: unknown) => { record: T } | { problem: string },
  problems: string[],
  options: { optional?: boolean } = {},
): Promise<T[]> {
  const notes = newReadNotes();
  const out: T[] = [];
  for await (const record of readRecords<T>(path, { notes, check })) out.push(record);
  // An optional file (shop.ndjson: only targets that know their shop's state write it) may be missing.
  if (options.optional) notes.missing = false;
  describeNotes(path, notes, problems);
  return out;
}

/** A manifest built from the directory alone, when its own cannot be read. */
function standInManifest(dir: string): Manifest {
  return {
    schemaVersion: 0,
    toolVersion: '',
    gitCommit: null,
    commandLine: [],
    runId: basename(resolve(dir)),
    config: null,
    inventory: null,
    cluster: { nodes: [] },
    images: [],
    loadGenerator: { name: 'builtin', version: 'unknown', path: '' },
    startedAt: '',
    endedAt: null,
    status: 'unknown' as Manifest['status'],
    plannedPoints: [],
  };
}

async function readManifestOf(dir: string, problems: string[]): Promise<Manifest | null> {
  const path = manifestPath(dir);
  const read = await readJsonFile(path);
  if ('problem' in read) {
    if (!read.missing) problems.push(`${read.problem}; the run's details are unknown, its points are read all the same`);
    return read.missing ? null : standInManifest(dir);
  }
  const parsed = manifestSchema.safeParse(read.value);
  if (!parsed.success) {
    problems.push(`${formatIssues(path, parsed.error).split('\n').join('; ')}; the run's details are unknown, its points are read all the same`);
    return standInManifest(dir);
  }
  return parsed.data as unknown as Manifest;
}

export async function readRunDir(dir: string): Promise<RunInput> {
  const problems: string[] = [];
  let manifest = await readManifestOf(dir, problems);
  const hasPoints = await stat(pointsPath(dir)).then(
    () => true,
    () => false,
  );
  if (!manifest && !hasPoints)
    throw new UsageError(`${dir} is not a run directory: it has no manifest.json and no points/ (give results/<runId>/ as written by \`bench run\`)`);
  if (!manifest) {
    problems.push(`missing ${manifestPath(dir)}; the run's details are unknown, its points are read all the same`);
    manifest = standInManifest(dir);
  }
  const entries = await listPoints(dir, problems);
  const points: PointInput[] = [];
  for (const entry of entries.filter((e) => e.partial))
    problems.push(`point ${entry.id} never finished (${entry.dir} is left as it was when the run stopped) and is not in this report`);
  for (const entry of entries.filter((e) => !e.partial)) {
    const specFile = pointFilePath(entry.dir, 'spec');
    const read = await readJsonFile(specFile);
    if ('problem' in read) {
      // A point that never started has nothing to report; a damaged one is named.
      if (!read.missing) problems.push(`${read.problem}: point ${entry.id} is not in this report`);
      continue;
    }
    const spec = specSchema.safeParse(read.value);
    if (!spec.success) {
      problems.push(`${formatIssues(specFile, spec.error).split('\n').join('; ')}: point ${entry.id} is not in this report`);
      continue;
    }
    points.push(await readPoint(entry.dir, spec.data as unknown as PointSpec));
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
  const implausible: string[] = [];
  const resultFile = pointFilePath(dir, 'result');
  const read = await readJsonFile(resultFile);
  let result: PointResult | null = null;
  if ('value' in read) {
    if (checkPointResult(read.value)) result = read.value;
    else problems.push(`${resultFile} is not a point result (status, flags); the point's outcome is unknown`);
  } else if (!read.missing) problems.push(read.problem);
  const samplesFile = pointFilePath(dir, 'k6Samples');
  const notes = newReadNotes();
  const samples = await readK6Samples(samplesFile, { notes });
  if (notes.missing) problems.push(`missing ${samplesFile}`);
  if (notes.unreadable) problems.push(`${samplesFile} cannot be read (${notes.unreadable})`);
  // A crash can cut the gzip short: every sample read before the cut is kept, and the report says so.
  if (notes.cutShort) problems.push(`${samplesFile} is cut short after ${samples.lines} line(s) (${notes.cutShort}); the point's numbers cover only those`);
  if (samples.badLines > 0) problems.push(`${samplesFile}: ${samples.badLines} line(s) were not k6 JSON`);
  for (const [what, count] of samples.implausible) implausible.push(`${samplesFile}: ${count} ${what}`);
  // The engine's histogram log, when the point has one, is the percentiles' source (hdr-log.ts).
  const summary = await readJsonFile(pointFilePath(dir, 'k6Summary'));
  const metrics = 'value' in summary ? metricFactsOf(summary.value) : {};
  const logged = await applyHdrLog(pointFilePath(dir, 'hdrLog'), samples, metrics);
  if (logged.problem) problems.push(logged.problem);
  const nodesFile = pointFilePath(dir, 'nodes');
  const odd = new Map<string, { count: number; example: number }>();
  const nodes = await readChecked<NodeSample>(
    nodesFile,
    (value) => {
      const checked = checkNodeSample(value);
      if ('problem' in checked) return checked;
      for (const { field, value: v } of checked.implausible) {
        const key = `node ${checked.sample.node} ${field}`;
        const seen = odd.get(key);
        if (seen) seen.count++;
        else odd.set(key, { count: 1, example: v });
      }
      return { record: checked.sample };
    },
    problems,
  );
  for (const [key, { count, example }] of odd) implausible.push(`${nodesFile}: ${key} out of range in ${count} sample(s) (e.g. ${example}); shown as missing`);
  const shop = await readChecked<ShopSample>(pointFilePath(dir, 'shop'), checkShopSample, problems, { optional: true });
  const events = await readChecked<RunEvent>(
    pointFilePath(dir, 'events'),
    (value) => {
      const checked = checkRunEvent(value);
      return 'problem' in checked ? checked : { record: checked.event };
    },
    problems,
  );
  return { dir, spec, result, samples, nodes, shop, events, problems, implausible, metrics };
}
