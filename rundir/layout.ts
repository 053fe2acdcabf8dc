import { join } from 'node:path';

/**
 * Every file and folder name of the run-directory contract, and the paths built from them. Nothing
 * else in the project spells these names: writers, readers, reports and tests all come here.
 *
 * results/                           RESULTS_DIR (bench run --results)
 *   nightly-history.json             NIGHTLY_HISTORY, bench nightly's index of its runs
 *   <runId>/
 *     manifest.json                  Manifest
 *     writer.lock                    LOCK: pid, host and start time of the one process writing it (run, resume)
 *     .space-reserve                 RESERVE: space kept free for the last writes if the disk fills
 *     points/<pointId>/              one folder a point; `<pointId>.partial/` while it runs
 *       spec.json  result.json  k6-summary.json  k6-samples.ndjson.gz  nodes.ndjson  events.ndjson  load.log
 *       shop.ndjson                  the shop's own metrics (queues, orders), when the target knows where its state lives
 *       generators/<name>/           each generator's share when several ran the point
 *     attempts/<pointId>-<time>/     earlier tries that `bench resume` ran again
 *     report.html  charts/*.png  summary.md  summary.json  junit.xml
 *     compare-<baseline runId>/      bench compare's files (compare-baseline/ for bench nightly)
 */

export const RESULTS_DIR = 'results';
export const NIGHTLY_HISTORY = 'nightly-history.json';

export const MANIFEST = 'manifest.json';
/** Held by the one process writing the run directory (rundir/lock.ts). */
export const LOCK = 'writer.lock';
/** A few hundred KiB the writer frees to record a failure when the disk fills (rundir/writer.ts). */
export const RESERVE = '.space-reserve';
export const POINTS_DIR = 'points';
export const ATTEMPTS_DIR = 'attempts';
/** A point still running (or cut short by a crash) lives here; the rename on completion is the commit. */
export const PARTIAL_SUFFIX = '.partial';

/** The files of one point folder (and of each generator's part of it). */
export const POINT_FILES = {
  spec: 'spec.json',
  result: 'result.json',
  k6Summary: 'k6-summary.json',
  k6Samples: 'k6-samples.ndjson.gz',
  /** The engine's HdrHistogram interval log of every trend (absent when k6 or the old built-in generator ran). */
  hdrLog: 'k6-trends.hlog',
  nodes: 'nodes.ndjson',
  events: 'events.ndjson',
  /** ShopSample, one a second: queue depths and order counts (bench/state/sampler.ts). */
  shop: 'shop.ndjson',
  loadLog: 'load.log',
} as const;
export type PointFile = keyof typeof POINT_FILES;

/** What a report writes into its output folder (a run directory, or a compare folder). */
export const REPORT_FILES = {
  html: 'report.html',
  summaryMd: 'summary.md',
  summaryJson: 'summary.json',
  junit: 'junit.xml',
} as const;
export const CHARTS_DIR = 'charts';

export const manifestPath = (runDir: string): string => join(runDir, MANIFEST);
export const lockPath = (runDir: string): string => join(runDir, LOCK);
export const reservePath = (runDir: string): string => join(runDir, RESERVE);
export const pointsPath = (runDir: string): string => join(runDir, POINTS_DIR);
export const pointPath = (runDir: string, pointId: string, partial = false): string => join(runDir, POINTS_DIR, partial ? pointId + PARTIAL_SUFFIX : pointId);
export const pointFilePath = (pointDir: string, file: PointFile): string => join(pointDir, POINT_FILES[file]);
export const generatorPath = (pointDir: string, generator: string): string => join(pointDir, 'generators', generator);
export const attemptPath = (runDir: string, pointId: string, timeMs: number): string => join(runDir, ATTEMPTS_DIR, `${pointId}-${timeMs}`);
/** bench compare's default output folder, in the last run compared. */
export const comparePath = (runDir: string, baselineRunId: string): string => join(runDir, `compare-${baselineRunId}`);
/** bench nightly's comparison with its baseline. */
export const baselineComparePath = (runDir: string): string => join(runDir, 'compare-baseline');
