/** Progress and logs go to stderr; results go to stdout or files, so a command's output can be piped. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Overwrites the current line on a TTY, prints a line otherwise; `done()` ends it. */
  progress(message: string): void;
  done(): void;
}

export function createLogger(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  let open = false;
  // Without a TTY every progress message is a new line: keep it to one every few seconds.
  let lastProgressMs = 0;
  const NON_TTY_PROGRESS_MS = 5_000;
  const end = () => {
    if (open) stream.write('\n');
    open = false;
  };
  return {
    info(message) {
      if (options.quiet) return;
      end();
      lastProgressMs = 0;
      stream.write(`${message}\n`);
    },
    warn(message) {
      end();
      stream.write(`warning: ${message}\n`);
    },
    progress(message) {
      if (options.quiet) return;
      if (tty) {
        stream.write(`\r\x1b[2K${message}`);
        open = true;
      } else if (Date.now() - lastProgressMs >= NON_TTY_PROGRESS_MS) {
        lastProgressMs = Date.now();
        stream.write(`${message}\n`);
      }
    },
    done: end,
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, progress() {}, done() {} };
