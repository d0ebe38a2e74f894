/**
 * A private network for DNS-SD tests: a network namespace with one veth interface (10.213.0.1/24, an address that exists only inside the namespace), a throwaway D-Bus system bus,
 * and an Avahi daemon on that bus allowed only that interface. Multicast DNS therefore never leaves
 * the namespace, and nothing is advertised on the machine's real network. Processes run inside it
 * with `run()`; D-Bus clients outside it (avahi-browse) reach the daemon through `busAddress`,
 * since a Unix socket is a file, not a network endpoint.
 * Needs root (ip netns, mount), iproute2, dbus-daemon and avahi-daemon (scripts/ensure-debian-packages.mjs).
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DnssdNamespace {
  readonly name: string;
  /** The namespace's only non-loopback address: servers listen here to be advertised. */
  readonly address: string;
  /** DBUS_SYSTEM_BUS_ADDRESS of the private bus the Avahi daemon serves. */
  readonly busAddress: string;
  /** Spawns `command args` inside the namespace, with the private bus as the system bus. */
  run(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  stop(): Promise<void>;
}

function must(command: string, args: readonly string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

export async function startDnssdNamespace(): Promise<DnssdNamespace> {
  if (process.getuid?.() !== 0) throw new Error('the DNS-SD test needs root for ip netns');
  const name = `tno-dnssd-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'tno-dnssd-'));
  const address = '10.213.0.1';
  const busAddress = `unix:path=${join(dir, 'bus.sock')}`;
  const children: ChildProcess[] = [];
  must('ip', ['netns', 'add', name]);
  try {
    must('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    // A veth pair with both ends inside the namespace (no dummy driver in every kernel): tno0 carries
    // the address, tno1 only gives the link a carrier so multicast flows.
    must('ip', ['-n', name, 'link', 'add', 'tno0', 'type', 'veth', 'peer', 'name', 'tno1']);
    must('ip', ['-n', name, 'addr', 'add', `${address}/24`, 'dev', 'tno0']);
    must('ip', ['-n', name, 'link', 'set', 'tno1', 'up']);
    must('ip', ['-n', name, 'link', 'set', 'tno0', 'up']);
    writeFileSync(
      join(dir, 'bus.conf'),
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>${busAddress}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy>
<includedir>/usr/share/dbus-1/system.d</includedir></busconfig>
`,
    );
    writeFileSync(
      join(dir, 'avahi.conf'),
      `[server]\nhost-name=tno-test-host\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=tno0\nenable-dbus=yes\n[wide-area]\nenable-wide-area=no\n[publish]\npublish-hinfo=no\npublish-workstation=no\n`,
    );
    // Host-name lookups (getaddrinfo) of tno-test-host.local inside the namespace: `ip netns exec`
    // binds /etc/netns/NAME/hosts over /etc/hosts. Multicast host-name resolution would need
    // nss-mdns wired into the system's nsswitch; service discovery itself stays real DNS-SD.
    mkdirSync(`/etc/netns/${name}`, { recursive: true });
    writeFileSync(`/etc/netns/${name}/hosts`, `127.0.0.1 localhost\n${address} tno-test-host.local tno-test-host\n`);
    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: busAddress };
    const run = (command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess => {
      const child = spawn('ip', ['netns', 'exec', name, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options, env: { ...env, ...options.env } });
      children.push(child);
      return child;
    };
    run('dbus-daemon', ['--nofork', `--config-file=${join(dir, 'bus.conf')}`]);
    // Avahi keeps its pid file in /run/avahi-daemon: give it a private one, so a host daemon (or
    // another test run) is neither disturbed nor in the way.
    const avahi = run('unshare', ['-m', 'sh', '-c', `mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon && exec avahi-daemon -f ${join(dir, 'avahi.conf')} --no-drop-root --no-chroot --no-rlimits --no-proc-title`]);
    let log = '';
    avahi.stdout!.on('data', (d) => (log += d));
    avahi.stderr!.on('data', (d) => (log += d));
    for (let i = 0; i < 100 && !/Server startup complete/.test(log); i++) {
      if (avahi.exitCode !== null) throw new Error(`avahi-daemon exited: ${log}`);
      await sleep(100);
    }
    if (!/Server startup complete/.test(log)) throw new Error(`avahi-daemon did not start: ${log}`);
    return {
      name,
      address,
      busAddress,
      run,
      stop: async () => {
        for (const c of children.reverse()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
        await sleep(200);
        spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
          .stdout?.split('\n')
          .filter(Boolean)
          .forEach((pid) => spawnSync('kill', ['-9', pid]));
        spawnSync('ip', ['netns', 'del', name]);
        rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const c of children) c.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', name]);
    rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
