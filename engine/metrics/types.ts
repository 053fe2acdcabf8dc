/** What every thread knows about a metric: its k6 type, what its values contain, and which way is better. */
import type { MetricType } from '../options/thresholds.ts';

export type { MetricType };
export type Contains = 'default' | 'time' | 'data';
export type Better = 'lower' | 'higher' | 'none';

export interface MetricInfo {
  name: string;
  type: MetricType;
  /** k6's `contains`: time values are milliseconds, data values bytes. */
  contains: Contains;
  better: Better;
}

/** The engine's own name for the delay between an arrival's scheduled and actual start. */
export const START_LAG_METRIC = 'iteration_start_lag';

export const BUILTIN_METRICS: MetricInfo[] = [
  { name: 'vus', type: 'gauge', contains: 'default', better: 'none' },
  { name: 'vus_max', type: 'gauge', contains: 'default', better: 'none' },
  { name: 'iterations', type: 'counter', contains: 'default', better: 'none' },
  { name: 'iteration_duration', type: 'trend', contains: 'time', better: 'lower' },
  { name: 'dropped_iterations', type: 'counter', contains: 'default', better: 'lower' },
  { name: START_LAG_METRIC, type: 'trend', contains: 'time', better: 'lower' },
  { name: 'data_sent', type: 'counter', contains: 'data', better: 'none' },
  { name: 'data_received', type: 'counter', contains: 'data', better: 'none' },
  { name: 'checks', type: 'rate', contains: 'default', better: 'higher' },
  { name: 'group_duration', type: 'trend', contains: 'time', better: 'lower' },
  { name: 'http_reqs', type: 'counter', contains: 'default', better: 'none' },
  { name: 'http_req_failed', type: 'rate', contains: 'default', better: 'lower' },
  { name: 'http_req_duration', type: 'trend', contains: 'time', better: 'lower' },
  { name: 'http_req_blocked', type: 'trend', contains: 'time', better: 'lower' },
  { name: 'http_req_connecting', type: 'trend', contains: 'time', better: 'lower' },
  { name: 'http_req_tls_handshaking', type: 'trend', contains: 'time', better: 'lower' },
  { name: 'http_req_sending', type: 'trend', contains: 'time', better: 'lower' },
  { name: 'http_req_waiting', type: 'trend', contains: 'time', better: 'lower' },
  { name: 'http_req_receiving', type: 'trend', contains: 'time', better: 'lower' },
];

export const BUILTIN_BY_NAME = new Map(BUILTIN_METRICS.map((m) => [m.name, m]));

/** The HTTP trends every request records, in the order the client fills them. */
export const HTTP_TRENDS = [
  'http_req_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
] as const;
