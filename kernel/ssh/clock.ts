/**
 * Clock offset of a node (harness − node), NTP-style: the harness sends a request at `sentMs`, the
 * node answers with its clock, the answer arrives at `receivedMs`; the node read its clock about
 * halfway. The round with the shortest round trip bounds the error best (± rtt/2).
 */
import type { ClientChannel } from 'ssh2';
import { parseClock } from '../../bench/nodes/parse.ts';

export interface ClockRound {
  sentMs: number;
  receivedMs: number;
  nodeMs: number;
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

/**
 * Runs `rounds` request/response rounds over a channel running CLOCK_PROBE (../nodes/script.ts):
 * each newline written makes the node print `t <clock>`.
 */
export async function probeClock(channel: ClientChannel, rounds = 5, timeoutMs = 5000, now: () => number = preciseNowMs): Promise<ClockEstimate | null> {
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
      results.push({ sentMs, receivedMs, nodeMs: clock.ms });
    }
    return estimateClockOffset(results);
  } finally {
    channel.removeListener('data', onData);
    waiting = null;
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
