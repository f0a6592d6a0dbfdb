import { Command, Option } from 'commander';
import type { ProduceFlags } from '../actions/produce.ts';
import { parseInteger } from '../shared-options.ts';

// kafkajs loads only when produce runs, not for --help.
export function produceCommand(): Command {
  return new Command('produce')
    .description('Load sample data into a Kafka topic: the lines of a file, or synthetic sensor readings.')
    .argument('<topic>', 'Kafka topic')
    .addOption(new Option('--from <source>', 'a JSONL file path, or "generator"').makeOptionMandatory())
    .option('--brokers <list>', 'host:port,… (default IDEMFLOW_KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('--count <n>', 'generator: events', parseInteger('--count', 1), 10_000)
    .option('--keys <n>', 'generator: sensors', parseInteger('--keys', 1), 100)
    .option('--seed <n>', 'generator: seed', parseInteger('--seed', 0), 1)
    .action(async (topic: string, flags: ProduceFlags) =>
      (await import('../actions/produce.ts')).produceAction(topic, flags),
    );
}
