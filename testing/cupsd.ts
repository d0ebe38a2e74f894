/**
 * A private CUPS scheduler (Debian's cups package) as a real IPP client for tests: its own
 * configuration, spool, cache and logs in a temporary directory, listening on a loopback port
 * only (no domain socket, no browsing, no web interface), so it never touches the machine's own
 * cupsd. Queues are made driverless, as a user would (`lpadmin -m everywhere`), and jobs are
 * printed with `lp`. cupsd runs its filters as user lp, so the directory is world-traversable.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './ippeveprinter.js';

const run = promisify(execFile);

/** cupsd and lpadmin live in /usr/sbin, which a CI user's PATH may lack. */
const sbin = (name: string): string => (existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : name);

export interface PrivateCupsd {
  /** host:port for CUPS_SERVER / -h. */
  readonly server: string;
  /** lpadmin -p NAME -E -v URI -m everywhere. */
  addDriverlessQueue(name: string, uri: string): Promise<void>;
  /** The PPD cupsd generated for a queue. */
  ppd(name: string): Promise<string>;
  /** lp -d QUEUE FILE; resolves with the CUPS job id. */
  lp(queue: string, file: string): Promise<number>;
  /** Waits until CUPS lists the job as completed (throws on timeout, with the error log). */
  waitCompleted(queue: string, jobId: number, timeoutMs?: number): Promise<void>;
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPrivateCupsd(): Promise<PrivateCupsd> {
  const root = await mkdtemp(join(tmpdir(), 'tno-cupsd-'));
  await chmod(root, 0o755);
  for (const d of ['spool', 'cache', 'state', 'log', 'ppd']) await mkdir(join(root, d), { mode: 0o755 });
  await mkdir(join(root, 'tmp'));
  await chmod(join(root, 'tmp'), 0o1777);
  const port = await freePort();
  const server = `127.0.0.1:${port}`;
  await writeFile(
    join(root, 'cupsd.conf'),
    [
      'LogLevel warn',
      `Listen ${server}`,
      'Browsing Off',
      'DefaultAuthType None',
      'WebInterface No',
      // Loopback only, nobody else can reach it; no authentication for lpadmin.
      '<Location />\n  Order allow,deny\n  Allow all\n</Location>',
      '<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>',
      '<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(root, 'cups-files.conf'),
    [
      `ServerRoot ${root}`,
      `RequestRoot ${join(root, 'spool')}`,
      `CacheDir ${join(root, 'cache')}`,
      `StateDir ${join(root, 'state')}`,
      `TempDir ${join(root, 'tmp')}`,
      `AccessLog ${join(root, 'log', 'access_log')}`,
      `ErrorLog ${join(root, 'log', 'error_log')}`,
      `PageLog ${join(root, 'log', 'page_log')}`,
      'User lp',
      'Group lp',
      'SystemGroup root',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(sbin('cupsd'), ['-f', '-c', join(root, 'cupsd.conf'), '-s', join(root, 'cups-files.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const env = { ...process.env, CUPS_SERVER: server };
  const cups = (cmd: string, args: string[]) => run(cmd, args, { env, timeout: 60_000 });
  const errorLog = () => readFile(join(root, 'log', 'error_log'), 'utf8').catch(() => '');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
    }
    await rm(root, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`cupsd exited ${child.exitCode}: ${stderr}${await errorLog()}`);
    const up = await cups('lpstat', ['-r']).then((r) => r.stdout.includes('is running'), () => false);
    if (up) break;
    if (i > 100) {
      await stop();
      throw new Error(`cupsd did not start: ${stderr}`);
    }
    await sleep(100);
  }
  return {
    server,
    async addDriverlessQueue(name, uri) {
      await cups(sbin('lpadmin'), ['-p', name, '-E', '-v', uri, '-m', 'everywhere']);
    },
    async ppd(name) {
      // cupsd writes a queue's PPD shortly after lpadmin returns.
      for (let i = 0; ; i++) {
        try {
          return await readFile(join(root, 'ppd', `${name}.ppd`), 'utf8');
        } catch (err) {
          if (i >= 100) throw err;
          await sleep(100);
        }
      }
    },
    async lp(queue, file) {
      const { stdout } = await cups('lp', ['-d', queue, file]);
      const m = /request id is \S+-(\d+)/.exec(stdout);
      if (!m) throw new Error(`lp: ${stdout}`);
      return Number(m[1]);
    },
    async waitCompleted(queue, jobId, timeoutMs = 90_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const { stdout } = await cups('lpstat', ['-W', 'completed', '-o', queue]);
        if (new RegExp(`^${queue}-${jobId}\\s`, 'm').test(stdout)) return;
        await sleep(250);
      }
      throw new Error(`CUPS job ${queue}-${jobId} not completed after ${timeoutMs} ms:\n${await errorLog()}`);
    },
    errorLog,
    stop,
  };
}
