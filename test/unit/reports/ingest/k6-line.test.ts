import test from 'ava';
import { K6ByteReader } from '../../../../reports/ingest/k6-bytes.ts';
import { TimeParser, emptySample, readSampleLine } from '../../../../reports/ingest/k6-line.ts';
import { ITEM_TYPES_TAGS, k6MetricLine, k6PointLine } from '../../../helpers/synthetic-run.ts';

const tags = ITEM_TYPES_TAGS;

function read(line: string) {
  const out = emptySample();
  return { kind: readSampleLine(line, out, new TimeParser()), out };
}

test('a Point line of http_req_duration gives value, time and tags', (t) => {
  const { kind, out } = read(k6PointLine('http_req_duration', Date.UTC(2026, 10, 25, 9, 0, 0, 123.5), 12.75, tags));
  t.is(kind, 'point');
  t.is(out.metric, 'http_req_duration');
  t.is(out.value, 12.75);
  t.is(out.name, 'item-types');
  t.is(out.status, '200');
  t.is(out.scenario, 'default');
  t.is(out.expectedResponse, 'true');
  t.is(out.check, '');
  t.true(Math.abs(out.timeMs - Date.UTC(2026, 10, 25, 9, 0, 0, 123.5)) < 1e-3);
});

test('k6 key order with metric first reads the same', (t) => {
  const line = JSON.stringify({ metric: 'http_req_duration', type: 'Point', data: { time: '2026-11-25T09:00:00.5Z', value: 3, tags } });
  const { kind, out } = read(line);
  t.is(kind, 'point');
  t.is(out.value, 3);
  t.is(out.timeMs, Date.UTC(2026, 10, 25, 9, 0, 0, 500));
});

test('escaped quotes and braces inside tag values fall back to a full parse with the same answer', (t) => {
  for (const name of ['a"b', 'x}y', '<script>"}</script>', 'back\\slash']) {
    const { kind, out } = read(k6PointLine('http_req_duration', 0, 5, { ...tags, name }));
    t.is(kind, 'point');
    t.is(out.name, name);
    t.is(out.status, '200');
  }
});

test('declarations and unread metrics are skipped, garbage is bad', (t) => {
  t.is(read(k6MetricLine('http_req_duration', 'trend')).kind, 'skip');
  t.is(read(k6PointLine('http_req_waiting', 0, 1, tags)).kind, 'skip');
  t.is(read('not json').kind, 'bad');
  t.is(read('{"metric":"http_reqs","type":"Point"').kind, 'bad');
});

test('times with offsets, nanoseconds or no fraction', (t) => {
  const times = new TimeParser();
  t.is(times.parse('2026-11-25T09:00:00Z'), Date.UTC(2026, 10, 25, 9));
  t.is(times.parse('2026-11-25T11:00:00.250000000+02:00'), Date.UTC(2026, 10, 25, 9, 0, 0, 250));
  t.true(Math.abs(times.parse('2026-11-25T09:00:01.000000500Z') - (Date.UTC(2026, 10, 25, 9, 0, 1) + 0.0005)) < 1e-6);
});

test('the byte reader agrees with the string reader on every kind of line', (t) => {
  const cases = [
    k6PointLine('http_req_duration', Date.UTC(2026, 10, 25, 9, 0, 0, 123.5), 12.75, tags),
    k6PointLine('http_reqs', Date.UTC(2026, 10, 25, 9, 0, 1), 1, tags),
    k6PointLine('checks', Date.UTC(2026, 10, 25, 9, 0, 1), 0, { check: 'status is 200', scenario: 'default' }),
    k6PointLine('http_req_duration', 0, 5, { ...tags, name: 'café ☕' }),
    k6PointLine('http_req_duration', 0, 5, { ...tags, name: 'a"b' }),
    k6PointLine('http_req_duration', 0, 1.5e-7, {}),
    k6PointLine('http_req_duration', 0, -3.25, tags),
    k6PointLine('http_req_duration', 0, 123456789.12345679, tags),
    k6PointLine('http_req_waiting', 0, 5, tags),
    k6MetricLine('http_req_duration', 'trend'),
    JSON.stringify({ metric: 'http_req_duration', type: 'Point', data: { time: '2026-11-25T11:00:00.5+02:00', value: 3, tags } }),
    `${k6PointLine('http_reqs', 0, 1, tags)}\r`,
    JSON.stringify({ type: 'Point', metric: 'http_reqs', data: { time: '2026-11-25T09:26:30.861Z', value: 1, tags: { ...tags, phase: 'warmup' } } }),
    JSON.stringify({
      metric: 'http_req_duration',
      type: 'Point',
      data: { time: '2026-11-25T09:26:30.8612345Z', value: 18.71782300000001, tags, metadata: { vu: '3' } },
    }),
    JSON.stringify({ metric: 'http_req_duration', type: 'Metric', data: { name: 'http_req_duration', type: 'trend' } }),
    JSON.stringify({ type: 'Point', data: { time: '2026-11-25T09:26:30Z', value: 5, tags: null }, metric: 'http_reqs' }),
    JSON.stringify({ type: 'Point', data: { time: '2026-11-25T09:26:30Z', value: 5, tags: null }, metric: 'vus' }),
    'not json',
  ];
  for (const line of cases) {
    const fromString = emptySample();
    const fromBytes = emptySample();
    const stringKind = readSampleLine(line.replace(/\r$/, ''), fromString, new TimeParser());
    const kinds: string[] = [];
    const reader = new K6ByteReader(fromBytes, (outcome) => kinds.push(outcome));
    reader.lines(Buffer.from(`${line}\n`, 'utf8'));
    t.deepEqual(kinds, [stringKind], line);
    if (stringKind === 'point') {
      t.deepEqual({ ...fromBytes, value: 0, timeMs: 0 }, { ...fromString, value: 0, timeMs: 0 }, line);
      t.true(Math.abs(fromBytes.value - fromString.value) <= Math.abs(fromString.value) * 1e-15, line);
      t.true(Math.abs(fromBytes.timeMs - fromString.timeMs) < 1e-6, line);
    }
  }
});
