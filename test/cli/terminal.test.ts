import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-cli.ts';
import { Terminal } from '../helpers/terminal.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const terminals: Terminal[] = [];
afterEach(() => terminals.splice(0).forEach((t) => t.close()));
const bin = join(repoRoot, 'bin/idemflow.js');
const barLine = /[█░]|ev\/s/;

function open(columns: number): Terminal {
  const terminal = new Terminal(columns);
  terminals.push(terminal);
  return terminal;
}

if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('these tests need tmux (apt-get install -y tmux)');

// Each case runs the CLI in a real terminal (tmux); on a shared, loaded machine a run can take 30 s.
describe('the progress bar in a terminal', { timeout: 300_000 }, () => {
  it.each([80, 120])(
    'at %i columns: crash and resume messages print whole above the bar, the cursor comes back after exit 137, and the summary has no bar fragments',
    async (columns) => {
      const dir = tempDir();
      const terminal = open(columns);
      const run = `node ${bin} run pipelines/demo/sensor-aggregates.ts --store ${dir}/store --checkpoint ${dir}/ckpt --faults crash-at=4,lost-ack=0.2 --seed 5 --batch-size 500`;
      terminal.start(`cd ${repoRoot}\n${run}; echo "first exit $?"; read -r\n${run}; echo "second exit $?"\n`, dir);
      await terminal.waitFor(/first exit \d+/);
      expect(terminal.cursorVisible()).toBe(true);
      terminal.keys('Enter');
      await terminal.waitFor(/second exit \d+/);
      expect(terminal.cursorVisible()).toBe(true);
      const rows = terminal.rowsShown();
      const text = rows.join('\n');
      expect(text).toContain('first exit 137');
      expect(text).toContain('second exit 0');
      // The messages, each whole on a row of its own.
      for (const message of [
        'faults: lost-ack=0.2,crash-at=4 (seed 5)',
        'injected crash in batch 4',
        'resuming sensor-aggregates from the checkpoint after batch 3',
      ]) {
        expect(rows, text).toContain(message);
      }
      // One bar a run, never wrapped onto a second row, never beside other text.
      const bars = rows.filter((r) => barLine.test(r));
      expect(bars, text).toHaveLength(2);
      for (const bar of bars) {
        expect(bar).toMatch(/^sensor-aggregates \[[█░]{20}\] \d+% \| /);
        expect([...bar].length).toBeLessThan(columns);
      }
      // The resumed run's bar counts the input from its start, so it ends full, and (where it fits) says where it resumed.
      expect(bars[1]).toMatch(/\] 100% \| /);
      if (columns >= 120) expect(bars[1]).toMatch(/events, resumed at record [1-9][\d,]* \| /);
      // Its summary follows its bar, clean, and says which batches it ran (rows joined where the terminal wrapped them).
      const lines = terminal.screen();
      const summaryAt = lines.findIndex((r) => r.startsWith('sensor-aggregates: '));
      expect(summaryAt).toBeGreaterThan(lines.indexOf(bars[1]!));
      expect(lines[summaryAt]).toMatch(
        /^sensor-aggregates: [\d,]+ records in batches 4–\d+ \(resumed at record [1-9][\d,]*\), [\d.]+ s \([\d,]+ records\/s\)$/,
      );
      expect(lines[summaryAt + 1]).toMatch(
        /^ {2}dead letters \d+ · late \d+ · lost in flight \d+ · replays \d+ · abandoned writes \d+$/,
      );
    },
  );

  it('Ctrl-C once: the signal message prints above the bar and the run stops with a checkpoint; twice: exit 130; the cursor comes back both times', async () => {
    const dir = tempDir();
    const terminal = open(80);
    const run = (file: string, n: number) =>
      `node ${bin} run ${file} --store ${dir}/store${n} --checkpoint ${dir}/ckpt${n} --batch-size 500`;
    terminal.start(
      `cd ${repoRoot}\n${run('test/fixtures/run/paced.ts', 1)}; echo "first exit $?"\n${run('test/fixtures/run/slow-sink.ts', 2)}; echo "second exit $?"`,
      dir,
    );
    await terminal.waitFor(/paced \[[█░]+\] \d+% \| [1-9][\d,]*\/60,000 events/);
    terminal.keys('C-c');
    await terminal.waitFor(/first exit \d+/);
    expect(terminal.cursorVisible()).toBe(true);
    // The slow sink's first write is in flight once the bar shows events read.
    await terminal.waitFor(/first exit \d+[\s\S]*slow \[[█░]+\] \d+% \| [1-9][\d,]*\/20,000 events/);
    terminal.keys('C-c');
    await new Promise((r) => setTimeout(r, 500));
    terminal.keys('C-c');
    await terminal.waitFor(/second exit \d+/);
    expect(terminal.cursorVisible(), terminal.rowsShown().join('\n')).toBe(true);
    // Messages are checked on the screen with wrapped rows joined: at 80 columns the signal message takes two.
    const lines = terminal.screen();
    const text = lines.join('\n');
    expect(text).toContain('first exit 0');
    expect(text).toContain('second exit 130');
    expect(
      lines.filter(
        (r) => r === 'SIGINT: finishing the batch in flight and writing a checkpoint (again to exit at once)',
      ),
      text,
    ).toHaveLength(2);
    expect(
      lines.some((r) => /^stopped by signal after batch \d+; run again with the same --checkpoint to resume$/.test(r)),
      text,
    ).toBe(true);
    for (const bar of terminal.rowsShown().filter((r) => barLine.test(r)))
      expect(bar).toMatch(/^(paced|slow) \[[█░]{20}\] \d+% \| .{10,}$/);
  });
});

describe("lint's progress bar in a terminal", { timeout: 300_000 }, () => {
  const lintBar = /^lint \[[█░]{20}\] \d+% \| \d+\/(\d+) files$/;

  it('fits the terminal on one row, stays above the report, and leaves the cursor shown', async () => {
    const dir = tempDir();
    const terminal = open(80);
    terminal.start(
      `cd ${repoRoot}\nnode ${bin} lint compiler/lint --format json -o ${dir}/report.json; echo "lint exit $?"`,
      dir,
    );
    await terminal.waitFor(/lint exit \d+/);
    const rows = terminal.rowsShown();
    const text = rows.join('\n');
    expect(text).toContain('lint exit 0');
    expect(terminal.cursorVisible()).toBe(true);
    const bars = rows.filter((r) => r.startsWith('lint ['));
    expect(bars, text).toHaveLength(1);
    expect(bars[0], text).toMatch(lintBar);
    expect(bars[0]).toContain('100% |');
  });

  it('Ctrl-C ends lint at once with exit 130 and the cursor shown', async () => {
    const dir = tempDir();
    const terminal = open(80);
    // A trap (not an ignore, which node would inherit) keeps bash going after its child dies of the SIGINT, to print the status.
    terminal.start(`cd ${repoRoot}\ntrap ':' INT\nnode ${bin} lint compiler; echo "lint exit $?"`, dir);
    await terminal.waitFor(/lint \[[█░]{20}\] \d+% \| \d+\/\d+ files/);
    terminal.keys('C-c');
    await terminal.waitFor(/lint exit \d+/, 30_000);
    expect(terminal.rowsShown().join('\n')).toContain('lint exit 130');
    expect(terminal.cursorVisible(), terminal.rowsShown().join('\n')).toBe(true);
  });
});
