import { Command } from 'commander';
import { parseInteger } from '../shared-options.ts';

// The runner, the compiler and the demo's pipelines load only when demo runs, not for --help.
export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'Watch the counter anti-pattern overcount and the idempotent design stay exact, on the embedded store, with faults injected.',
    )
    .option('--seed <n>', 'seed of the fault schedule', parseInteger('--seed', 0), 7)
    .option('--faults <spec>', 'faults for both runs', 'lost-ack=0.15,write-fail=0.05,crash-at=9,loss=0.01')
    .action(async (flags: { seed: number; faults: string }) => (await import('../actions/demo.ts')).demoAction(flags));
}
