import { execFile } from 'node:child_process';
import { arch, cpus, hostname, totalmem } from 'node:os';
import { promisify } from 'node:util';
import type { ClusterSnapshot } from '../rundir/types.ts';

/** What a manifest says about the tool and the machine, gathered once per run. */

export { TOOL_VERSION } from '../kernel/version.ts';

export async function gitCommit(): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: new URL('..', import.meta.url), timeout: 5_000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

/** The embedded default's "cluster": this host. */
export function localSnapshot(): ClusterSnapshot {
  return {
    nodes: [
      {
        name: hostname(),
        role: 'local',
        leader: true,
        arch: arch(),
        engineVersion: null,
        labels: {},
        cpuCount: cpus().length,
        memTotalKB: Math.round(totalmem() / 1024),
      },
    ],
  };
}
