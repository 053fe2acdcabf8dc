import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../kernel/log.ts';
import { testbedLayout, type TestbedLayout, type TestbedOptions } from '../../cluster/testbed/layout.ts';
import { testbedDown, testbedUp } from '../../cluster/testbed/testbed.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningTestbed {
  layout: TestbedLayout;
  inventoryPath: string;
  upMs: number;
  down(): Promise<void>;
}

/**
 * A test file's testbed id: its own number (1–9) so files run side by side, shifted by
 * CLOUDLET_TESTBED_ID_OFFSET (0–30) so two checkouts can run the suite at once on one machine.
 */
export function testbedId(fileId: number): number {
  const offset = Number(process.env.CLOUDLET_TESTBED_ID_OFFSET ?? 0);
  if (!Number.isInteger(offset) || offset < 0 || offset > 30)
    throw new Error(`CLOUDLET_TESTBED_ID_OFFSET must be an integer 0–30, got "${process.env.CLOUDLET_TESTBED_ID_OFFSET}"`);
  return fileId + offset;
}

/**
 * A simulated cloudlet for one test file (see testbedId). Not root → testbedUp throws, and the
 * file's tests fail with that message (never skip).
 */
export async function startTestbed(options: { id: number; nodes?: number; managers?: number; swarm?: boolean; shopImage?: boolean }): Promise<RunningTestbed> {
  const id = testbedId(options.id);
  const full: TestbedOptions = {
    id,
    nodes: options.nodes ?? 4,
    managers: options.managers ?? 1,
    dir: `/tmp/cloudlet-testbed-${id}`,
    swarm: options.swarm ?? true,
    // The shop image costs seconds per testbed: only the files that deploy the shop ask for it.
    shopImage: options.shopImage ?? false,
  };
  const up = await testbedUp(full, silentLogger);
  return { layout: testbedLayout(full), inventoryPath: up.inventoryPath, upMs: up.durationMs, down: () => testbedDown(full, silentLogger) };
}

/** A testbed started with `npm run testbed -- up --id <id>`, from the path it printed. */
export function testbedFromCli(id: number, inventoryPath: string, shape: { nodes: number; managers: number }): RunningTestbed {
  const full: TestbedOptions = { id, ...shape, dir: `/tmp/cloudlet-testbed-${id}` };
  if (inventoryPath !== testbedLayout(full).inventoryPath)
    throw new Error(`testbed up printed "${inventoryPath}", expected ${testbedLayout(full).inventoryPath}`);
  return { layout: testbedLayout(full), inventoryPath, upMs: 0, down: () => testbedDown(full, silentLogger) };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs one of our CLIs (`cluster/cli.ts`, `cluster/testbed/cli.ts`) the way `npm run` does. */
export function runCli(script: string, args: string[], timeoutMs = 120_000, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, durationMs: Date.now() - started });
      },
    );
  });
}

export const clusterCli = (inventoryPath: string, args: string[], timeoutMs?: number): Promise<CliResult> =>
  runCli('cluster/cli.ts', ['--cluster', inventoryPath, ...args], timeoutMs);
