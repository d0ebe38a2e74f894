/**
 * A private PostgreSQL (Debian's postgresql package) for tests of the shared intermediary store:
 * `initdb` into a temporary directory, the server listening only on a Unix socket in that
 * directory (no TCP port, so it can never collide with or reach another server), stopped and
 * deleted afterwards. PostgreSQL refuses to run as root, so when the tests run as root the cluster
 * belongs to `nobody` and its programs are started through setpriv.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres:// URL of the `postgres` database as the superuser `tno` (over the socket). */
  readonly url: string;
  /** The socket directory (host= for libpq and node-postgres). */
  readonly socketDir: string;
  readonly binDir: string;
  /** A fresh database on this server; its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_dump` of a database, as text (every row of every table). */
  dump(database: string): Promise<string>;
  /** Shuts the server down (fast shutdown: sessions are cut), keeping its data for `restart`. */
  halt(): Promise<void>;
  /** Starts the halted server again on the same socket, with the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The newest installed server's bin directory (/usr/lib/postgresql/<major>/bin). */
export async function postgresBinDir(): Promise<string> {
  const majors = (await readdir('/usr/lib/postgresql').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  if (majors.length === 0) throw new Error('PostgreSQL is not installed (Debian package postgresql; scripts/ensure-debian-packages.mjs installs it)');
  return join('/usr/lib/postgresql', majors[0]!, 'bin');
}

const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;

/** argv that runs `bin` as the cluster's owner. */
function owned(bin: string, args: readonly string[]): [string, string[]] {
  return asRoot ? ['setpriv', [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', bin, ...args]] : [bin, [...args]];
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const binDir = await postgresBinDir();
  const root = await mkdtemp(join(tmpdir(), 'tno-postgres-'));
  const data = join(root, 'data');
  await chmod(root, 0o700);
  if (asRoot) await chown(root, NOBODY.uid, NOBODY.gid);
  const env = { ...process.env, LC_ALL: 'C', TZ: 'UTC' };
  await run(...owned(join(binDir, 'initdb'), ['-D', data, '-U', 'tno', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']), { env });
  // A port number only names the socket file; listen_addresses='' means no TCP at all.
  const port = 20000 + Math.floor(Math.random() * 20000);
  let server!: ChildProcess;
  let exited!: Promise<void>;
  let log = '';
  const ready = async (): Promise<boolean> => (await run(join(binDir, 'pg_isready'), ['-h', root, '-p', String(port), '-U', 'tno', '-d', 'postgres']).then(() => true, () => false));
  const launch = async (): Promise<void> => {
    server = spawn(
      ...owned(join(binDir, 'postgres'), ['-D', data, '-k', root, '-p', String(port), '-c', 'listen_addresses=', '-c', 'fsync=off', '-c', 'max_connections=200', '-c', 'shared_buffers=32MB']),
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
    const child = server;
    exited = new Promise<void>((r) => child.once('exit', () => r()));
    const deadline = Date.now() + 30_000;
    while (!(await ready())) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`PostgreSQL did not start:\n${log}`);
      }
      await sleep(100);
    }
  };
  const halt = async (): Promise<void> => {
    // SIGINT: PostgreSQL's fast shutdown (active sessions are disconnected).
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
    await Promise.race([exited, sleep(15_000).then(() => server.kill('SIGKILL'))]);
    await exited;
  };
  await launch();
  const urlOf = (db: string): string => `postgres://tno@localhost/${db}?host=${encodeURIComponent(root)}&port=${port}`;
  const psql = (db: string, sql: string) => run(join(binDir, 'psql'), ['-h', root, '-p', String(port), '-U', 'tno', '-d', db, '-v', 'ON_ERROR_STOP=1', '-c', sql], { env });
  return {
    url: urlOf('postgres'),
    socketDir: root,
    binDir,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,40}$/.test(name)) throw new RangeError(`not a plain database name: ${name}`);
      await psql('postgres', `CREATE DATABASE ${name}`);
      return urlOf(name);
    },
    async dump(database) {
      const { stdout } = await run(join(binDir, 'pg_dump'), ['-h', root, '-p', String(port), '-U', 'tno', '-d', database], { env, maxBuffer: 1024 ** 3 });
      return stdout;
    },
    halt,
    restart: launch,
    async stop() {
      await halt();
      await rm(root, { recursive: true, force: true });
    },
  };
}
