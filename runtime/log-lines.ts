import { createReadStream, existsSync } from 'node:fs';

/**
 * The complete lines of a file, read a chunk at a time: memory holds one
 * chunk and one line, whatever the file's size. A last line without its
 * newline is a torn append that was never acknowledged, and is dropped, as
 * the table log's reader does.
 */
export async function* completeLines(path: string): AsyncGenerator<string> {
  if (!existsSync(path)) return;
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const text = rest + (chunk as string);
    const last = text.lastIndexOf('\n');
    if (last === -1) {
      rest = text;
      continue;
    }
    rest = text.slice(last + 1);
    for (const line of text.slice(0, last).split('\n')) if (line !== '') yield line;
  }
}
