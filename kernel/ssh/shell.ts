/** Quotes one word for a POSIX shell; words of safe characters stay as they are. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Words as one command line, each quoted. */
export function quoteWords(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** A script for a remote login shell: `exec <shell> -c '<script>' <args>`, e.g. shell ['busybox', 'sh']. */
export function shellScriptCommand(shell: readonly string[], script: string, args: readonly string[] = []): string {
  return quoteWords(['exec', ...shell, '-c', script, ...args]);
}
