import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Verdict } from '../reports/model/compare-model.ts';
import { UsageError } from '../kernel/errors.ts';
import { readJson, writeJsonAtomic } from '../kernel/files.ts';
import type { RunStatus } from '../rundir/types.ts';

/**
 * The nightly history index: one entry per nightly run, oldest first, so `--baseline latest-good`
 * can find the newest run that completed without a regression, and trend charts can follow it.
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
}

export interface NightlyHistory {
  schemaVersion: 1;
  runs: NightlyEntry[];
}

export const LATEST_GOOD = 'latest-good';

export async function readHistory(path: string): Promise<NightlyHistory> {
  try {
    const history = await readJson<NightlyHistory>(path);
    if (!Array.isArray(history.runs)) throw new Error('no runs list');
    return history;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 1, runs: [] };
    throw new UsageError(`${path} is not a nightly history (${(error as Error).message}): move it away to start a new one`, { cause: error });
  }
}

export async function appendHistory(path: string, entry: NightlyEntry): Promise<NightlyHistory> {
  const history = await readHistory(path);
  history.runs.push(entry);
  await writeJsonAtomic(path, history);
  return history;
}

/** The newest complete run with no regression whose directory still exists; null on the first night. */
export async function latestGood(history: NightlyHistory): Promise<string | null> {
  for (const entry of [...history.runs].reverse()) {
    if (entry.status !== 'complete' || entry.verdict === 'regressed') continue;
    if (
      await access(entry.runDir).then(
        () => true,
        () => false,
      )
    )
      return entry.runDir;
  }
  return null;
}

/** `--baseline <runDir|latest-good>` → a run directory, or null when latest-good has none yet. */
export async function resolveBaseline(baseline: string, historyPath: string): Promise<string | null> {
  if (baseline === LATEST_GOOD) return latestGood(await readHistory(historyPath));
  const dir = resolve(baseline);
  const ok = await access(join(dir, 'manifest.json')).then(
    () => true,
    () => false,
  );
  if (!ok) throw new UsageError(`--baseline ${baseline}: not a run directory (no manifest.json); give a run directory or ${LATEST_GOOD}`);
  return dir;
}
