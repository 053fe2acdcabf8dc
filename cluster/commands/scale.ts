import { Command } from 'commander';
import { parseScaleTarget } from '../stack/scale.ts';
import { print, type WaitFlags, withControl, withWait } from './options.ts';

/** `cluster scale <service>=<n>...` */
export function scaleCommand(): Command {
  return withWait(new Command('scale').argument('<targets...>', '<service>=<replicas>, e.g. coffee-shop_shop=3 (or shop=3 with one stack)'))
    .description('set replica counts and wait for convergence; prints the time it took')
    .action(async (targets: string[], flags: WaitFlags, command: Command) => {
      const parsed = targets.map(parseScaleTarget);
      const result = await withControl(command, { timeoutMs: flags.timeout, settleMs: flags.settle }, (control) => control.scale(parsed));
      print(
        flags.json
          ? JSON.stringify(result, null, 2)
          : `${result.services.map((service) => `${service.name} ${service.from} → ${service.to}`).join(', ')}: converged in ${(result.convergenceMs / 1000).toFixed(1)} s`,
      );
    });
}
