import { Command } from 'commander';
import { createLogger } from '../../kernel/log.ts';
import type { BenchConfig } from '../config.ts';
import { estimateDurationS, planPoints } from '../plan.ts';
import { pointEnv, validateScenarioEnv } from '../scenario-env.ts';
import { configFrom, configOption, envOption, withScenarioVariables } from './options.ts';

/** `bench plan`: the shuffled plan of a config and its estimated duration; touches nothing. */
export function planCommand(): Command {
  return withScenarioVariables(
    new Command('plan')
      .description('Print the shuffled plan of a bench config and its estimated duration; touches nothing.')
      .addOption(configOption())
      .addOption(envOption())
      .option('--json', 'print the plan as JSON'),
  ).action(async (options: { config?: string; env: Record<string, string>; json?: boolean }) => {
    const config = await configFrom(options, createLogger());
    await validateScenarioEnv(config);
    printPlan(config, Boolean(options.json));
  });
}

export function printPlan(config: BenchConfig, json: boolean, generator?: string): void {
  const points = planPoints(config);
  const estimateS = Math.ceil(estimateDurationS(config, points));
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ name: config.name, estimateS, points: points.map((p) => ({ ...p, env: pointEnv(config, p, ['<target>']) })) }, null, 2)}\n`,
    );
    return;
  }
  // The windows are what the plan knows; scaling and the state before each point take what the system takes.
  const extra =
    config.state === 'none'
      ? ' plus scaling'
      : ` plus scaling and each point's state ${config.state} (measured: 12–15 s a reset on one machine, 25–31 s on a swarm)`;
  const lines = [`${config.name}: ${points.length} points, about ${estimateS} s${extra}${generator ? `, load by ${generator}` : ''}`];
  for (const p of points)
    lines.push(
      `  ${String(p.index + 1).padStart(3)}  ${p.pointId.padEnd(32)} replicas ${JSON.stringify(p.replicas)}  ${p.rateRps} rps  ${p.warmupS}+${p.durationS} s  ${config.profile}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}
