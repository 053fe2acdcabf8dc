/**
 * The embedded default's node: the same sh loop as on a phone, run on this host as a child
 * process, parsed by the same code. The clock offset is 0 by definition.
 */
import { processSupervisor } from '../../kernel/supervise.ts';
import type { NodeSample } from '../../rundir/types.ts';
import type { SampleOptions } from './sample.ts';
import { samplerArgs, samplerScript } from './script.ts';
import { createSampleStream } from './stream.ts';

export interface SamplerHandle {
  /** Stops the loop and resolves once it has exited; samples stop before it resolves. */
  stop(): Promise<void>;
  /** Pid of the sampler loop on its host (for `npm run perf -- sampler`). */
  readonly pid?: number | undefined;
}

export interface LocalSamplerOptions extends SampleOptions {
  node: string;
  /** Default 1000. */
  intervalMs?: number;
  onSample: (sample: NodeSample) => void;
  /** The loop died on its own (not through stop()). */
  onError?: (error: Error) => void;
  /** Shell to run the loop with; default `sh`. Tests pass `busybox` + ['sh'] to run it as a phone would. */
  shell?: string[];
  /** Fixture roots instead of /proc and /sys (tests). */
  procRoot?: string;
  sysRoot?: string;
}

export function startLocalSampler(opts: LocalSamplerOptions): Promise<SamplerHandle> {
  const [command = 'sh', ...shellArgs] = opts.shell ?? ['sh'];
  const args = samplerArgs({ intervalMs: opts.intervalMs, procRoot: opts.procRoot, sysRoot: opts.sysRoot });
  // Under the process's supervisor: its own process group, so stop() also ends the `sleep` the loop
  // is waiting in, and the terminal's Ctrl-C does not reach it; it dies with the bench.
  const supervisor = processSupervisor();
  const sampler = supervisor.start({
    name: `sampler ${opts.node}`,
    command,
    args: [...shellArgs, '-c', samplerScript(), ...args],
    output: 'pipe',
    stopTimeoutMs: 2000,
  });
  const child = sampler.child;
  let stopping = false;
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  return new Promise<SamplerHandle>((resolve, reject) => {
    let started = false;
    const stream = createSampleStream({
      ...opts,
      onSample: (sample) => {
        if (!stopping) opts.onSample(sample);
      },
      onHello: () => {
        started = true;
        resolve(handle);
      },
    });
    const handle: SamplerHandle = {
      pid: child.pid,
      async stop() {
        stopping = true;
        await supervisor.stopChild(sampler);
        await exited;
      },
    };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stream.push(chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.once('error', (error) => {
      const wrapped = new Error(`local sampler: cannot start ${command}: ${error.message}`, { cause: error });
      if (!started) reject(wrapped);
      else opts.onError?.(wrapped);
    });
    child.once('close', (code, signal) => {
      if (stopping) return;
      const error = new Error(`local sampler exited (${signal ?? `code ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`);
      if (!started) reject(error);
      else opts.onError?.(error);
    });
  });
}
