/**
 * The one clock probe: the offset of a node's clock (harness − node), NTP-style. The harness sends
 * a request at `sentMs`, the node answers with its clock, the answer arrives at `receivedMs`; the
 * node read its clock about halfway. The round with the shortest round trip bounds the error best
 * (± rtt/2). The node side is POSIX sh and works on busybox: `$EPOCHREALTIME` where the shell has
 * it (busybox ash, bash), else `date +%s%N` (GNU date; busybox date without %N prints seconds).
 */
import type { ClientChannel } from 'ssh2';
import type { SshConnection } from './connect.ts';
import { shellScriptCommand } from './shell.ts';

/** Prints the node clock as one line `t <clock>`; the node sampler's records carry the same line. */
export const NODE_CLOCK_LINE = `if [ -n "\${EPOCHREALTIME:-}" ]; then echo "t $EPOCHREALTIME"; else date '+t %s%N'; fi`;

/** Answers every line it reads with the node clock. */
const CLOCK_PROBE = `while read -r x; do ${NODE_CLOCK_LINE}; done`;

export function clockProbeCommand(shell: readonly string[] = ['sh']): string {
  return shellScriptCommand(shell, CLOCK_PROBE);
}

/**
 * The node clock as printed: `1700000000.123456` ($EPOCHREALTIME, a comma in some locales),
 * `1700000000123456789` (`date +%s%N`), or `1700000000%N`/`1700000000N` (busybox date without
 * nanoseconds: seconds only).
 */
export function parseClock(text: string): { ms: number; precisionMs: number } | null {
  let match = /^(\d+)[.,](\d+)$/.exec(text);
  if (match) return { ms: Number(match[1]) * 1000 + Number(`0.${match[2]}`) * 1000, precisionMs: 0.001 };
  match = /^(\d{16,})$/.exec(text);
  if (match) return { ms: Number(BigInt(text) / 1000n) / 1000, precisionMs: 0.001 };
  match = /^(\d{1,12})(?:%?N)?$/.exec(text);
  if (match) return { ms: Number(match[1]) * 1000, precisionMs: 1000 };
  return null;
}

export interface ClockRound {
  sentMs: number;
  receivedMs: number;
  nodeMs: number;
  /** How fine the node's clock reading is: 0.001 ms, or 1000 ms for a clock that prints whole seconds. */
  precisionMs?: number;
}

export interface ClockEstimate {
  offsetMs: number;
  /** Round trip of the round used; the offset is good to ± rttMs / 2 (plus the node clock's precision). */
  rttMs: number;
}

export function estimateClockOffset(rounds: ClockRound[]): ClockEstimate | null {
  let best: ClockRound | undefined;
  for (const round of rounds) if (!best || round.receivedMs - round.sentMs < best.receivedMs - best.sentMs) best = round;
  if (!best) return null;
  return { offsetMs: round3((best.sentMs + best.receivedMs) / 2 - best.nodeMs), rttMs: round3(best.receivedMs - best.sentMs) };
}

/**
 * Whether a re-estimate replaces the current one. A round trip much longer than the current one
 * (Wi-Fi busy under load) would give a worse offset, so it is kept only once the current one is
 * old enough for drift to matter more than the round trip.
 */
export function betterEstimate(current: ClockEstimate & { atMs: number }, next: ClockEstimate, nowMs: number, maxAgeMs = 600_000): boolean {
  if (!Number.isFinite(current.rttMs)) return true;
  return next.rttMs <= current.rttMs * 2 + 5 || nowMs - current.atMs > maxAgeMs;
}

/** A harness clock finer than Date.now(): epoch ms with sub-ms digits. */
export function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** An estimate and how fine the node clock it came from is (1000 ms: the node prints whole seconds). */
export interface ClockReading extends ClockEstimate {
  precisionMs: number;
}

/**
 * Runs `rounds` request/response rounds over a channel running CLOCK_PROBE: each newline written
 * makes the node print `t <clock>`.
 */
export async function probeClock(channel: ClientChannel, rounds = 5, timeoutMs = 5000, now: () => number = preciseNowMs): Promise<ClockReading | null> {
  let buffer = '';
  let waiting: ((line: string) => void) | null = null;
  const onData = (chunk: Buffer | string) => {
    buffer += chunk.toString();
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('t ') && waiting) {
        const resolve = waiting;
        waiting = null;
        resolve(line.slice(2));
      }
    }
  };
  channel.on('data', onData);
  try {
    const results: ClockRound[] = [];
    for (let i = 0; i < rounds; i++) {
      const answer = new Promise<string | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), timeoutMs);
        waiting = (line) => {
          clearTimeout(timer);
          resolve(line);
        };
      });
      const sentMs = now();
      channel.write('\n');
      const line = await answer;
      const receivedMs = now();
      const clock = line === null ? null : parseClock(line);
      if (!clock) continue;
      results.push({ sentMs, receivedMs, nodeMs: clock.ms, precisionMs: clock.precisionMs });
    }
    const estimate = estimateClockOffset(results);
    return estimate && { ...estimate, precisionMs: Math.max(...results.map((r) => r.precisionMs ?? 0.001)) };
  } finally {
    channel.removeListener('data', onData);
    waiting = null;
  }
}

/** Opens a channel for the probe on a connection, measures, and closes it; null when the node never answered. */
export async function measureClockOffset(
  connection: SshConnection,
  options: { shell?: readonly string[]; rounds?: number; timeoutMs?: number } = {},
): Promise<ClockReading | null> {
  const channel = await connection.exec(clockProbeCommand(options.shell));
  channel.stderr.resume();
  try {
    return await probeClock(channel, options.rounds, options.timeoutMs);
  } finally {
    channel.end();
    channel.close();
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
