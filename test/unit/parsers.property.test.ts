// Property-based tests of every parser of user or run-directory input: whatever it is fed, it never
// throws anything but the project's own error types, and each error names the field or the line.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import fc from 'fast-check';
import { parseBenchConfig, parseConfigText } from '../../bench/config.ts';
import { createSampleStream } from '../../bench/nodes/stream.ts';
import { validateScenarioEnv } from '../../bench/scenario-env.ts';
import { parseInventory } from '../../cluster/inventory/load.ts';
import { DataError, UsageError } from '../../kernel/errors.ts';
import { K6ByteReader } from '../../reports/ingest/k6-bytes.ts';
import { emptySample, readSampleLine, TimeParser } from '../../reports/ingest/k6-line.ts';
import { readRunDir } from '../../reports/ingest/rundir.ts';
import { buildRunModel } from '../../reports/model/run-model.ts';
import { checkRunEvent } from '../../rundir/events.ts';
import { asK6Point, parseK6PointLine, parseK6Summary } from '../../rundir/k6.ts';
import { checkNodeSample } from '../../rundir/node-sample.ts';
import { newReadNotes, readRecords } from '../../rundir/reader.ts';
import { parseScenarioEnv, ScenarioEnvError } from '../../scenarios/lib/env.ts';
import { buildRunDir } from '../helpers/synthetic-run.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const RUNS = { numRuns: 300 };

