import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { UsageError } from '../usage-error.ts';

function* generated(count: number, keys: number, seed: number): Generator<string> {
  const settings = {
    seed,
    count,
    keys,
    intervalMs: 10,
    startTs: Date.UTC(2024, 0, 1),
    lateFraction: 0,
    duplicateFraction: 0,
  };
  for (let i = 0; i < count; i++) yield JSON.stringify(generatedEvent(settings, i).event);
}

export interface ProduceFlags {
  readonly from: string;
  readonly brokers?: string;
  readonly count: number;
  readonly keys: number;
  readonly seed: number;
}

export async function produceAction(topic: string, flags: ProduceFlags): Promise<void> {
  const brokers = (flags.brokers ?? process.env.IDEMFLOW_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  let lines: AsyncIterable<string> | Iterable<string>;
  if (flags.from === 'generator') lines = generated(flags.count, flags.keys, flags.seed);
  else if (existsSync(flags.from))
    lines = createInterface({ input: createReadStream(flags.from, 'utf8'), crlfDelay: Infinity });
  else throw new UsageError(`--from: ${flags.from} is neither a file nor "generator"`);
  const sent = await produceLines(
    brokers,
    topic,
    lines,
    (n) => process.stderr.isTTY && process.stderr.write(`\rsent ${n}`),
  );
  process.stdout.write(`${process.stderr.isTTY ? '\n' : ''}sent ${sent} messages to ${topic}\n`);
}
