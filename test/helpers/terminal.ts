import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A real terminal for tests: a detached tmux session of a given size (tmux
 * emulates the screen: `\r`, clearing, wrapping and the cursor's visibility
 * are what a user would see). Each instance has its own tmux server socket,
 * stopped by `close()`.
 */
export class Terminal {
  readonly #socket = `idemflow-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor(
    readonly columns: number,
    readonly rows = 50,
  ) {}

  #tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.#socket, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args[0]}: ${r.stderr}`);
    return r.stdout;
  }

  /** Runs a bash script in the terminal; the pane stays after it ends, so its screen can be read. */
  start(script: string, dir: string): void {
    const file = join(dir, 'terminal-script.sh');
    // The script waits at its end, so the screen stays to be read; bash is the pane's process itself (exec), so that a
    // Ctrl-C reaches the program under test and bash, which goes on when the program exits by itself, not a shell between.
    writeFileSync(file, `${script}\ntrap '' INT\nsleep 600\n`);
    this.#tmux(
      'new-session',
      '-d',
      '-x',
      String(this.columns),
      '-y',
      String(this.rows),
      '-s',
      't',
      `exec bash ${file}`,
    );
    this.#tmux('set-option', '-t', 't', 'remain-on-exit', 'on');
  }

  /** The screen and its scroll-back, one string a row, trailing blanks cut. */
  screen(): string[] {
    return this.#tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 't')
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l, i, all) => l !== '' || all.slice(i).some((x) => x !== ''));
  }

  /** The screen's rows as printed (no joining of wrapped rows): what the user sees line by line. */
  rowsShown(): string[] {
    return this.#tmux('capture-pane', '-p', '-S', '-', '-t', 't')
      .split('\n')
      .map((l) => l.trimEnd());
  }

  cursorVisible(): boolean {
    return this.#tmux('display', '-p', '-t', 't', '#{cursor_flag}').trim() === '1';
  }

  keys(...keys: string[]): void {
    this.#tmux('send-keys', '-t', 't', ...keys);
  }

  async waitFor(pattern: RegExp, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.rowsShown().join('\n'))) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern} on the screen:\n${this.rowsShown().join('\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  close(): void {
    spawnSync('tmux', ['-L', this.#socket, 'kill-server']);
  }
}
