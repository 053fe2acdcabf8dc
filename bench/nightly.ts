import { appendFile, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EnvironmentError, errorMessage, InterruptedError, UsageError } from '../kernel/errors.ts';
import { pathExists, readJson, writeJsonAtomic } from '../kernel/files.ts';
import { baselineComparePath, manifestPath, REPORT_FILES } from '../rundir/layout.ts';
import { readManifest } from '../rundir/reader.ts';
import type { RunStatus } from '../rundir/types.ts';
import { writeCompareReport } from '../reports/compare-report.ts';
import type { Verdict } from '../reports/model/compare-model.ts';
import { executeRun, type RunOptions } from './run.ts';

/**
 * `bench nightly`: run the nightly config, compare it with a baseline, keep a history index. The
 * index has one entry per nightly run, oldest first, so `--baseline latest-good` can find the
 * newest run that completed without a regression, and trend charts can follow it.
 */

export interface NightlyEntry {
  runId: string;
  runDir: string;
  startedAt: string;
  status: RunStatus;
  /** Against the baseline; null when there was none (the first night) or the run did not complete. */
  verdict: Verdict | null;
  baseline: string | null;
  regressedMetrics: string[];
  gitCommit: string | null;
  /** Points that failed (the run completed without them); such a run is never `latest-good`. */
  failedPoints?: string[];
}

export interface NightlyHistory {
  schemaVersion: 1;
  runs: NightlyEntry[];
}

export const LATEST_GOOD = 'latest-good';

async function readHistory(path: string): Promise<NightlyHistory> {
  try {
    const history = await readJson<NightlyHistory>(path);
    if (!Array.isArray(history.runs)) throw new Error('no runs list');
    return history;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 1, runs: [] };
    throw new UsageError(`${path} is not a nightly history (${(error as Error).message}): move it away to start a new one`, { cause: error });
  }
}

async function appendHistory(path: string, entry: NightlyEntry): Promise<NightlyHistory> {
  const history = await readHistory(path);
  history.runs.push(entry);
  await writeJsonAtomic(path, history);
  return history;
}

/** The newest complete run with no regression whose directory still exists; null on the first night. */
async function latestGood(history: NightlyHistory): Promise<string | null> {
  for (const entry of [...history.runs].reverse()) {
    if (entry.status !== 'complete' || entry.verdict === 'regressed' || (entry.failedPoints?.length ?? 0) > 0) continue;
    if (await pathExists(entry.runDir)) return entry.runDir;
  }
  return null;
}

/** `--baseline <runDir|latest-good>` → a run directory, or null when latest-good has none yet. */
async function resolveBaseline(baseline: string, historyPath: string): Promise<string | null> {
  if (baseline === LATEST_GOOD) return latestGood(await readHistory(historyPath));
  const dir = resolve(baseline);
  if (!(await pathExists(manifestPath(dir))))
    throw new UsageError(`--baseline ${baseline}: not a run directory (no manifest.json); give a run directory or ${LATEST_GOOD}`);
  return dir;
}

export interface NightlyOptions extends RunOptions {
  /** A run directory, or LATEST_GOOD. */
  baseline: string;
  /** The history index file. */
  history: string;
  /** Smallest relative change that counts as a regression, %. */
  thresholdPct: number;
  /** Where summary.md is appended too (a CI job summary); none when undefined. */
  summaryFile?: string;
}

export interface NightlyOutcome {
  entry: NightlyEntry;
  /** The comparison's report, or the run's when there was no baseline yet. */
  reportPath: string;
}

/**
 * Runs the nightly config, compares it with the baseline, appends the history entry and the summary.
 * A run that could not happen or did not complete is an EnvironmentError (exit 2), after its
 * history entry is written.
 */
export async function runNightly(options: NightlyOptions): Promise<NightlyOutcome> {
  const { logger } = options;
  const baseline = await resolveBaseline(options.baseline, options.history);
  let outcome: Awaited<ReturnType<typeof executeRun>>;
  try {
    outcome = await executeRun(options);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new EnvironmentError(`nightly: the run could not happen: ${errorMessage(error)}`, { cause: error });
  }
  const manifest = await readManifest(outcome.runDir);
  const entry: NightlyEntry = {
    runId: manifest.runId,
    runDir: outcome.runDir,
    startedAt: manifest.startedAt,
    status: outcome.status,
    verdict: null,
    baseline,
    regressedMetrics: [],
    gitCommit: manifest.gitCommit,
    ...(outcome.failedPoints.length > 0 ? { failedPoints: outcome.failedPoints } : {}),
  };
  if (outcome.status !== 'complete') {
    await appendHistory(options.history, entry);
    if (outcome.status === 'interrupted')
      throw new InterruptedError(
        `nightly: interrupted; every finished point is in ${outcome.runDir}; finish it with: npm run bench -- resume ${outcome.runDir}`,
      );
    throw new EnvironmentError(`nightly: the run ended ${outcome.status}; see ${outcome.runDir}`);
  }
  let summaryPath = join(outcome.runDir, REPORT_FILES.summaryMd);
  let reportPath = outcome.reportPath ?? outcome.runDir;
  if (baseline) {
    const compared = await writeCompareReport([baseline, outcome.runDir], { outDir: baselineComparePath(outcome.runDir), thresholdPct: options.thresholdPct });
    entry.verdict = compared.verdict;
    entry.regressedMetrics = compared.regressedMetrics;
    summaryPath = compared.summaryMdPath;
    reportPath = compared.htmlPath;
  } else logger.info(`no baseline yet (${options.baseline}): this run is the first entry of ${options.history}`);
  await appendHistory(options.history, entry);
  if (options.summaryFile) await appendFile(options.summaryFile, await readFile(summaryPath, 'utf8'));
  return { entry, reportPath };
}
