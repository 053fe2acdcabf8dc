/**
 * `npm run perf -- ingest`: how fast raw k6 samples (`--out json`, gzip) become histograms, how much
 * memory that takes as the sample count grows, and how close the histogram's p99 is to the exact one.
 * A benchmark that prints numbers, not a timed test.
 *
 * Input files are generated once into .cache/perf-ingest/ (deterministic; reused on later runs):
 * the lines k6 writes for one request per iteration (http_reqs, http_req_duration and the other six
 * http_req_* trends, http_req_failed, checks, data_sent, data_received, iteration_duration,
 * iterations), 14 lines an iteration. Each measurement runs in a child process so its peak RSS is its
 * own. The baseline, measured in the same run on the same file, is the obvious reader: JSON.parse
 * on every line.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import { Command, Option } from 'commander';
import { intArg, listArg } from '../kernel/args.ts';
import { readK6Samples } from '../reports/ingest/point-samples.ts';
import { normalFrom, seededRandom } from '../kernel/random.ts';

const FORMAT_VERSION = 2;
const LINES_PER_ITERATION = 14;

interface Measurement {
  mode: 'ingest' | 'json-parse' | 'gunzip' | 'idle';
  lines: number;
  wallMs: number;
  cpuMs: number;
  maxRssMB: number;
  /** V8 heap still in use after a full GC at the end: what the ingest keeps, not what it churned. */
  retainedMB: number;
  p99Ms: number | null;
  durations: number;
}

interface FileMeta {
  version: number;
  lines: number;
  durations: number;
  exactP99Ms: number;
  bytes: number;
}

export interface IngestOptions {
  /** Samples in the largest input; default 10 000 000. */
  samples: number;
  /** Input sizes to measure, ascending; default 1 000 000, 3 000 000 and `samples` (those ≤ samples). */
  steps?: number[];
  /** Where the generated inputs are cached; default .cache/perf-ingest. */
  dir: string;
}

/** `perf ingest` */
export function ingestCommand(): Command {
  const count = intArg(LINES_PER_ITERATION);
  return new Command('ingest')
    .description('raw k6 samples → histograms: samples per second on one core, memory as the count grows, p99 error against the exact p99')
    .addOption(new Option('--samples <n>', 'samples in the largest input').argParser(count).default(10_000_000))
    .addOption(new Option('--steps <n,n,...>', 'input sizes to measure (default 1000000,3000000,<samples>)').argParser(listArg(count)))
    .addOption(new Option('--dir <path>', 'where generated inputs are cached').default(join('.cache', 'perf-ingest')))
    .action((options: IngestOptions) => perfIngest(options));
}

