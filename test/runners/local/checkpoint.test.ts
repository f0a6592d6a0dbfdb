import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCheckpoints } from '../../../runners/local/checkpoint.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const checkpoint = (batch: number) => ({
  pipeline: 'p',
  batch,
  position: batch * 10,
  state: { watermark: batch, entries: [] },
});

describe('file checkpoints', () => {
  it('a failed write (disk full, here an unwritable temp file) leaves the previous checkpoint valid and says so', () => {
    const dir = tempDir();
    const store = new FileCheckpoints(dir);
    store.save(checkpoint(4));
    // The temp file cannot be created: the write fails before any rename, as with ENOSPC.
    mkdirSync(join(dir, 'checkpoint.json.tmp'));
    expect(() => store.save(checkpoint(5))).toThrow(
      /cannot write the checkpoint of batch 5 in .* \(EISDIR\); the checkpoint of batch 4 stays valid: free space and run again to resume/,
    );
    expect(store.load('p')).toEqual(checkpoint(4));
    rmSync(join(dir, 'checkpoint.json.tmp'), { recursive: true });
    store.save(checkpoint(5));
    expect(JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).batch).toBe(5);
  });

  it('a real ENOSPC (the temp file is /dev/full, which takes no bytes) leaves the previous checkpoint valid and says so', () => {
    const dir = tempDir();
    const store = new FileCheckpoints(dir);
    store.save(checkpoint(4));
    symlinkSync('/dev/full', join(dir, 'checkpoint.json.tmp'));
    expect(() => store.save(checkpoint(5))).toThrow(
      /cannot write the checkpoint of batch 5 in .* \(ENOSPC\); the checkpoint of batch 4 stays valid/,
    );
    expect(store.load('p')).toEqual(checkpoint(4));
  });

  it('refuses a checkpoint of another pipeline, and an unreadable one, with a clear message', () => {
    const dir = tempDir();
    new FileCheckpoints(dir).save(checkpoint(1));
    expect(() => new FileCheckpoints(dir).load('other')).toThrow(
      /belongs to pipeline "p", not "other"; use another --checkpoint folder/,
    );
  });
});
