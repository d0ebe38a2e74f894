/**
 * Runs CUPS's ippeveprinter (cups-ipp-utils) as an independent IPP peer on 127.0.0.1, with a
 * private D-Bus system bus (it will not start without one, even with -r off) and a temporary spool.
 * Nothing is advertised: Avahi is absent and -r off disables DNS-SD registration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface IppEvePrinter {
  readonly uri: string;
  readonly spool: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function busConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${socket}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/><allow user="*"/></policy></busconfig>\n`;
}

async function reachable(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  });
}

/**
 * `processSeconds`: how long each job "prints" (ippeveprinter runs a command per job, here a
 * shell script that sleeps); 0 finishes at once.
 */
export async function startIppEvePrinter(options: { processSeconds?: number } = {}): Promise<IppEvePrinter> {
  const dir = await mkdtemp(join(tmpdir(), 'tno-ippeve-'));
  const socket = join(dir, 'bus.sock');
  await writeFile(join(dir, 'bus.conf'), busConfig(socket));
  const processor = join(dir, 'process.sh');
  await writeFile(processor, `#!/bin/sh\nsleep ${options.processSeconds ?? 0}\n`, { mode: 0o755 });
  const bus = spawn('dbus-daemon', ['--config-file', join(dir, 'bus.conf'), '--nofork', '--nopidfile'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (existsSync(socket)) break;
    await sleep(20);
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const spool = join(dir, `spool-${attempt}`);
    await mkdir(spool);
    const child = spawn('ippeveprinter', ['-p', String(port), '-n', 'localhost', '-r', 'off', '-k', '-2', '-c', processor, '-d', spool, '-f', 'application/pdf,image/jpeg,image/pwg-raster,text/plain', 'tno test printer'], {
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${socket}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr?.on('data', (d) => (log += d));
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      if (await reachable(port)) {
        return {
          uri: `ipp://127.0.0.1:${port}/ipp/print`,
          spool,
          stop: async () => {
            await kill(child);
            await kill(bus);
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      await sleep(50);
    }
    await kill(child);
    if (!/Address already in use/.test(log)) {
      await kill(bus);
      throw new Error(`ippeveprinter did not start: ${log.slice(0, 500)}`);
    }
  }
  await kill(bus);
  throw new Error('ippeveprinter: no free port after 5 attempts');
}
