/** Progress on stderr, as k6 prints it: a line a second on a terminal, one every 10 s otherwise. */
import { formatDuration } from './time.ts';

export class Progress {
  private lastLineMs = 0;
  constructor(
    private readonly enabled: boolean,
    private readonly tty: boolean,
  ) {}

  update(elapsedMs: number, active: number, max: number, complete: number, interrupted: number, final = false): void {
    if (!this.enabled) return;
    const line = `running (${clock(elapsedMs)}), ${String(active).padStart(String(max).length, '0')}/${max} VUs, ${complete} complete and ${interrupted} interrupted iterations`;
    if (this.tty) {
      process.stderr.write(`\r${line}${final ? '\n' : ''}`);
      return;
    }
    if (final || elapsedMs - this.lastLineMs >= 10_000) {
      this.lastLineMs = elapsedMs;
      process.stderr.write(`${line}\n`);
    }
  }
}

function clock(ms: number): string {
  const m = Math.floor(ms / 60_000);
  const s = ((ms % 60_000) / 1000).toFixed(1).padStart(4, '0');
  return `${m}m${s}s`;
}

export { formatDuration };
