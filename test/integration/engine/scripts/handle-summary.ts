// handleSummary(data) replaces the default summary: what it returns under "stdout" is printed, other
// keys are files. data has k6's shape (metrics[name].values, root_group, state, setup_data); jslib's
// textSummary renders the usual text from it.
import { check } from 'k6';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.1.0/index.js';

export const options = { iterations: 5 };

export function setup(): { seed: number } {
  return { seed: 7 };
}

export default function (): void {
  check(true, { fine: (v) => v });
}

export function handleSummary(data: Record<string, unknown>): Record<string, string> {
  const metrics = data.metrics as Record<string, { values: Record<string, number> }>;
  const out: Record<string, string> = {
    stdout: `CUSTOM SUMMARY iterations=${metrics.iterations?.values.count}\n`,
    stderr: textSummary(data, { indent: ' ', enableColors: false }),
  };
  if (__ENV.SUMMARY_FILE) out[__ENV.SUMMARY_FILE] = JSON.stringify(data);
  return out;
}
