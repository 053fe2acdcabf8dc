// The script side: blocking-call detection, declared variables, output encoders, the text summary.
import test from 'ava';
import { blockingInCode } from '../../../engine/script/blocking.ts';
import { parseEnvSpec, validateEnv } from '../../../engine/script/env-spec.ts';
import { ConfigError } from '../../../engine/errors.ts';
import { Registry } from '../../../engine/metrics/registry.ts';
import { JsonLinesEncoder } from '../../../engine/output/json-lines.ts';
import { InfluxLinesEncoder } from '../../../engine/output/influx-lines.ts';
import { bytes, duration } from '../../../engine/output/summary-text.ts';
import { parseSeriesTag, seriesTag } from '../../../engine/output/hdr-log.ts';

test('blocking calls are found through aliases, namespaces and passed-around modules, not in strings', (t) => {
  t.deepEqual(blockingInCode('import http from "k6/http";\nexport default async function(){ await http.asyncRequest("GET", "http://x"); }'), []);
  t.deepEqual(blockingInCode('import http from "k6/http";\nexport default function(){ http.get("http://x"); }'), ['http.get']);
  t.deepEqual(blockingInCode('import { check, sleep as nap } from "k6";\nexport default function(){ nap(1); check(1, {}); }'), ['sleep']);
  t.deepEqual(blockingInCode('import { sleep as nap } from "k6";\nexport default function(){ rt.nap(1); }'), []);
  t.deepEqual(blockingInCode('import * as http from "k6/http";\nexport default function(){ http.default.batch([]); }'), ['http.batch']);
  t.deepEqual(blockingInCode('import http from "k6/http";\nconst h = http;\n'), ['k6/http (passed around as a value)']);
  t.deepEqual(blockingInCode('import http from "k6/http";\nconst u = "http://x" + `http://y`;\nhttp.asyncRequest("GET", u);'), []);
  t.deepEqual(blockingInCode('const http = require("k6/http");'), ['require("k6…")']);
});

test('declared variables: the declaration is checked, then every -e value', (t) => {
  const spec = parseEnvSpec({ RATE: { type: 'number', min: 1 }, ON: { type: 'boolean' }, D: { type: 'duration' }, NAME: { pattern: '[a-z]+' } });
  if (!spec) throw new Error('spec');
  t.deepEqual(validateEnv(spec, { RATE: '2', ON: 'yes', D: '1m30s', NAME: 'abc' }), []);
  t.deepEqual(validateEnv(spec, { RATE: 'x', ON: 'maybe', D: '5 minutes', NAME: 'ABC', OTHER: '1' }), [
    '-e RATE: expected a number, got "x"',
    '-e ON: expected true or false (or 1/0, yes/no, on/off), got "maybe"',
    '-e D: expected a duration such as 30s, 2m or 1h30m, got "5 minutes"',
    '-e NAME: expected a value matching [a-z]+, got "ABC"',
    '-e OTHER: the script does not read this variable (it declares RATE, ON, D, NAME)',
  ]);
  const error = t.throws(() => parseEnvSpec({ A: { type: 'float' }, B: { type: 'enum' }, C: { type: 'integer', default: 1.5 } }), {
    instanceOf: ConfigError,
  }) as ConfigError;
  t.deepEqual(error.problems, [
    'env.A.type: expected one of string, number, integer, boolean, duration, url, enum, got "float"',
    'env.B.values: an enum needs a list of strings',
    'env.C.default: expected a whole number, got "1.5"',
  ]);
  t.is(parseEnvSpec(undefined), null);
});

/** A registry writing to both raw-sample encoders, with k6's http_req_duration defined. */
function durationsEncoded() {
  const registry = new Registry();
  const json = new JsonLinesEncoder();
  const influx = new InfluxLinesEncoder();
  registry.encoders.push(json, influx);
  const m = registry.define({ name: 'http_req_duration', type: 'trend', contains: 'time', better: 'lower' });
  return { registry, json, influx, m };
}

test("raw samples in k6's JSON lines and in InfluxDB line protocol", (t) => {
  const { registry, json, influx, m } = durationsEncoded();
  const tags = registry.tags.intern({ url: 'http://x/a b', name: 'a,b', status: '200', vu: '3' });
  registry.record(m, tags, 1.25, Date.UTC(2024, 0, 2, 3, 4, 5, 6) + 0.789);
  const batch = json.take();
  t.deepEqual(batch?.declared, [
    '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":"http_req_duration"}\n',
  ]);
  t.deepEqual(JSON.parse(Buffer.from(batch?.bytes ?? []).toString()), {
    metric: 'http_req_duration',
    type: 'Point',
    data: { time: '2024-01-02T03:04:05.006789Z', value: 1.25, tags: { name: 'a,b', status: '200', url: 'http://x/a b', vu: '3' } },
  });
  const line = influx.take()?.text ?? '';
  t.regex(line, /^http_req_duration,name=a\\,b,status=200 value=1\.25,url="http:\/\/x\/a b",vu=3i 1704164645006789\d{3}\n$/);
});

