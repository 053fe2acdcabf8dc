/**
 * `npm run perf -- sampler`: what the node sampler costs the node it watches, as a share of one
 * core at 1 Hz, read from the loop's own /proc/<pid>/stat (children included), next to Debian's
 * prometheus-node-exporter scraped at 1 Hz on the same host over the same window.
 */
import { sleep } from '../kernel/sleep.ts';
import { processSupervisor } from '../kernel/supervise.ts';
import { readFile } from 'node:fs/promises';
import { startLocalSampler, type SamplerHandle } from '../bench/nodes/local.ts';
import { cpuPctOfOneCore, processCpuTicks, USER_HZ } from './proc.ts';
import { connectSsh, type SshTarget } from '../kernel/ssh/connect.ts';
import { startRemoteSampler } from '../bench/nodes/remote.ts';
import { Command, Option } from 'commander';
import { durationArg } from '../kernel/args.ts';
import { requireBinary } from '../kernel/binaries.ts';
import { UsageError } from '../kernel/errors.ts';
import { createLogger } from '../kernel/log.ts';

interface Subject {
  label: string;
  pid: number;
  readStat(): Promise<string>;
  /** Work the subject did (records, scrapes), to show it really ran at 1 Hz. */
  events(): number;
  stop(): Promise<void>;
}

export interface SamplerPerfOptions {
  durationS: number;
  /** Measure on a node over SSH instead of this host (node_exporter is then not compared). */
  ssh?: SshTarget;
  log: (line: string) => void;
}

export interface SamplerPerfRow {
  label: string;
  cpuPct: number;
  events: number;
}

export async function runSamplerPerf(options: SamplerPerfOptions): Promise<SamplerPerfRow[]> {
  const subjects: Subject[] = [];
  try {
    if (options.ssh) subjects.push(await remoteSampler(options.ssh));
    else {
      // The figure that matters is the phone's: busybox ash, as on postmarketOS. This host's own sh
      // (dash: no $EPOCHREALTIME, so it forks `sleep` and `date`) is shown beside it.
      const busybox = requireBinary('busybox', 'busybox');
      subjects.push(await localSampler('sampler', [busybox, 'sh']));
      subjects.push(await localSampler("sampler under this host's sh (dash)", ['sh']));
      const exporter = requireBinary('prometheus-node-exporter', 'prometheus-node-exporter');
      subjects.push(await nodeExporter('node_exporter (default collectors)', exporter, []));
      subjects.push(
        await nodeExporter('node_exporter (same data only: cpu, cpufreq, loadavg, meminfo, thermal_zone, powersupplyclass)', exporter, [
          '--collector.disable-defaults',
          '--collector.cpu',
          '--collector.cpufreq',
          '--collector.loadavg',
          '--collector.meminfo',
          '--collector.thermal_zone',
          '--collector.powersupplyclass',
        ]),
      );
    }
    // Let every subject settle (node_exporter's first scrape is its slowest) before the window.
    await sleep(2000);
    const before = await Promise.all(subjects.map(ticksOf));
    const eventsBefore = subjects.map((s) => s.events());
    const startMs = Date.now();
    options.log(`measuring ${subjects.length} processes for ${options.durationS} s at 1 Hz ...`);
    await sleep(options.durationS * 1000);
    const after = await Promise.all(subjects.map(ticksOf));
    const wallMs = Date.now() - startMs;
    return subjects.map((s, i) => ({ label: s.label, cpuPct: cpuPctOfOneCore(before[i]!, after[i]!, wallMs), events: s.events() - eventsBefore[i]! }));
  } finally {
    await Promise.allSettled(subjects.map((s) => s.stop()));
  }
}

export function renderSamplerPerf(rows: SamplerPerfRow[], durationS: number): string {
  const out = rows.map((r) => `${r.label}: ${r.cpuPct.toFixed(3)}% of one core (${r.events} records/scrapes in ${durationS} s)`);
  out.push(`(resolution: one USER_HZ tick in ${durationS} s = ${(100 / USER_HZ / durationS).toFixed(3)}% of one core)`);
  const sampler = rows.find((r) => r.label === 'sampler');
  const exporters = rows.filter((r) => r.label.startsWith('node_exporter'));
  if (sampler) {
    const goal = sampler.cpuPct <= 0.5 && exporters.every((e) => sampler.cpuPct < e.cpuPct);
    for (const e of exporters) out.push(`ratio sampler / ${e.label}: ${(sampler.cpuPct / e.cpuPct).toFixed(2)}`);
    if (exporters.length === 0)
      out.push(`goal (≤ 0.5% of one core): ${sampler.cpuPct <= 0.5 ? 'met' : 'NOT met'} (node_exporter is compared on this host only)`);
    else out.push(`goal (≤ 0.5% of one core and below node_exporter): ${goal ? 'met' : 'NOT met'}`);
  }
  return `${out.join('\n')}\n`;
}

