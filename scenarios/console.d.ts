// k6 provides `console`, but @types/k6 does not declare it and the scenario tsconfig has no DOM lib.
declare const console: {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
};