test('a written batch buffer handed back holds a later batch (no new buffer per batch), with the same bytes', (t) => {
  const registry = new Registry();
  const json = new JsonLinesEncoder();
  registry.encoders.push(json);
  const m = registry.define({ name: 'iterations', type: 'counter', contains: 'default', better: 'higher' });
  const tags = registry.tags.intern({ scenario: 'a' });
  const lines = (b: Uint8Array | undefined) =>
    Buffer.from(b ?? [])
      .toString()
      .split('\n')
      .filter(Boolean);
  registry.record(m, tags, 1, Date.UTC(2024, 0, 1));
  const first = json.take()?.bytes;
  if (!first) throw new Error('no batch');
  t.is(lines(first).length, 1);
  json.recycle(first.buffer as ArrayBuffer);
  // The next batch is being written into a fresh buffer already; the one after takes the recycled one.
  registry.record(m, tags, 2, Date.UTC(2024, 0, 1, 0, 0, 1));
  const second = json.take()?.bytes;
  registry.record(m, tags, 3, Date.UTC(2024, 0, 1, 0, 0, 2));
  registry.record(m, tags, 4, Date.UTC(2024, 0, 1, 0, 0, 3));
  const third = json.take()?.bytes;
  t.not(second?.buffer, first.buffer);
  t.is(third?.buffer, first.buffer);
  t.deepEqual(
    lines(third).map((l) => JSON.parse(l).data.value),
    [3, 4],
  );
  // A buffer too small for the batch is passed over, and only four are kept, the biggest.
  for (const size of [8, 16, 32, 64, 1 << 20]) json.recycle(new ArrayBuffer(size));
  registry.record(m, tags, 5, Date.UTC(2024, 0, 1, 0, 0, 4));
  t.is(json.take()?.bytes.buffer.byteLength, 64 * 1024); // chosen before the recycling
  registry.record(m, tags, 6, Date.UTC(2024, 0, 1, 0, 0, 5));
  t.is(json.take()?.bytes.buffer.byteLength, 1 << 20);
});

test('k6 formats: durations, bytes; histogram log tags survive commas and spaces', (t) => {
  t.is(duration(0), '0s');
  t.is(duration(0.007), '7µs');
  t.is(duration(144.561), '144.56ms');
  t.is(duration(1350), '1.35s');
  t.is(duration(62_500), '1m2.5s');
  t.is(bytes(81_000), '81 kB');
  t.is(bytes(1_300_000), '1.3 MB');
  const tag = seriesTag('http_req_duration', { name: 'a, b', url: 'http://x/?q=1&r=2' });
  t.false(/[, ]/.test(tag));
  t.deepEqual(parseSeriesTag(tag), { metric: 'http_req_duration', tags: { name: 'a, b', url: 'http://x/?q=1&r=2' }, negative: false });
});

test("the warm-up's samples are discarded: not reported, not counted, not written; its metric declarations stay", (t) => {
  const { registry, json, influx, m } = durationsEncoded();
  const warm = registry.tags.intern({ scenario: 'warm-up' });
  const test_ = registry.tags.intern({ scenario: 'default' });
  registry.record(m, warm, 7, Date.UTC(2024, 0, 1));
  registry.record(m, test_, 9, Date.UTC(2024, 0, 1));
  registry.discardInterval();
  json.discard();
  influx.discard();
  registry.record(m, test_, 2, Date.UTC(2024, 0, 1, 0, 0, 1));
  const report = registry.takeInterval();
  t.is(report.index, 0);
  t.deepEqual(
    report.series.map((s) => [s.tagSet, s.n, s.sum, s.min, s.max]),
    [[test_.id, 1, 2, 2, 2]],
  );
  t.is(registry.sampleCounts.get('http_req_duration'), 1);
  // The metric was first seen in the warm-up: its declaration comes with the test's first batch.
  const batch = json.take();
  t.is(batch?.declared.length, 1);
  t.deepEqual(
    Buffer.from(batch?.bytes ?? [])
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).data.value),
    [2],
  );
  t.is(influx.take()?.lines, 1);
});
