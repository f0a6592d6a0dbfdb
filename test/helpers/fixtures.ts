import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const Reading = z.object({ eventId: z.string(), sensorId: z.string(), ts: z.number(), value: z.number() });
export type Reading = z.infer<typeof Reading>;

export const readings: readonly Reading[] = [
  { eventId: 'e1', sensorId: 's1', ts: 1_000, value: 1 },
  { eventId: 'e2', sensorId: 's2', ts: 2_000, value: 2 },
  { eventId: 'e3', sensorId: 's1', ts: 61_000, value: 3 },
];

export const kafka = { brokers: ['127.0.0.1:9092'], topic: 'readings', groupId: 'test' } as const;
export const socket = { host: '127.0.0.1', port: 9999 } as const;

/** The line of the first line in `fileUrl` that contains `marker`: lets tests assert reported locations. */
export function lineOf(fileUrl: string, marker: string): number {
  const lines = readFileSync(fileURLToPath(fileUrl), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(marker) && !l.includes('lineOf('));
  if (index < 0) throw new Error(`marker ${marker} not found`);
  return index + 1;
}

/** The line of `marker` (as lineOf) and the column where `text` starts on it: a finding's exact place. */
export function placeOf(fileUrl: string, marker: string, text: string): { line: number; column: number } {
  const line = lineOf(fileUrl, marker);
  const column = readFileSync(fileURLToPath(fileUrl), 'utf8').split('\n')[line - 1]!.indexOf(text) + 1;
  if (column === 0) throw new Error(`${text} not found on the line of ${marker}`);
  return { line, column };
}
