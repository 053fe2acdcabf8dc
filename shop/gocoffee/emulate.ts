import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../../kernel/errors.ts';
import { requireBinary } from '../../kernel/binaries.ts';
import { Supervisor } from '../../kernel/supervise.ts';

/**
 * Runs a script inside an armhf root file system on this (amd64) machine, under qemu-arm-static,
 * without touching the host's binfmt settings: a user namespace gets a binfmt_misc instance of its
 * own (Linux ≥ 6.7), where qemu-arm-static is registered with the F flag, so every ARM program the
 * script starts (initdb's postgres, erl's beam) runs emulated, in that namespace only. The root
 * file system is an overlay (the cached one is never written), in its own mount, PID, UTS and
 * network namespaces (loopback only); everything ends with the script.
 */

// qemu's own binfmt entry for 32-bit little-endian ARM (scripts/qemu-binfmt-conf.sh).
const ARM_MAGIC = '\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x28\\x00';
const ARM_MASK = '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff';

export interface EmulatedRun {
  code: number | null;
  output: string;
  durationMs: number;
}

/** Runs `script` (POSIX sh, inside the root) in an emulated armhf root; its output is returned. */
export async function runInArmRootfs(rootfs: string, script: string, timeoutMs = 300_000): Promise<EmulatedRun> {
  const qemu = requireBinary('qemu-arm-static', 'qemu-user-static');
  const unshare = requireBinary('unshare', 'util-linux');
  const ip = requireBinary('ip', 'iproute2');
  const work = await mkdtemp(join(tmpdir(), 'arm-rootfs-'));
  const started = Date.now();
  try {
    await writeFile(join(work, 'register'), `:cloudlet-qemu-arm:M::${ARM_MAGIC}:${ARM_MASK}:${qemu}:F`);
    await writeFile(join(work, 'inner.sh'), script);
    const outer = [
      'set -e',
      // Wait for our parent to map uids and gids 0–65535 onto themselves (see below).
      'while [ "$(id -u)" != 0 ]; do sleep 0.05; done',
      `${ip} link set lo up`,
      'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc',
      `cat "${work}/register" > /proc/sys/fs/binfmt_misc/register`,
      `mkdir -p "${work}/upper" "${work}/ovl" "${work}/root"`,
      `mount -t overlay overlay -o "lowerdir=${rootfs},upperdir=${work}/upper,workdir=${work}/ovl" "${work}/root"`,
      `mount -t proc proc "${work}/root/proc"`,
      `mount -t tmpfs -o mode=1777 tmpfs "${work}/root/tmp"`,
      `mount --rbind /dev "${work}/root/dev"`,
      'hostname armtest',
      `printf '127.0.0.1 localhost armtest\\n' > "${work}/root/etc/hosts"`,
      `cp "${work}/inner.sh" "${work}/root/tmp/inner.sh"`,
      `exec chroot "${work}/root" /bin/sh /tmp/inner.sh`,
    ].join('\n');
    const log = join(work, 'output.log');
    const supervisor = new Supervisor();
    const child = supervisor.start({
      name: 'arm-rootfs',
      command: unshare,
      args: ['--user', '--mount', '--pid', '--net', '--uts', '--fork', '--kill-child', '--', '/bin/sh', '-c', outer],
      output: log,
    });
    // Every uid/gid 0–65535 maps to itself, so the servers can switch to their own users inside.
    // Written by us (root in the parent namespace may), not newuidmap, which wants /etc/subuid entries.
    const ownNs = await readlink('/proc/self/ns/user');
    for (let i = 0; i < 200 && (await readlink(`/proc/${child.pid}/ns/user`).catch(() => ownNs)) === ownNs; i++) await new Promise((r) => setTimeout(r, 10));
    await writeFile(`/proc/${child.pid}/uid_map`, '0 0 65536\n');
    await writeFile(`/proc/${child.pid}/gid_map`, '0 0 65536\n');
    const timer = setTimeout(() => void supervisor.stop(), timeoutMs);
    const { code } = await child.exited;
    clearTimeout(timer);
    await supervisor.stop();
    const output = await readFile(log, 'utf8').catch(() => '');
    if (/binfmt_misc.*(denied|not permitted)|permission denied.*binfmt/i.test(output)) {
      throw new EnvironmentError(
        `this kernel gives user namespaces no binfmt_misc of their own (Linux ≥ 6.7 does): ${output.trim().split('\n').slice(-2).join(' | ')}`,
      );
    }
    return { code, output, durationMs: Date.now() - started };
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The armhf postgres image's entrypoint initialises and serves; psql logs in with the password. */
export const POSTGRES_CHECK = `
env -i POSTGRES_PASSWORD=arm-secret PGDATA=/var/lib/postgresql/data /entrypoint.sh -c listen_addresses=127.0.0.1 &
i=0
while [ $i -lt 150 ]; do
  if PGPASSWORD=arm-secret /usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -U postgres -d postgres -Atc 'SELECT version()' 2>/dev/null; then exit 0; fi
  sleep 2; i=$((i + 1))
done
exit 1
`;

/** The armhf rabbitmq image's entrypoint starts the server; its default user authenticates. */
export const RABBITMQ_CHECK = `
env -i RABBITMQ_DEFAULT_USER=arm RABBITMQ_DEFAULT_PASS=arm-secret RABBITMQ_MANAGEMENT=off /entrypoint.sh >/tmp/rabbitmq.log 2>&1 &
i=0
while [ $i -lt 100 ]; do
  sleep 3; i=$((i + 1))
  case "$(cat /tmp/rabbitmq.log)" in *'Server startup complete'*)
    HOME=/var/lib/rabbitmq setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups /usr/lib/rabbitmq/bin/rabbitmqctl -q authenticate_user arm arm-secret && uname -m && exit 0
    exit 1 ;;
  esac
done
cat /tmp/rabbitmq.log
exit 1
`;