/** Every line of a UsageError's message names where (the file) and then the field or line. */
function namesItsField(error: unknown, where: string): string | null {
  if (!(error instanceof UsageError)) return `not a project error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  for (const line of error.message.split('\n')) {
    if (!line.startsWith(`${where}: `)) return `a line that does not name ${where}: ${line}`;
    const rest = line.slice(where.length + 2);
    // "<field path>: message", "(root): message", "not valid YAML (line N): message", "<path>: given twice (line N)"
    if (!/^(\(root\)|not valid YAML \(line \d+\)|(?:[^\s:"[]+|\[(?:\d+|"(?:[^"\\]|\\.)*")\])+): \S/.test(rest))
      return `a line that names no field or line: ${line}`;
  }
  return null;
}

/** YAML-ish text: keys and values from the config's vocabulary and from anywhere. */
const yamlish = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('matrix', 'replicas', 'ratesRps', 'durationS', 'scenarioEnv', 'target', 'kind', 'nodes', 'ssh', 'host', '-', 'a', '"x"', '[1, 2]', '{'),
        fc.constantFrom(': ', ':', ' - ', '\n  ', '\n', ': [', ': {'),
        fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.constantFrom('null', '~', '1e999', '-1', '[]', '{}', '&a [*a]', '!!binary x')),
      ),
      { maxLength: 20 },
    )
    .map((parts) => parts.map((p) => p.join('')).join('\n')),
);

test('config: any YAML text gives a config or a UsageError whose every line names the file and the field or line', (t) => {
  fc.assert(
    fc.property(yamlish, (text) => {
      try {
        parseBenchConfig(parseConfigText(text, 'c.yml'), 'c.yml');
      } catch (error) {
        const problem = namesItsField(error, 'c.yml');
        if (problem) throw new Error(problem);
      }
    }),
    RUNS,
  );
  t.pass();
});

test('config: any JSON value (a manifest config for resume) gives a config or a UsageError naming the field', (t) => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.jsonValue(),
        fc.record({ matrix: fc.jsonValue(), durationS: fc.jsonValue(), scenarioEnv: fc.jsonValue(), target: fc.jsonValue() }, { requiredKeys: [] }),
      ),
      (value) => {
        try {
          parseBenchConfig(value, 'manifest.json config');
        } catch (error) {
          const problem = namesItsField(error, 'manifest.json config');
          if (problem) throw new Error(problem);
        }
      },
    ),
    RUNS,
  );
  t.pass();
});

test('inventory: any text gives an inventory or a UsageError naming the file and the field or line', (t) => {
  fc.assert(
    fc.property(yamlish, (text) => {
      try {
        parseInventory(text, 'inv.yml');
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        for (const line of error.message.split('\n')) if (!line.startsWith('inv.yml: ')) throw new Error(`names no file: ${line}`);
        // yaml's own messages name the line and column; schema issues name the field.
        if (/not valid YAML/.test(error.message) && !/line \d+/.test(error.message)) throw new Error(`a YAML error without a line: ${error.message}`);
        if (!/not valid YAML/.test(error.message) && namesItsField(error, 'inv.yml')) throw new Error(namesItsField(error, 'inv.yml')!);
      }
    }),
    RUNS,
  );
  t.pass();
});

const envKey = fc.oneof(
  fc.constantFrom(
    'RATE',
    'DURATION',
    'MAX_VUS',
    'PRE_ALLOCATED_VUS',
    'MIX',
    'VUS',
    'THINK_MIN',
    'THINK_MAX',
    'PROBE',
    'PROBE_INTERVAL',
    'PROBE_TIMEOUT',
    'PROBE_POLL',
    'BASE_URL',
    'PROFILE',
  ),
  fc.string({ maxLength: 10 }),
);

test('scenario env: any variables give a config or a ScenarioEnvError whose every problem names its variable', (t) => {
  fc.assert(
    fc.property(
      fc.dictionary(envKey, fc.oneof(fc.string({ maxLength: 30 }), fc.double().map(String), fc.constantFrom('', ' ', '1e999', '-1', 'browse=1,order=x'))),
      (env) => {
        try {
          parseScenarioEnv(env, ['browse', 'order', 'list']);
        } catch (error) {
          if (!(error instanceof ScenarioEnvError)) throw error;
          for (const problem of error.problems) if (!/^[A-Z_]+: /.test(problem)) throw new Error(`names no variable: ${problem}`);
        }
      },
    ),
    RUNS,
  );
  t.pass();
});

test("scenario env of a bench config (with -e): one 'scenario environment:' line per problem, each naming its variable", async (t) => {
  const config = parseBenchConfig({ matrix: { replicas: [1], ratesRps: [5] } }, 'test');
  // Each case loads the script in the engine (its init, twice): fewer runs than the pure parsers.
  await fc.assert(
    fc.asyncProperty(fc.dictionary(envKey, fc.oneof(fc.string({ maxLength: 30 }), fc.string({ minLength: 4097, maxLength: 4200 }))), async (env) => {
      try {
        await validateScenarioEnv({ ...config, scenarioEnv: env });
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        for (const line of error.message.split('\n'))
          if (!/^scenario environment: ([A-Za-z_]\w*|"(?:[^"\\]|\\.)*"): \S/.test(line)) throw new Error(`names no variable: ${line}`);
      }
    }),
    { numRuns: 60 },
  );
  t.pass();
});

/** A k6 `--out json` line, well-formed or broken in any way. */
const k6Line = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record({
      type: fc.constantFrom('Point', 'Metric', 'point', 7),
      metric: fc.oneof(fc.constantFrom('http_req_duration', 'http_reqs', 'http_req_failed', 'checks', 'iterations', 'order_fulfilled_ms'), fc.string()),
      data: fc.record(
        {
          time: fc.oneof(fc.constant('2026-11-25T09:00:00.123456789Z'), fc.string({ maxLength: 30 }), fc.integer()),
          value: fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)),
          tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer())), fc.constant(null)),
        },
        { requiredKeys: [] },
      ),
    })
    .map((r) => JSON.stringify(r)),
);

test('k6 lines: any line is read as a point, skipped or counted bad, never a throw; a Point read is a finite number', (t) => {
  const times = new TimeParser();
  fc.assert(
    fc.property(k6Line, (line) => {
      const out = emptySample();
      const outcome = readSampleLine(line, out, times);
      if (!['point', 'skip', 'bad'].includes(outcome)) throw new Error(`outcome ${outcome}`);
      const point = parseK6PointLine(line);
      if (point && !Number.isFinite(point.data.value)) throw new Error('a Point with a value that is not finite');
      try {
        asK6Point(JSON.parse(line));
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
      }
    }),
    RUNS,
  );
  t.pass();
});

test('k6 lines: the byte reader takes any bytes, cut anywhere, without a throw', (t) => {
  fc.assert(
    fc.property(fc.array(k6Line, { maxLength: 12 }), fc.uint8Array({ maxLength: 64 }), (lines, noise) => {
      let count = 0;
      const reader = new K6ByteReader(emptySample(), () => void count++);
      const bytes = Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), Buffer.from(noise), Buffer.from('\n')]);
      reader.lines(bytes);
      const nonEmpty = lines.filter((l) => l.trim() !== '' && !l.includes('\n')).length;
      if (count < nonEmpty) throw new Error(`${count} outcomes for ${nonEmpty} lines`);
    }),
    RUNS,
  );
  t.pass();
});

test('k6 summaries: any text is a summary, none, or a DataError naming the file and the field', (t) => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 80 }),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.record({ metrics: fc.jsonValue(), state: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      ),
      (text) => {
        try {
          parseK6Summary(text, 'k6-summary.json');
        } catch (error) {
          if (!(error instanceof DataError)) throw error;
          if (!/^k6-summary\.json: (not JSON|expected|metrics|state)/.test(error.message)) throw new Error(`names no field: ${error.message}`);
        }
      },
    ),
    RUNS,
  );
  t.pass();
});

test('sampler output: any bytes from a node give only well-formed node samples, never a throw', (t) => {
  const recordText = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '@@hello 1 42',
          '@@rec 1',
          '@@end 1',
          '@@rec 2',
          '@@end 2',
          't 1764000000.123456',
          't x',
          's cpu 1 2 3 4 5 6 7 8',
          's cpu0 -1 2 x',
          'l 0.5',
          'm MemTotal: 100',
          'f 0 1 1800000 2000000',
          'z thermal_zone0 45000 cpu',
          'b battery 300 Battery',
        ),
        fc.string({ maxLength: 40 }),
      ),
      { maxLength: 30 },
    )
    .map((lines) => lines.join('\n'));
  fc.assert(
    fc.property(recordText, fc.integer({ min: 1, max: 7 }), (text, cut) => {
      const samples: unknown[] = [];
      const stream = createSampleStream({ node: 'n1', onSample: (s) => samples.push(s), now: () => 1_764_000_000_000 });
      for (let i = 0; i < text.length; i += cut) stream.push(text.slice(i, i + cut));
      stream.push('\n');
      for (const sample of samples) {
        const checked = checkNodeSample(JSON.parse(JSON.stringify(sample)));
        if ('problem' in checked) throw new Error(`a malformed sample: ${checked.problem}`);
      }
    }),
    RUNS,
  );
  t.pass();
});

test('events and nodes lines: any JSON value is a record or a problem naming the field, never a throw', (t) => {
  const eventish = fc.oneof(
    fc.jsonValue(),
    fc.record(
      {
        type: fc.oneof(fc.constantFrom('load-start', 'converged', 'node-lost', 'target-down', 'error'), fc.jsonValue()),
        timeMs: fc.jsonValue(),
        convergenceMs: fc.jsonValue(),
        node: fc.jsonValue(),
      },
      { requiredKeys: [] },
    ),
  );
  const nodeish = fc.oneof(
    fc.jsonValue(),
    fc.record(
      {
        node: fc.jsonValue(),
        timeMs: fc.oneof(fc.integer(), fc.jsonValue()),
        cpuPct: fc.oneof(fc.double(), fc.jsonValue()),
        cores: fc.oneof(fc.array(fc.record({ core: fc.integer(), online: fc.boolean(), freqKHz: fc.jsonValue(), cpuPct: fc.jsonValue() })), fc.jsonValue()),
        thermal: fc.oneof(fc.array(fc.record({ zone: fc.string(), tempC: fc.oneof(fc.double(), fc.jsonValue()) })), fc.jsonValue()),
        batteryTempC: fc.jsonValue(),
      },
      { requiredKeys: [] },
    ),
  );
  fc.assert(
    fc.property(eventish, nodeish, (event, node) => {
      const e = checkRunEvent(event);
      if ('problem' in e && !/^[\w]+: |^expected /.test(e.problem)) throw new Error(`names no field: ${e.problem}`);
      const n = checkNodeSample(node);
      if ('problem' in n && !/^[\w[\].]+: |^expected /.test(n.problem)) throw new Error(`names no field: ${n.problem}`);
      if ('sample' in n) {
        const s = n.sample;
        if (s.cpuPct !== null && !(s.cpuPct >= 0 && s.cpuPct <= 100.5)) throw new Error(`implausible cpuPct kept: ${s.cpuPct}`);
      }
    }),
    RUNS,
  );
  t.pass();
});

test('a run directory of arbitrary files is read without a throw: every damaged file is a problem naming it', async (t) => {
  const root = await tempDir(t);
  let n = 0;
  const junk = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(fc.jsonValue(), { maxLength: 5 }).map((vs) => vs.map((v) => JSON.stringify(v)).join('\n')),
  );
  await fc.assert(
    fc.asyncProperty(fc.record({ manifest: junk, spec: junk, result: junk, events: junk, nodes: junk, samples: junk, gz: fc.boolean() }), async (files) => {
      const dir = await buildRunDir(root, { runId: `r${n++}`, points: [{ pointId: 'p01', replicas: { shop: 1 }, rateRps: 5, durationS: 2 }] });
      const point = join(dir, 'points', 'p01');
      await writeFile(join(dir, 'manifest.json'), files.manifest);
      await writeFile(join(point, 'spec.json'), files.spec);
      await writeFile(join(point, 'result.json'), files.result);
      await writeFile(join(point, 'events.ndjson'), files.events);
      await writeFile(join(point, 'nodes.ndjson'), files.nodes);
      await writeFile(join(point, 'k6-samples.ndjson.gz'), files.gz ? gzipSync(files.samples).subarray(0, 30) : files.samples);
      const run = await readRunDir(dir);
      buildRunModel(run);
      for (const p of run.points) for (const problem of p.problems) if (!problem.includes(point)) throw new Error(`a problem naming no file: ${problem}`);
    }),
    { numRuns: 60 },
  );
  await mkdir(join(root, 'x'), { recursive: true });
  t.pass();
});

test('records of any NDJSON text: counted bad with their line number, never a throw', async (t) => {
  const root = await tempDir(t);
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        { maxLength: 20 },
      ),
      async (lines) => {
        const path = join(root, 'e.ndjson');
        await writeFile(path, lines.join('\n'));
        const notes = newReadNotes();
        for await (const _ of readRecords(path, {
          notes,
          check: (v) => ((checkRunEvent(v) as { event?: unknown }).event ? { record: v } : { problem: 'bad' }),
        }))
          void _;
        for (const bad of notes.badLineSamples) if (!(bad.line >= 1 && bad.line <= lines.length)) throw new Error(`line ${bad.line} of ${lines.length}`);
      },
    ),
    { numRuns: 100 },
  );
  t.pass();
});
