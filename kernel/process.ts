/** Whether a process with this pid exists: signal 0 reaches it, or it exists but belongs to another user (EPERM). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The fields of a /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat) text after the command name,
 * which may hold spaces and parentheses: index 0 is field 3 (state), so field N is index N − 3.
 * Null when the text has no command name.
 */
export function statFields(stat: string): string[] | null {
  const close = stat.lastIndexOf(')');
  return close < 0
    ? null
    : stat
        .slice(close + 2)
        .trim()
        .split(' ');
}