/** Writes `lines` k6 lines (gzip level 1) and returns the exact nearest-rank p99 of http_req_duration. */
async function generate(path: string, lines: number): Promise<FileMeta> {
  const iterations = Math.ceil(lines / LINES_PER_ITERATION);
  const durations = new Float64Array(iterations);
  const random = seededRandom(42);
  const gzip = createGzip({ level: 1 });
  const out = createWriteStream(`${path}.tmp`);
  gzip.pipe(out);
  const tags =
    '"expected_response":"true","group":"","method":"GET","name":"item-types","proto":"HTTP/1.1","scenario":"default","status":"200","url":"http://127.0.0.1:8080/v1/api/item-types","run":"perf","point":"p0"';
  const iterTags = '"group":"","scenario":"default","run":"perf","point":"p0"';
  const startMs = Date.UTC(2026, 10, 25, 9, 0, 0);
  // Current k6's layout (metric first); k6-bytes.ts reads the older and the built-in one as fast.
  const line = (metric: string, time: string, value: number | string, t: string) =>
    `{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${value},"tags":{${t}}}}\n`;
  let written = 0;
  let chunk = '';
  for (let i = 0; i < iterations && written < lines; i++) {
    const timeMs = startMs + i * 0.1; // 10 000 iterations a second
    const whole = Math.floor(timeMs);
    const time = `${new Date(whole).toISOString().slice(0, 23)}${String(Math.round((timeMs - whole) * 1e6)).padStart(6, '0')}Z`;
    const duration = Number((20 * Math.exp(0.6 * normalFrom(random))).toFixed(6));
    durations[i] = duration;
    const parts = [
      line('http_reqs', time, 1, tags),
      line('http_req_duration', time, duration, tags),
      line('http_req_blocked', time, 0.004, tags),
      line('http_req_connecting', time, 0, tags),
      line('http_req_tls_handshaking', time, 0, tags),
      line('http_req_sending', time, 0.021, tags),
      line('http_req_waiting', time, (duration * 0.95).toFixed(6), tags),
      line('http_req_receiving', time, (duration * 0.04).toFixed(6), tags),
      line('http_req_failed', time, 0, tags),
      line('checks', time, 1, `"check":"status is 200",${iterTags}`),
      line('data_sent', time, 96, iterTags),
      line('data_received', time, 1024, iterTags),
      line('iteration_duration', time, (duration * 1.02).toFixed(6), iterTags),
      line('iterations', time, 1, iterTags),
    ];
    for (const part of parts.slice(0, lines - written)) chunk += part;
    written += Math.min(parts.length, lines - written);
    if (chunk.length > 1 << 20) {
      if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
      chunk = '';
    }
  }
  gzip.end(chunk);
  await new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  await rename(`${path}.tmp`, path);
  // A line budget that ends mid-iteration may cut the last duration line; count only those written.
  const written_durations = Math.floor(lines / LINES_PER_ITERATION) + (lines % LINES_PER_ITERATION >= 2 ? 1 : 0);
  const sorted = durations.subarray(0, written_durations).sort();
  const exactP99Ms = sorted[Math.ceil(0.99 * sorted.length) - 1]!;
  return { version: FORMAT_VERSION, lines, durations: sorted.length, exactP99Ms, bytes: (await stat(path)).size };
}

async function inputFile(dir: string, lines: number, log: (m: string) => void): Promise<{ path: string; meta: FileMeta }> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `k6-samples-${lines}.ndjson.gz`);
  const metaPath = `${path}.json`;
  try {
    const meta = JSON.parse(await readFile(metaPath, 'utf8')) as FileMeta;
    if (meta.version === FORMAT_VERSION && (await stat(path)).size === meta.bytes) return { path, meta };
  } catch {
    // not there yet, or from an older format: generate
  }
  log(`generating ${lines.toLocaleString('en')} samples into ${path} (once; reused next time)`);
  const meta = await generate(path, lines);
  await writeFile(metaPath, JSON.stringify(meta));
  return { path, meta };
}

/** Child side: one measurement, printed as JSON on stdout. */
async function measure(mode: Measurement['mode'], path: string): Promise<Measurement> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let lines = 0;
  let p99Ms: number | null = null;
  let durations = 0;
  if (mode === 'idle') {
    // The runtime alone (node, tsx, the loaded modules): what peak memory is measured against.
  } else if (mode === 'ingest') {
    const totals = await readK6Samples(path);
    lines = totals.lines;
    p99Ms = totals.latency.quantile(0.99);
    durations = totals.latency.count;
  } else if (mode === 'gunzip') {
    // The floor: decompress and find the newlines, nothing else.
    const stream = createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }));
    for await (const chunk of stream as AsyncIterable<Buffer>) for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
  } else {
    const stream = createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }));
    stream.setEncoding('utf8');
    let rest = '';
    for await (const text of stream as AsyncIterable<string>) {
      const data = rest + text;
      let start = 0;
      for (let end = data.indexOf('\n'); end >= 0; end = data.indexOf('\n', start)) {
        const record = JSON.parse(data.slice(start, end)) as { metric: string; data: { value: number } };
        if (record.metric === 'http_req_duration') durations++;
        lines++;
        start = end + 1;
      }
      rest = data.slice(start);
    }
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  (globalThis as { gc?: () => void }).gc?.();
  const retainedMB = process.memoryUsage().heapUsed / 1024 / 1024;
  return { mode, lines, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, retainedMB, p99Ms, durations };
}

