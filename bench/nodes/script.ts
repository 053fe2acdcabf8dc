/**
 * The node sampler: one POSIX sh loop, the same text on a phone (busybox ash over SSH) and on the
 * local host (`sh -c`, dash on Debian). Nothing is installed on a node; parsing is done on the
 * harness (./parse.ts, ./sample.ts).
 *
 * Output, one framed record per interval:
 *   @@hello <format> <pid>        once: the loop's own pid, read by `npm run perf -- sampler`
 *   @@rec <seq>
 *   t <clock>                      node clock (kernel/ssh/clock.ts NODE_CLOCK_LINE): $EPOCHREALTIME or `date +%s%N`
 *   f <core> <online|-> <cur kHz|-> <max kHz|->        every /sys/devices/system/cpu/cpuN
 *   s <a /proc/stat cpu line>      the aggregate line and one per online core
 *   l <a /proc/loadavg line>
 *   m <key:> <kB>                  MemTotal, MemFree, MemAvailable, Buffers, Cached
 *   z <zone> <temp m°C|-> <type...>                     every thermal_zone*
 *   b <supply> <temp d°C|-> <type...>                   every power_supply with a temp file
 *   @@end <seq>
 *
 * Why builtins only (`read` from files, never `cat`): a fork costs a phone far more than the read
 * itself. Where the shell has $EPOCHREALTIME (busybox ash, bash) the loop forks nothing at all: it
 * waits with `read -t` on a FIFO nobody writes to (opened read-write so the open does not block,
 * unlinked at once); elsewhere (dash) it forks `sleep` and `date`. A read that returns data instead
 * of timing out cannot happen with that FIFO, but would drop the loop back to `sleep` rather than spin.
 * /proc/stat is read for exactly the online cores (counted from sysfs first): `read` takes a byte
 * per syscall, and the `intr` line after the cpu lines runs to kilobytes on a phone.
 * Reads of sysfs files can fail (EIO, ENODATA on phones): stderr of each read goes to /dev/null
 * (set before the input redirection so a missing file is silent too) and the field becomes `-`.
 */

import { NODE_CLOCK_LINE } from '../../kernel/ssh/clock.ts';
import { shellScriptCommand } from '../../kernel/ssh/shell.ts';

/** Output format version printed in the hello line. */
export const SAMPLER_FORMAT = 1;

const LOOP = `iv=$1; P=$2; S=$3
C=$S/devices/system/cpu; T=$S/class/thermal; B=$S/class/power_supply
w=0
if [ -n "\${EPOCHREALTIME:-}" ]; then
q=\${TMPDIR:-/tmp}/cloudlet-sampler.$$
if mkfifo "$q" 2>/dev/null; then exec 3<>"$q"; rm -f "$q"; w=1; fi
fi
r() { y=; v=; read -r y 2>/dev/null <"$2/type"; read -r v 2>/dev/null <"$2/temp"; echo "$1 \${2##*/} \${v:--} $y"; }
n=0
echo "@@hello ${SAMPLER_FORMAT} $$"
while :; do
n=$((n+1))
echo "@@rec $n"
${NODE_CLOCK_LINE}
c=0
for d in $C/cpu[0-9]*; do
[ -d "$d" ] || continue
o=; f=; x=
[ -r "$d/online" ] && read -r o 2>/dev/null <"$d/online"
[ -r "$d/cpufreq/scaling_cur_freq" ] && read -r f 2>/dev/null <"$d/cpufreq/scaling_cur_freq"
[ -r "$d/cpufreq/cpuinfo_max_freq" ] && read -r x 2>/dev/null <"$d/cpufreq/cpuinfo_max_freq"
[ "$o" = 0 ] || c=$((c+1))
echo "f \${d##*/cpu} \${o:--} \${f:--} \${x:--}"
done
[ $c -gt 0 ] || c=4096
i=-1
while [ $i -lt $c ] && read -r l; do case $l in cpu*) echo "s $l";; *) break;; esac; i=$((i+1)); done 2>/dev/null <$P/stat
read -r l 2>/dev/null <$P/loadavg && echo "l $l"
while read -r k v u; do case $k in MemTotal:|MemFree:|MemAvailable:|Buffers:|Cached:) echo "m $k $v";; SwapCached:) break;; esac; done 2>/dev/null <$P/meminfo
for z in $T/thermal_zone*; do [ -d "$z" ] && r z "$z"; done
for p in $B/*; do [ -r "$p/temp" ] && r b "$p"; done
echo "@@end $n"
if [ $w = 1 ]; then read -t $iv x <&3 && w=0; else sleep $iv; fi
done
`;

/** The loop as an `sh -c` script; its positional parameters come from `samplerArgs`. */
export function samplerScript(): string {
  return LOOP;
}

export interface SamplerArgs {
  /** Time between records; default 1000. The loop sleeps this long after each record. */
  intervalMs?: number;
  /** Roots to read, for fixture trees in tests; default `/proc` and `/sys`. */
  procRoot?: string;
  sysRoot?: string;
}

/** `$0 $1 $2 $3` of the script: name, interval in seconds, /proc root, /sys root. */
export function samplerArgs(args: SamplerArgs = {}): string[] {
  const intervalMs = args.intervalMs ?? 1000;
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs: expected > 0, got ${intervalMs}`);
  // Fractional sleep works in busybox and GNU sleep, the two a node can have.
  const seconds = String(Math.round(intervalMs) / 1000);
  return ['cloudlet-sampler', seconds, args.procRoot ?? '/proc', args.sysRoot ?? '/sys'];
}

/** The full command line for a remote login shell: `exec sh -c '<script>' <args>`. */
export function samplerCommand(args: SamplerArgs = {}, shell: readonly string[] = ['sh']): string {
  return shellScriptCommand(shell, samplerScript(), samplerArgs(args));
}
