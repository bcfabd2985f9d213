/**
 * Progress for long steps. On a TTY it redraws one status line on stderr; in
 * --json mode, or when stderr is not a terminal, it only prints step starts and
 * ends (or nothing in quiet mode), so stdout stays clean for machine readers.
 */
export interface Progress {
  step<T>(label: string, work: (tick: (done: number, total?: number) => void) => Promise<T>): Promise<T>;
  info(message: string): void;
  warn(message: string): void;
}

export interface ProgressOptions {
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const quiet = options.quiet ?? false;
  const tty = Boolean(stream.isTTY) && !quiet;
  const write = (text: string) => {
    if (!quiet) stream.write(text);
  };
  return {
    async step(label, work) {
      const started = performance.now();
      let lastDraw = 0;
      if (!tty) write(`… ${label}\n`);
      const tick = (done: number, total?: number) => {
        if (!tty) return;
        const now = performance.now();
        if (now - lastDraw < 100 && done !== total) return;
        lastDraw = now;
        const pct = total ? ` ${Math.floor((100 * done) / total)}%` : "";
        stream.write(`\r\x1b[2K… ${label}${pct} (${done}${total ? `/${total}` : ""})`);
      };
      try {
        const result = await work(tick);
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        write(`${tty ? "\r\x1b[2K" : ""}✓ ${label} (${secs}s)\n`);
        return result;
      } catch (error) {
        write(`${tty ? "\r\x1b[2K" : ""}✗ ${label}\n`);
        throw error;
      }
    },
    info(message) {
      write(`${message}\n`);
    },
    warn(message) {
      // Warnings matter even in quiet mode: they go to stderr, never stdout.
      stream.write(`warning: ${message}\n`);
    },
  };
}
