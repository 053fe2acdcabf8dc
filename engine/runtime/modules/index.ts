/** The k6 modules a script may import, each made per VU. */
import type { VuRuntime } from '../vu.ts';
import { createData } from './data.ts';
import { createEncoding } from './encoding.ts';
import { createExecution } from './execution.ts';
import { createHttp } from './http.ts';
import { createK6 } from './k6.ts';
import { createMetrics } from './metrics.ts';
import { createSummaryLib } from './summary-lib.ts';
import { createTimers } from './timers.ts';

/** Importable names; `k6-summary` stands for jslib's k6-summary (https://jslib.k6.io/k6-summary/…). */
export const MODULE_NAMES = ['k6', 'k6/http', 'k6/metrics', 'k6/execution', 'k6/data', 'k6/timers', 'k6/encoding', 'k6-summary'];

export function createModule(name: string, vu: VuRuntime): unknown {
  switch (name) {
    case 'k6':
      return createK6(vu);
    case 'k6/http':
      return createHttp(vu);
    case 'k6/metrics':
      return createMetrics(vu);
    case 'k6/execution':
      return createExecution(vu);
    case 'k6/data':
      return createData(vu);
    case 'k6/timers':
      return createTimers(vu);
    case 'k6/encoding':
      return createEncoding();
    case 'k6-summary':
      return createSummaryLib();
    default:
      throw new Error(`unsupported module "${name}"`);
  }
}