async function ticksOf(subject: Subject): Promise<number> {
  const ticks = processCpuTicks(await subject.readStat());
  if (ticks === null) throw new Error(`cannot read /proc/${subject.pid}/stat of ${subject.label}`);
  return ticks;
}

async function localSampler(label: string, shell: string[]): Promise<Subject> {
  let records = 0;
  const handle: SamplerHandle = await startLocalSampler({ node: 'perf', intervalMs: 1000, shell, onSample: () => records++ });
  const pid = handle.pid!;
  return { label, pid, readStat: () => readFile(`/proc/${pid}/stat`, 'utf8'), events: () => records, stop: () => handle.stop() };
}

async function remoteSampler(target: SshTarget): Promise<Subject> {
  let records = 0;
  const handle = await startRemoteSampler({ node: target.host, target, intervalMs: 1000, onSample: () => records++ });
  // A second connection reads the loop's stat twice; the sampler's own connection stays untouched.
  const reader = await connectSsh(target);
  const pid = handle.pid!;
  return {
    label: 'sampler',
    pid,
    readStat: async () => (await reader.run(`cat /proc/${pid}/stat`)).stdout,
    events: () => records,
    async stop() {
      reader.close();
      await handle.stop();
    },
  };
}

async function nodeExporter(label: string, binary: string, args: string[]): Promise<Subject> {
  const exporter = processSupervisor().start({ name: 'node_exporter', command: binary, args: ['--web.listen-address=127.0.0.1:0', ...args], output: 'pipe' });
  const child = exporter.child;
  let log = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
      const match = /msg="Listening on" address=(\S+)/.exec(log);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${binary} exited (${code}): ${log.slice(-500)}`)));
  });
  let scrapes = 0;
  let stopped = false;
  const scrape = async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        const response = await fetch(`http://${address}/metrics`);
        await response.text();
        scrapes++;
      } catch {
        // Counted as a missed scrape.
      }
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
  };
  const loop = scrape();
  return {
    label,
    pid: child.pid!,
    readStat: () => readFile(`/proc/${child.pid}/stat`, 'utf8'),
    events: () => scrapes,
    async stop() {
      stopped = true;
      await processSupervisor().stopChild(exporter);
      await loop;
    },
  };
}

/** `perf sampler` */
export function samplerCommand(): Command {
  return new Command('sampler')
    .description("the node sampler's CPU cost at 1 Hz (from /proc/<pid>/stat), beside prometheus-node-exporter scraped at 1 Hz on the same host")
    .addOption(
      new Option('--duration <duration>', 'measured window, e.g. 30s or 2m (a bare number is seconds)')
        .argParser(durationArg({ bareUnit: 's', min: 1 }))
        .default(30_000, '30s'),
    )
    .option('--ssh <user@host[:port]>', 'measure on a node over SSH instead of this host (no node_exporter comparison)')
    .option('--key <path>', 'private key for --ssh (default: ssh-agent)')
    .option('--known-hosts <path>', 'known_hosts for --ssh (default ~/.ssh/known_hosts)')
    .option('--accept-new-host-keys', 'record the SSH host key of --ssh in known_hosts if it is seen for the first time (a changed key is always refused)')
    .action(async (options: { duration: number; ssh?: string; key?: string; knownHosts?: string; acceptNewHostKeys?: boolean }) => {
      const log = createLogger();
      let ssh: SshTarget | undefined;
      if (options.ssh) {
        const match = /^([^@]+)@([^:]+)(?::(\d+))?$/.exec(options.ssh);
        if (!match) throw new UsageError(`--ssh: expected user@host[:port], got "${options.ssh}"`);
        ssh = {
          username: match[1]!,
          host: match[2]!,
          port: match[3] ? Number(match[3]) : 22,
          privateKeyPath: options.key,
          knownHostsPath: options.knownHosts,
          acceptNewHostKey: Boolean(options.acceptNewHostKeys),
        };
      }
      const durationS = options.duration / 1000;
      const rows = await runSamplerPerf({ durationS, ssh, log: (line) => log.info(line) });
      process.stdout.write(renderSamplerPerf(rows, durationS));
    });
}
