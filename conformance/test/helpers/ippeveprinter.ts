/**
 * Runs CUPS' ippeveprinter (cups-ipp-utils) on 127.0.0.1 with a private spool directory, as the
 * independent IPP Everywhere printer the suite must pass on base IPP and fail on TRUSTNOONE.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ippRequest } from '@trustnoone/ipp-http';

export interface RunningIppEve {
  readonly uri: string;
  stop(): Promise<void>;
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

export async function startIppEvePrinter(): Promise<RunningIppEve> {
  const spool = await mkdtemp(join(tmpdir(), 'tno-conformance-ippeve-'));
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn('ippeveprinter', ['-p', String(port), '-n', 'localhost', '-r', 'off', '-k', '-d', spool, '-f', 'image/pwg-raster,image/jpeg', 'Conformance Printer'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    // ippeveprinter names its resource after the printer: /ipp/print is its default path.
    const uri = `ipp://127.0.0.1:${port}/ipp/print`;
    if (await waitUntilUp(uri, child)) {
      return {
        uri,
        async stop() {
          await stopChild(child);
          await rm(spool, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
    if (!/in use/i.test(stderr)) throw new Error(`ippeveprinter did not start: ${stderr.slice(-500)}`);
  }
  throw new Error('ippeveprinter could not find a free port');
}

async function waitUntilUp(uri: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const r = await ippRequest(uri, {
        version: { major: 2, minor: 0 },
        code: 0x000b,
        requestId: 1,
        groups: [
          {
            tag: 1,
            attributes: [
              { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
              { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
              { name: 'printer-uri', values: [{ tag: 'uri', value: uri }] },
            ],
          },
        ],
      }, { timeoutMs: 2000 });
      r.data.resume();
      return true;
    } catch {
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
