/**
 * The node sampler over SSH: one connection per node, the sh loop of ../nodes/script.ts on one
 * channel, a clock probe on another, and reconnection with backoff when the node drops off.
 */
import type { ClientChannel } from 'ssh2';
import { errorMessage } from '../../kernel/errors.ts';
import type { SamplerHandle } from './local.ts';
import type { SampleOptions } from './sample.ts';
import { samplerCommand } from './script.ts';
import { createSampleStream } from './stream.ts';
import type { NodeSample } from '../../rundir/types.ts';
import { backoffDelayMs, type BackoffOptions } from '../../kernel/ssh/backoff.ts';
import { betterEstimate, clockProbeCommand, probeClock, type ClockEstimate } from '../../kernel/ssh/clock.ts';
import { connectSsh, describeTarget, type SshConnection, type SshTarget } from '../../kernel/ssh/connect.ts';
import { isPermanentSshError, SshUnreachableError } from '../../kernel/ssh/errors.ts';

export interface ConnectionEvent {
  /** `lost`: the connection or the loop ended; `back`: sampling again after a reconnect. */
  type: 'lost' | 'back';
  node: string;
  timeMs: number;
  error?: Error;
}

export interface RemoteSamplerOptions extends SampleOptions {
  node: string;
  target: SshTarget;
  /** Default 1000. */
  intervalMs?: number;
  onSample: (sample: NodeSample) => void;
  /** Errors that end sampling for good (auth refused, host key changed), and reconnect failures. */
  onError?: (error: Error) => void;
  /** For node-lost / node-back events in events.ndjson. */
  onConnection?: (event: ConnectionEvent) => void;
  /** Shell words on the node; default ['sh'] (busybox ash on postmarketOS). */
  shell?: string[];
  /** Re-estimate the clock offset this often; default 60000. */
  clockProbeEveryMs?: number;
  backoff?: BackoffOptions;
}

export interface RemoteSamplerHandle extends SamplerHandle {
  /** Current harness − node clock offset and the round trip it was measured with. */
  clock(): ClockEstimate;
}

export async function startRemoteSampler(opts: RemoteSamplerOptions): Promise<RemoteSamplerHandle> {
  const shell = opts.shell ?? ['sh'];
  let clock: ClockEstimate & { atMs: number } = { offsetMs: 0, rttMs: Number.NaN, atMs: 0 };
  let stopping = false;
  let pid: number | undefined;
  let current: { connection: SshConnection; channels: ClientChannel[]; timer?: NodeJS.Timeout } | null = null;
  let wake: (() => void) | null = null;

  /** Opens channels on a fresh connection; resolves once the loop has said hello. */
  const session = async (connection: SshConnection) => {
    current = { connection, channels: [] };
    const state = current;
    const probe = await connection.exec(clockProbeCommand(shell));
    state.channels.push(probe);
    probe.stderr.resume();
    let probing = false;
    const reprobe = async () => {
      // One probe at a time: two would take each other's answers.
      if (probing) return;
      probing = true;
      const estimate = await probeClock(probe).catch(() => null);
      probing = false;
      if (estimate && betterEstimate(clock, estimate, Date.now())) clock = { ...estimate, atMs: Date.now() };
    };
    await reprobe();
    state.timer = setInterval(() => void reprobe(), opts.clockProbeEveryMs ?? 60_000);
    state.timer.unref();

    const loop = await connection.exec(samplerCommand({ intervalMs: opts.intervalMs }, shell));
    state.channels.push(loop);
    let stderr = '';
    loop.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    await new Promise<void>((resolve, reject) => {
      const stream = createSampleStream({
        ...opts,
        clockOffsetMs: () => clock.offsetMs,
        onSample: (sample) => {
          if (!stopping) opts.onSample(sample);
        },
        onHello: (hello) => {
          pid = hello.pid;
          resolve();
        },
      });
      loop.setEncoding('utf8');
      loop.on('data', (chunk: string) => stream.push(chunk));
      loop.once('close', () => {
        const error = new SshUnreachableError(`sampler on ${opts.node} ended${stderr ? `: ${stderr.trim()}` : ''}`);
        reject(error);
        // The loop died but the connection lives (killed on the node): drop it, so we reconnect.
        if (!stopping) connection.close();
      });
    });
  };

  const connectAndStart = async () => {
    const connection = await connectSsh(opts.target);
    try {
      await session(connection);
      return connection;
    } catch (error) {
      forget(connection);
      connection.close();
      throw error;
    }
  };

  /** Drops the session state of a connection that is gone (its probe timer too). */
  const forget = (connection: SshConnection) => {
    if (current?.connection !== connection) return;
    if (current.timer) clearInterval(current.timer);
    current = null;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const watch = (connection: SshConnection) => {
    void connection.closed.then(async (error) => {
      forget(connection);
      if (stopping) return;
      opts.onConnection?.({
        type: 'lost',
        node: opts.node,
        timeMs: Date.now(),
        error: error ?? new SshUnreachableError(`ssh ${describeTarget(opts.target)}: connection closed`),
      });
      for (let attempt = 0; !stopping; attempt++) {
        await sleep(backoffDelayMs(attempt, opts.backoff));
        if (stopping) return;
        try {
          const next = await connectAndStart();
          if (stopping) return next.close();
          watch(next);
          opts.onConnection?.({ type: 'back', node: opts.node, timeMs: Date.now() });
          return;
        } catch (connectError) {
          const wrapped = connectError instanceof Error ? connectError : new Error(errorMessage(connectError));
          opts.onError?.(wrapped);
          if (isPermanentSshError(wrapped)) return;
        }
      }
    });
  };

  watch(await connectAndStart());

  return {
    get pid() {
      return pid;
    },
    clock: () => ({ offsetMs: clock.offsetMs, rttMs: clock.rttMs }),
    async stop() {
      stopping = true;
      wake?.();
      const state = current;
      if (!state) return;
      if (state.timer) clearInterval(state.timer);
      // TERM ends the loop at once; closing the channel alone ends it at its next write (SIGPIPE).
      // Wait for the channels to close before ending the connection: ended first, sshd leaves
      // the loop running for a second or two.
      await Promise.all(
        state.channels.map(
          (channel) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 2000);
              channel.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
              channel.signal('TERM');
              channel.close();
            }),
        ),
      );
      state.connection.close();
      await state.connection.closed;
    },
  };
}
