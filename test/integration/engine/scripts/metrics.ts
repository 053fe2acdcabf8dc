// Custom metrics of the four types, with tags, and their summary values (3 iterations):
// counter sum 6, gauge last 3 (min 1, max 3), rate 2/3 true, trend of 10, 20, 30 ms.
import exec from 'k6/execution';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
import encoding from 'k6/encoding';
import { check } from 'k6';

const counter = new Counter('c_total');
const gauge = new Gauge('g_value');
const rate = new Rate('r_ok');
const trend = new Trend('t_wait', true);

export const options = { iterations: 3, thresholds: { 'c_total{kind:x}': ['count==6'], t_wait: ['max==30'] } };

// The engine's extension, ignored by k6: which way is better for each custom metric.
export const metricsInfo = { t_wait: { better: 'lower' }, r_ok: { better: 'higher' } };

export default function (): void {
  const n = exec.scenario.iterationInTest + 1;
  counter.add(2, { kind: 'x' });
  gauge.add(n);
  rate.add(n !== 2);
  trend.add(n * 10);
  check(encoding.b64encode('hello'), {
    b64: (s) => s === 'aGVsbG8=' && encoding.b64decode(s, 'std', 's') === 'hello' && encoding.b64encode('hi?', 'rawurl') === 'aGk_',
  });
}
