import test from 'ava';
import type { NodeSample } from '../../../../rundir/types.ts';
import type { K6SampleLine } from '../../../../rundir/k6.ts';
import { isoToNs, k6SamplePoint, msToNs, nodeSamplePoints } from '../../../../bench/influx/points.ts';
import { influxUrlFrom, parseInfluxUrl } from '../../../../bench/influx/client.ts';

const sample: NodeSample = {
  node: 'pixel-1',
  timeMs: 1764000000010,
  nodeTimeMs: 1764000000000.5,
  clockOffsetMs: 12.5,
  pointId: 'p01',
  cpuPct: 40,
  cores: [
    { core: 0, online: true, cpuPct: 40, freqKHz: 1785600, maxFreqKHz: 1785600 },
    { core: 1, online: false, cpuPct: null, freqKHz: null, maxFreqKHz: null },
  ],
  load1: 1.5,
  memTotalKB: 1000,
  memAvailableKB: 500,
  thermal: [
    { zone: 'thermal_zone0', type: 'cpu-0-0-usr', tempC: 41.5 },
    { zone: 'thermal_zone1', type: '', tempC: 30 },
    { zone: 'thermal_zone2', type: 'broken', tempC: null },
  ],
  batteryTempC: null,
  throttled: false,
};

test('a node sample becomes node, node_cpu and node_thermal points at the corrected node time', (t) => {
  const points = nodeSamplePoints('run1', sample);
  const ts = '1764000000000500000';
  t.deepEqual(points, [
    {
      measurement: 'node',
      tags: { run: 'run1', point: 'p01', node: 'pixel-1' },
      fields: { cpuPct: 40, load1: 1.5, memTotalKB: 1000, memAvailableKB: 500, throttled: 0, clockOffsetMs: 12.5 },
      timestamp: ts,
    },
    {
      measurement: 'node_cpu',
      tags: { run: 'run1', point: 'p01', node: 'pixel-1', core: '0' },
      fields: { online: 1, cpuPct: 40, freqKHz: 1785600, maxFreqKHz: 1785600 },
      timestamp: ts,
    },
    { measurement: 'node_cpu', tags: { run: 'run1', point: 'p01', node: 'pixel-1', core: '1' }, fields: { online: 0 }, timestamp: ts },
    {
      measurement: 'node_thermal',
      tags: { run: 'run1', point: 'p01', node: 'pixel-1', zone: 'thermal_zone0', type: 'cpu-0-0-usr' },
      fields: { tempC: 41.5 },
      timestamp: ts,
    },
    // An empty type is left out (InfluxDB refuses empty tag values); a null reading has no point.
    { measurement: 'node_thermal', tags: { run: 'run1', point: 'p01', node: 'pixel-1', zone: 'thermal_zone1' }, fields: { tempC: 30 }, timestamp: ts },
  ]);
  t.false('point' in nodeSamplePoints('run1', { ...sample, pointId: null })[0]!.tags);
});

test("a k6 sample follows k6's --out influxdb schema, tagged with run and point", (t) => {
  const line: K6SampleLine = {
    type: 'Point',
    metric: 'http_req_duration',
    data: {
      time: '2025-11-24T17:00:00.123456789+01:00',
      value: 12.5,
      tags: { method: 'GET', status: '200', url: 'http://x/y', vu: '3', iter: '17', run: 'ignored' },
    },
  };
  t.deepEqual(k6SamplePoint('run1', 'p02', line), {
    measurement: 'http_req_duration',
    tags: { method: 'GET', status: '200', run: 'run1', point: 'p02' },
    fields: { value: 12.5, url: 'http://x/y', vu: 3, iter: 17 },
    timestamp: '1764000000123456789',
  });
  t.is(
    k6SamplePoint('r', 'p', { type: 'Metric', metric: 'x', data: { name: 'x', type: 'counter', contains: 'default', thresholds: [], submetrics: null } }),
    null,
  );
});

test('two samples of one series at the same instant both survive, the same way every time', (t) => {
  const line: K6SampleLine = { type: 'Point', metric: 'http_reqs', data: { time: '2025-11-24T15:00:00.001Z', value: 1, tags: { status: '200' } } };
  const once = () => {
    const seen = new Set<string>();
    return [k6SamplePoint('r', 'p', line, seen), k6SamplePoint('r', 'p', line, seen), k6SamplePoint('r', 'p', { ...line, metric: 'other' }, seen)].map(
      (p) => p!.timestamp,
    );
  };
  t.deepEqual(once(), ['1763996400001000000', '1763996400001000001', '1763996400001000000']);
  t.deepEqual(once(), once());
});

test('times: RFC 3339 with any digits and offsets; fractional ms', (t) => {
  t.is(isoToNs('2025-11-24T15:00:00Z'), 1763996400000000000n);
  t.is(isoToNs('2025-11-24T15:00:00.5Z'), 1763996400500000000n);
  t.is(isoToNs('2025-11-24T10:00:00.000001-05:00'), 1763996400000001000n);
  t.is(isoToNs('yesterday'), null);
  t.is(msToNs(1763996400000.25), '1763996400000250000');
});

test('the InfluxDB URL: flag over env, database from the path, bad input is a usage error', (t) => {
  t.is(influxUrlFrom(undefined, {}), null);
  t.is(influxUrlFrom(undefined, { CLOUDLET_INFLUX_URL: 'http://a:8086/db' }), 'http://a:8086/db');
  t.is(influxUrlFrom('http://b:8086/x', { CLOUDLET_INFLUX_URL: 'http://a:8086/db' }), 'http://b:8086/x');
  t.like(parseInfluxUrl('http://u:secret@127.0.0.1:9999/cloudlet'), {
    host: '127.0.0.1',
    port: 9999,
    database: 'cloudlet',
    username: 'u',
    password: 'secret',
    url: 'http://u@127.0.0.1:9999/cloudlet',
  });
  t.is(parseInfluxUrl('https://influx.lab/db').port, 8086);
  t.throws(() => parseInfluxUrl('http://127.0.0.1:8086'), { name: 'UsageError', message: /name the database/ });
  t.throws(() => parseInfluxUrl('udp://x/db'), { name: 'UsageError' });
  t.throws(() => parseInfluxUrl('not a url'), { name: 'UsageError' });
});
