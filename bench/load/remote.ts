import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { outputError, writeFileAtomic } from '../../kernel/files.ts';
import { basename } from 'node:path';
import { quoteWords, shellQuote } from '../../kernel/ssh/shell.ts';
import { connectSsh, type SshConnection, type SshTarget } from '../../kernel/ssh/connect.ts';
import { K6_EXIT } from '../../rundir/k6.ts';
import { engineArgs, k6Args, type LoadGenerator, type LoadRunOptions, type LoadRunResult } from './generator.ts';

/**
 * A load generator on another machine, started over SSH with the same flags as a local one: its
 * files are written in a temporary folder there, copied back into the point when it ends, and the
 * folder removed. Ctrl-C reaches it as SIGINT, so it stops gracefully too.
 */

export interface RemoteGeneratorSpec {
  name: string;
  ssh: SshTarget;
  /** The program: `[k6]`, or the engine of a checkout (`[node, --import, tsx, engine/cli.ts]`). */
  command: string[];
  /** Folder it runs in, holding scenarios/. */
  workdir: string;
}

/** Runs a command to its end and returns its stdout as bytes (the samples are gzip). */
async function fetchFile(connection: SshConnection, path: string): Promise<Buffer> {
  const channel = await connection.exec(`cat ${shellQuote(path)}`);
  const chunks: Buffer[] = [];
  channel.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve) => channel.once('close', () => resolve()));
  return Buffer.concat(chunks);
}

export function remoteGenerator(spec: RemoteGeneratorSpec): LoadGenerator {
  return {
    info: { name: spec.command[0] === 'k6' ? 'k6' : 'engine', version: 'remote', path: `${spec.name}:${spec.command.join(' ')}` },
    async run(options: LoadRunOptions): Promise<LoadRunResult> {
      const started = Date.now();
      const connection = await connectSsh(spec.ssh);
      const dir = `/tmp/cloudlet-bench-${randomBytes(4).toString('hex')}`;
      try {
        const remote: LoadRunOptions = {
          ...options,
          script: `scenarios/${basename(options.script)}`,
          summaryPath: options.summaryPath ? `${dir}/k6-summary.json` : null,
          samplesPath: options.samplesPath ? `${dir}/k6-samples.ndjson.gz` : null,
          hdrPath: options.hdrPath ? `${dir}/k6-trends.hlog` : null,
        };
        const isK6 = spec.command[0] === 'k6';
        // `echo $$` then `exec`: the first line is the generator's pid, for SIGINT.
        const command = `mkdir -p ${dir} && cd ${shellQuote(spec.workdir)} && echo $$ && exec ${quoteWords([...spec.command, ...(isK6 ? k6Args(remote) : engineArgs(remote))])}`;
        const channel = await connection.exec(command);
        const log = createWriteStream(options.logPath, { flags: 'a' });
        let logError: unknown = null;
        log.on('error', (error) => {
          logError ??= error;
        });
        let pid: string | null = null;
        let pending = '';
        let interrupted = false;
        channel.on('data', (chunk: Buffer) => {
          if (pid !== null) return void log.write(chunk);
          pending += chunk.toString('utf8');
          const newline = pending.indexOf('\n');
          if (newline < 0) return;
          pid = pending.slice(0, newline).trim();
          log.write(pending.slice(newline + 1));
          if (interrupted) void connection.run(`kill -INT ${pid}`);
        });
        channel.stderr.on('data', (chunk: Buffer) => log.write(chunk));
        const onAbort = () => {
          interrupted = true;
          if (pid) void connection.run(`kill -INT ${pid}`).catch(() => undefined);
        };
        const onForce = () => {
          interrupted = true;
          if (pid) void connection.run(`kill -KILL ${pid}`).catch(() => undefined);
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        options.force?.addEventListener('abort', onForce, { once: true });
        const exitCode = await new Promise<number>((resolve) => {
          let code = 1;
          channel.once('exit', (c: number | null) => (code = c ?? 1));
          channel.once('close', () => resolve(code));
        });
        options.signal?.removeEventListener('abort', onAbort);
        options.force?.removeEventListener('abort', onForce);
        await new Promise<void>((resolve) => log.end(() => resolve()));
        if (logError) throw outputError(logError, options.logPath);
        // A file the generator did not write stays missing (the point is then flagged no-load-data).
        for (const [local, path] of [
          [options.summaryPath, remote.summaryPath],
          [options.samplesPath, remote.samplesPath],
          [isK6 ? null : options.hdrPath, remote.hdrPath],
        ] as const) {
          if (!local || !path) continue;
          const bytes = await fetchFile(connection, path);
          if (bytes.length > 0) await writeFileAtomic(local, bytes);
        }
        return {
          exitCode,
          thresholdsPassed: exitCode === K6_EXIT.ok,
          interrupted: interrupted || exitCode === K6_EXIT.interrupted,
          durationMs: Date.now() - started,
        };
      } finally {
        await connection.run(`rm -rf ${dir}`).catch(() => undefined);
        connection.close();
      }
    },
  };
}
