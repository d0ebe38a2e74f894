/**
 * CUPS ippeveprinter as an independent IPP peer for the codec's interop test: listens on
 * 127.0.0.1 only, with a private D-Bus system bus (it refuses to start without one, even with
 * `-r off`, which also keeps DNS-SD silent) and a temporary spool.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EvePrinter {
  readonly port: number;
  readonly uri: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  });
}

/** POSTs an application/ipp body to the printer and returns the response stream. */
export function post(port: number, body: Uint8Array): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/ipp/print', method: 'POST', headers: { 'content-type': 'application/ipp', 'content-length': body.length } },
      resolve,
    );
    req.once('error', reject);
    req.end(body);
  });
}

export async function startEvePrinter(): Promise<EvePrinter> {
  const dir = await mkdtemp(join(tmpdir(), 'tno-ipp-eve-'));
  const socket = join(dir, 'bus.sock');
  await writeFile(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${socket}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/><allow user="*"/></policy></busconfig>\n`,
  );
  const bus = spawn('dbus-daemon', ['--config-file', join(dir, 'bus.conf'), '--nofork', '--nopidfile'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(20);
  const port = await freePort();
  const spool = join(dir, 'spool');
  await mkdir(spool);
  const child = spawn('ippeveprinter', ['-p', String(port), '-n', 'localhost', '-r', 'off', '-k', '-d', spool, '-f', 'application/pdf,text/plain', 'tno codec interop'], {
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${socket}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d) => (log += String(d)));
  const stop = async (): Promise<void> => {
    await stopChild(child);
    await stopChild(bus);
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 200 && child.exitCode === null; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 500 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.once('error', () => resolve(false));
      req.once('timeout', () => {
        req.destroy();
        resolve(false);
      });
      req.end();
    });
    if (up) return { port, uri: `ipp://localhost:${port}/ipp/print`, stop };
    await sleep(50);
  }
  await stop();
  throw new Error(`ippeveprinter did not start: ${log.slice(0, 400)}`);
}
