import test from 'ava';
import { TimeParser, emptySample, readSampleLine } from '../../../reports/ingest/k6-line.ts';
import { k6MetricLine, k6PointLine } from '../../helpers/synthetic-run.ts';

const tags = { expected_response: 'true', method: 'GET', name: 'item-types', scenario: 'default', status: '200', url: 'http://127.0.0.1:8080/v1/api/item-types' };

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
