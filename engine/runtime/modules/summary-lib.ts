/**
 * The one remote module the engine stands in for: jslib's k6-summary
 * (`import { textSummary } from 'https://jslib.k6.io/k6-summary/0.1.0/index.js'`), which
 * handleSummary scripts use to keep the usual text output. It renders with the engine's own summary.
 */
import { renderTextSummary, type SummaryData } from '../../output/summary-text.ts';

export function createSummaryLib(): Record<string, unknown> {
  const lib = {
    textSummary(data: SummaryData, options?: { indent?: string; enableColors?: boolean }): string {
      return renderTextSummary(data, { indent: options?.indent ?? ' ', colors: options?.enableColors ?? false, mode: 'compact' });
    },
  };
  return { ...lib, default: lib };
}