function runChild(mode: Measurement['mode'], path: string): Promise<Measurement> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', mode, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Measurement) : reject(new Error(`perf ingest child (${mode}) exited ${code}`))));
  });
}

const mps = (lines: number, ms: number) => (lines / ms / 1000).toFixed(2);

/** Runs the benchmark; prints the figures on stdout. */
export async function perfIngest(options: IngestOptions): Promise<void> {
  const steps = options.steps ?? [...new Set([1_000_000, 3_000_000, options.samples].filter((n) => n <= options.samples))].sort((a, b) => a - b);
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const rows: string[] = [];
  let largest: { m: Measurement; meta: FileMeta } | null = null;
  let smallestPath = '';
  for (const lines of steps) {
    const { path, meta } = await inputFile(options.dir, lines, log);
    if (!smallestPath) smallestPath = path;
    log(`ingesting ${lines.toLocaleString('en')} samples`);
    const m = await runChild('ingest', path);
    const p99Error = m.p99Ms === null ? Number.NaN : (Math.abs(m.p99Ms - meta.exactP99Ms) / meta.exactP99Ms) * 100;
    rows.push(
      `${String(lines.toLocaleString('en')).padStart(12)}  ${mps(m.lines, m.wallMs).padStart(8)}  ${mps(m.lines, m.cpuMs).padStart(8)}  ${m.maxRssMB.toFixed(0).padStart(8)}  ${m.retainedMB.toFixed(1).padStart(7)}  ${(m.p99Ms ?? 0).toFixed(3).padStart(9)}  ${meta.exactP99Ms.toFixed(3).padStart(9)}  ${p99Error.toFixed(3).padStart(7)}`,
    );
    largest = { m, meta };
  }
  log('baseline: JSON.parse on every line, and gunzip alone, on the smallest file');
  const baseline = await runChild('json-parse', smallestPath);
  const gunzip = await runChild('gunzip', smallestPath);
  const small = await runChild('ingest', smallestPath);
  const idle = await runChild('idle', smallestPath);
  const out = [
    'perf ingest: raw k6 samples (--out json, gzip) → histograms',
    '',
    '     samples  M/s wall  M/s CPU  peak MB  kept MB   p99 hist  p99 exact  err %',
    ...rows,
    '',
    `baseline on ${baseline.lines.toLocaleString('en')} samples: JSON.parse every line ${mps(baseline.lines, baseline.wallMs)} M/s wall (${mps(baseline.lines, baseline.cpuMs)} M/s CPU), gunzip alone ${mps(gunzip.lines, gunzip.wallMs)} M/s`,
    `ratio ingest / JSON.parse baseline (same file, same run): ${(baseline.wallMs / small.wallMs).toFixed(2)}× wall, ${(baseline.cpuMs / small.cpuMs).toFixed(2)}× CPU`,
  ];
  if (largest) {
    const { m, meta } = largest;
    out.push(
      `largest run: ${m.lines.toLocaleString('en')} samples (${m.durations.toLocaleString('en')} http_req_duration) in ${(m.wallMs / 1000).toFixed(2)} s wall, ${(m.cpuMs / 1000).toFixed(2)} s CPU; peak memory ${m.maxRssMB.toFixed(0)} MB RSS (the idle runtime alone: ${idle.maxRssMB.toFixed(0)} MB), heap kept after GC ${m.retainedMB.toFixed(1)} MB (idle ${idle.retainedMB.toFixed(1)} MB); p99 ${m.p99Ms?.toFixed(3)} ms vs exact ${meta.exactP99Ms.toFixed(3)} ms`,
      `M/s CPU counts every thread of the process (gunzip runs on libuv's pool), so it is the rate per core-second.`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--child') {
    const result = await measure(process.argv[3] as Measurement['mode'], process.argv[4]!);
    process.stdout.write(JSON.stringify(result));
  }
}
