import { readdir, readFile } from 'node:fs/promises';
import { statFields } from '../../kernel/process.ts';

/** Pids of every process below `root`, from the ppid field of /proc/<pid>/stat. */
export async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(statFields(stat)?.[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // Exited while we looked.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents)
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
  };
  walk(root);
  return found;
}

/** Whether a process with this pid exists (a zombie counts). */
export { alive } from '../../cluster/testbed/nodes.ts';

/** A process's state letter (R, S, T, Z…), or undefined once it is gone. */
export async function procState(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return statFields(stat)?.[0];
}

/** Each thread's nice value (field 19 of /proc/PID/task/TID/stat), by thread id. */
export async function threadNice(pid: number): Promise<Map<number, number>> {
  const nice = new Map<number, number>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const field = statFields(await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => ''))?.[16];
    if (field !== undefined) nice.set(Number(tid), Number(field));
  }
  return nice;
}
