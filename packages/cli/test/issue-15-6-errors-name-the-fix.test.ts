/**
 * Issue 15 item 6: errors that name the fix. Each common failure, met through the tno command
 * against real servers on loopback (and a small misbehaving proxy where a server must fail in a
 * particular way), ends in one line that says what to do.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { addUser, loadUsersFile, startIntermediary, type RunningIntermediary } from '@trustnoone/intermediary';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno, type Run } from './helpers.js';

const PRINT_JOB = 0x0002;
const GET_JOB_ATTRIBUTES = 0x0009;

let dir: string;
let tlsPrinter: RunningPrinter;
let printer: RunningPrinter;
let inter: RunningIntermediary;
const servers: Server[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue-15-6-'));
  tlsPrinter = await startPrinter({ stateDir: join(dir, 'tls-printer'), port: 0, logger: false, tls: true });
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  const users = join(dir, 'users');
  await addUser(users, 'alice', 'alice-secret');
  inter = await startIntermediary({ stateDir: join(dir, 'inter'), port: 0, upstreams: [{ uri: printer.uri }], users: await loadUsersFile(users), handleSignals: false, announce: () => undefined, logger: false });
  await writeFile(join(dir, 'memo.txt'), 'memo\n');
  await writeFile(join(dir, 'big.pdf'), '%PDF-1.4\n'.concat('x'.repeat(8 * 1024 * 1024)));
});

afterAll(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  await inter?.close();
  await printer?.close();
  await tlsPrinter?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A proxy to the plain printer that misbehaves on one operation: `act` returns true when it handled the request. */
async function misbehaving(act: (op: number, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => boolean): Promise<string> {
  const server = createServer((req, res) => {
    req.once('data', (first: Buffer) => {
      const op = first.readUInt16BE(2);
      if (act(op, req, res)) return;
      const chunks = [first];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void fetch(printer.uri.replace(/^ipp:/, 'http:'), { method: 'POST', headers: { 'content-type': 'application/ipp' }, body: Buffer.concat(chunks) })
          .then(async (up) => {
            const body = Buffer.from(await up.arrayBuffer());
            res.writeHead(up.status, { 'content-type': 'application/ipp', 'content-length': body.length }).end(body);
          })
          .catch(() => res.destroy());
      });
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `ipp://127.0.0.1:${(server.address() as { port: number }).port}/ipp/print`;
}

function oneLine(r: Run): string {
  // The failure is one line; warnings and the phase lines of a followed job (issue 15.4) are not failures.
  const failures = r.err.trimEnd().split('\n').filter((l) => l.startsWith('tno: ') && !/^tno: (warning|job \d+ (uploaded|waiting|held|printing|stopped)\b)/.test(l));
  expect(failures, r.err).toHaveLength(1);
  return r.err;
}

describe('issue 15.6: errors that name the fix', () => {
  it('a self-signed ipps certificate: suggests --ca or --pin', async () => {
    const r = await tno(['jobs', '--printer', tlsPrinter.uri]);
    expect(r.code).toBe(ExitCode.unreachable);
    expect(oneLine(r)).toMatch(/self-signed certificate; the server's TLS certificate is not trusted here: give the CA that issued it with --ca FILE, or pin it with --pin/);
  });

  it('ipp:// to a TLS port (the server hangs up): suggests ipps://', async () => {
    const plain = tlsPrinter.uri.replace(/^ipps:/, 'ipp:');
    const r = await tno(['jobs', '--printer', plain, '--timeout', '10']);
    expect(r.code).toBe(ExitCode.unreachable);
    expect(oneLine(r)).toContain(`use ${tlsPrinter.uri}`);
  });

  it('a missing file: says there is no such file and where it looked', async () => {
    const r = await tno(['print', 'nothere.pdf', '--printer', printer.uri], {}, dir);
    expect(r.code).toBe(ExitCode.usage);
    expect(oneLine(r)).toContain(`cannot read ${join(dir, 'nothere.pdf')}: no such file; check the name`);
  });

  it('USER unset with TNO_PASSWORD set: asks for --user instead of failing with a 401', async () => {
    const r = await tno(['jobs', '--printer', inter.uri], { TNO_PASSWORD: 'alice-secret' });
    expect(r.code).toBe(ExitCode.usage);
    expect(oneLine(r)).toMatch(/TNO_PASSWORD is set but there is no user name.*--user NAME/);
  });

  it('401 over plain ipp://: says passwords go only over TLS, use ipps://', async () => {
    const r = await tno(['jobs', '--printer', inter.uri, '--user', 'alice'], {});
    expect(r.code).toBe(ExitCode.failure);
    expect(oneLine(r)).toContain(`use ${inter.uri.replace(/^ipp:/, 'ipps:')}`);
  });

  it('a connection reset mid-upload: says the job was not accepted and to run it again', async () => {
    const uri = await misbehaving((op, req) => {
      if (op !== PRINT_JOB) return false;
      req.socket.destroy();
      return true;
    });
    const r = await tno(['print', join(dir, 'big.pdf'), '--printer', uri, '--state', join(dir, 'state-reset'), '--trust-on-first-use']);
    expect(r.code).toBe(ExitCode.unreachable);
    expect(oneLine(r)).toContain('the connection was reset while the document was being sent');
    expect(r.err).toContain('run the command again');
  });

  it('HTTP 503 while following a job that was accepted: says it was accepted and how to check it', async () => {
    const uri = await misbehaving((op, _req, res) => {
      if (op !== GET_JOB_ATTRIBUTES) return false;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
      return true;
    });
    const r = await tno(['print', join(dir, 'memo.txt'), '--printer', uri, '--state', join(dir, 'state-503'), '--trust-on-first-use']);
    expect(r.code, r.err).toBe(ExitCode.unreachable);
    expect(oneLine(r)).toMatch(/job (\d+) was accepted by ipp:\S+, but following it failed: .*HTTP 503.*; check it later with 'tno status \1 --printer ipp:/);
  }, 30_000);
});
