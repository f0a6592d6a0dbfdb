/**
 * One status line at the bottom of a terminal, with log lines printed above
 * it. Written by hand (not cli-progress) for three things a run needs:
 * - a log line (a crash, a resume, a fault) first clears the status line, so
 *   it is printed whole on a line of its own, and the status is redrawn below;
 * - the status is cut to the terminal's width: a line that wraps cannot be
 *   cleared by `\r`, and its first rows would stay on screen as fragments;
 * - the hidden cursor is shown again on every way out — a normal end, an
 *   injected crash (`process.exit(137)`), a second signal, an uncaught error —
 *   through the process's synchronous 'exit' event.
 */
const clearLine = '\r\x1b[2K';
const hideCursor = '\x1b[?25l';
const showCursor = '\x1b[?25h';

export interface StatusLine {
  /** Replaces the status (redrawn at most every `intervalMs`, and on every log line). */
  set(text: string): void;
  /** Prints a line above the status. */
  log(line: string): void;
  /** Leaves the last status on its own line and shows the cursor again. */
  stop(): void;
}

/** Cuts a line to the terminal's width, counting characters (the status holds no wide ones). */
export function fitToWidth(text: string, columns: number): string {
  // Three columns spare: the terminal echoes a Ctrl-C as "^C" after the text, which must not wrap either.
  const max = Math.max(1, columns - 3);
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export interface StatusLineOptions {
  /** Redraw at most this often (and on every log line). */
  readonly intervalMs?: number;
  /**
   * Hide the cursor while the status shows (default). Work that runs
   * synchronously (lint) leaves it shown: its process can end at Ctrl-C with
   * no JavaScript running, so nothing could show a hidden cursor again.
   */
  readonly hideCursor?: boolean;
}

export function statusLine(stream: NodeJS.WriteStream, options: StatusLineOptions = {}): StatusLine {
  const { intervalMs = 100, hideCursor: hide = true } = options;
  let text = '';
  let drawnAt = 0;
  let active = true;
  const draw = () => {
    drawnAt = Date.now();
    stream.write(`${clearLine}${fitToWidth(text, stream.columns || 80)}`);
  };
  const restore = () => {
    if (!active) return;
    active = false;
    stream.write(`${clearLine}${fitToWidth(text, stream.columns || 80)}\n${hide ? showCursor : ''}`);
  };
  process.on('exit', restore);
  if (hide) stream.write(hideCursor);
  return {
    set(next) {
      text = next;
      if (active && Date.now() - drawnAt >= intervalMs) draw();
    },
    log(line) {
      if (!active) return void stream.write(`${line}\n`);
      stream.write(`${clearLine}${line}\n`);
      draw();
    },
    stop() {
      restore();
      process.off('exit', restore);
    },
  };
}
