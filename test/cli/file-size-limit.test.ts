import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { repoRoot, runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Runs `node args` in a child whose files may not grow past `kib` KiB (RLIMIT_FSIZE, as `ulimit -f` sets it). */
function underFileSizeLimit(kib: number, args: readonly string[]) {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const r = spawnSync('bash', ['-c', `ulimit -f ${kib} && exec '${process.execPath}' ${quoted}`], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bin = join(repoRoot, 'bin/idemflow.js');
const bigState = 'test/fixtures/durability/big-state.ts';

describe('short writes under a file-size limit (finding 6)', () => {
  it('a checkpoint cut short by the limit is not renamed over the good one; the run stops naming EFBIG; without the limit it resumes and ends exact', () => {
    const dir = tempDir();
    const common = [
      bigState,
      '--store',
      join(dir, 'store'),
      '--checkpoint',
      join(dir, 'ckpt'),
      '--batch-size',
      '1000',
      '-q',
    ];
    expect(runCli(['run', ...common, '--faults', 'crash-at=3']).status).toBe(137);
    const checkpointPath = join(dir, 'ckpt', 'checkpoint.json');
    const good = readFileSync(checkpointPath, 'utf8');
    // The state's delta log grows about 28 KB a batch (some 880 of the 4,000 sensors change): after batch 2 it is
    // under 72 KiB, after batch 3 over, so a 72 KiB limit cuts batch 3's append short, partway.
    const log = join(dir, 'ckpt', 'state', 'deltas-00000001.log');
    const goodLog = readFileSync(log);
    expect(goodLog.length).toBeLessThan(72 * 1024);
    expect(goodLog.length * 1.5).toBeGreaterThan(72 * 1024);

    const limited = underFileSizeLimit(72, [bin, 'run', ...common]);
    expect(limited.status).toBe(2);
    expect(limited.stderr).toMatch(
      /cannot write the checkpoint of batch 3 in .*ckpt \(EFBIG\); the checkpoint of batch 2 stays valid/,
    );
    expect(readFileSync(checkpointPath, 'utf8')).toBe(good);
    // The part that was written is cut back: the log holds exactly what the checkpoint of batch 2 committed.
    expect(readFileSync(log).equals(goodLog)).toBe(true);

    const resumed = runCli(['run', ...common]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming big-state from the checkpoint after batch 2/);
    const rows = new EmbeddedStore(join(dir, 'store')).table({ table: 'daily' }).rows();
    expect(rows.reduce((a, r) => a + Number(r.columns.n), 0)).toBe(8_000);
  }, 240_000);

  it('an append or a replacement that the limit cuts short throws, and leaves the file as it was', () => {
    const dir = tempDir();
    const script = join(dir, 'writes.ts');
    const durable = pathToFileURL(join(repoRoot, 'connectors/durable-file.ts')).href;
    writeFileSync(
      script,
      `import { appendDurably, writeFileAtomically } from '${durable}';
       import { statSync, readFileSync } from 'node:fs';
       const log = '${join(dir, 'log.jsonl')}', file = '${join(dir, 'state.json')}';
       const line = 'x'.repeat(799) + '\\n';
       const outcome = (f: () => void) => { try { f(); return 'ok'; } catch (e) { return (e as NodeJS.ErrnoException).code; } };
       const first = outcome(() => appendDurably(log, line));
       const second = outcome(() => appendDurably(log, line));
       const good = outcome(() => writeFileAtomically(file, 'good'));
       const big = outcome(() => writeFileAtomically(file, 'y'.repeat(3_000)));
       console.log(JSON.stringify({ first, second, logBytes: statSync(log).size, good, big, file: readFileSync(file, 'utf8') }));`,
    );
    const r = underFileSizeLimit(1, ['--import', 'tsx', script]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      first: 'ok',
      second: 'EFBIG',
      logBytes: 800,
      good: 'ok',
      big: 'EFBIG',
      file: 'good',
    });
  });
});
