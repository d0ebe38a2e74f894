/**
 * CUPS' ippeveprinter (Debian cups-ipp-utils) as an independent IPP Everywhere peer for tests:
 * bound to 127.0.0.1, with a temporary spool and its own private D-Bus system bus.
 *
 * Why the private bus: ippeveprinter 2.4 creates its Avahi client at start-up even with `-r off`
 * and exits with "Unable to initialize DNS-SD." when no system bus answers. A CI machine has no
 * system D-Bus running, so each instance gets a throwaway bus that nothing else listens on; with
 * `-r off` and no avahi-daemon on that bus, nothing is ever advertised on the network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface IppEvePrinter {
  /** ipp://127.0.0.1:PORT/ipp/print */
  readonly uri: string;
  readonly port: number;
  /** Where ippeveprinter writes the documents it receives. */
  readonly spool: string;
  stop(): Promise<void>;
}

export interface IppEvePrinterOptions {
  /** Service name, also the printer's name. */
  readonly name?: string;
  /** Value of `-f`: the document formats it accepts. */
  readonly formats?: readonly string[];
  /** Seconds each job "prints" (a `-c` script that sleeps); without it jobs finish at once. */
  readonly processSeconds?: number;
  /** Extra arguments, e.g. ['-2'] for duplex. */
  readonly extraArgs?: readonly string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
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

async function startBus(dir: string): Promise<{ socket: string; bus: ChildProcess }> {
  const socket = join(dir, 'bus.sock');
  await writeFile(join(dir, 'bus.conf'), busConfig(socket));
  const bus = spawn('dbus-daemon', ['--config-file', join(dir, 'bus.conf'), '--nofork', '--nopidfile'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  bus.stderr?.on('data', (d) => (log += String(d)));
  const spawnFailed = new Promise<Error>((resolve) => bus.once('error', resolve));
  for (let i = 0; i < 150 && !existsSync(socket); i++) {
    const failed = await Promise.race([spawnFailed, sleep(20).then(() => undefined)]);
    if (failed) throw new Error(`dbus-daemon could not be started (Debian package dbus-daemon): ${failed.message}`);
    if (bus.exitCode !== null) break;
  }
  if (!existsSync(socket)) {
    await kill(bus);
    throw new Error(`dbus-daemon did not create its socket: ${log.slice(0, 400)}`);
  }
  return { socket, bus };
}

export async function startIppEvePrinter(options: IppEvePrinterOptions = {}): Promise<IppEvePrinter> {
  const dir = await mkdtemp(join(tmpdir(), 'tno-ippeve-'));
  let bus: ChildProcess | undefined;
  try {
    const started = await startBus(dir);
    bus = started.bus;
    const args = ['-n', 'localhost', '-r', 'off', '-k', ...(options.extraArgs ?? [])];
    if (options.processSeconds !== undefined) {
      const processor = join(dir, 'process.sh');
      await writeFile(processor, `#!/bin/sh\nsleep ${options.processSeconds}\n`, { mode: 0o755 });
      args.push('-c', processor);
    }
    args.push('-f', (options.formats ?? ['application/pdf', 'image/jpeg', 'image/pwg-raster', 'text/plain']).join(','));
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const spool = join(dir, `spool-${attempt}`);
      await mkdir(spool);
      const child = spawn('ippeveprinter', ['-p', String(port), '-d', spool, ...args, options.name ?? 'tno test printer'], {
        env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${started.socket}` },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      child.stderr?.on('data', (d) => (log += String(d)));
      child.once('error', (e) => (log += `spawn failed: ${e.message}`));
      for (let i = 0; i < 200 && child.exitCode === null && !log.startsWith('spawn failed'); i++) {
        if (await reachable(port)) {
          const runningBus = bus;
          return {
            uri: `ipp://127.0.0.1:${port}/ipp/print`,
            port,
            spool,
            stop: async () => {
              await kill(child);
              await kill(runningBus);
              await rm(dir, { recursive: true, force: true });
            },
          };
        }
        await sleep(50);
      }
      await kill(child);
      if (!/in use/i.test(log)) throw new Error(`ippeveprinter did not start: ${log.slice(0, 500)}`);
    }
    throw new Error('ippeveprinter: no free port after 5 attempts');
  } catch (e) {
    if (bus) await kill(bus);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
