/**
 * HTTP refusals reach the user as typed errors that say what to do (issue 15 follow-up): 403 (not
 * allowed: ask the administrator), 415 (the URL does not take IPP: check its path), 429 (sign-ins
 * slowed: check the password, wait the time given) and 503 (busy: try again after the time given),
 * each with its code in `--json` error objects. 429 comes from a real intermediary over ipps after
 * wrong passwords, as `tno intermediary` runs it; the others from a small server that refuses.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { addUser, loadUsersFile, startIntermediary, type RunningIntermediary } from '@trustnoone/intermediary';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';

let dir: string;
let refusing: Server;
let base: string;
let printer: RunningPrinter;
let inter: RunningIntermediary;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-http-refusals-'));
  // /STATUS answers that HTTP status, with Retry-After: 42 on 429 and 503.
  refusing = createServer((req, res) => {
    const status = Number((req.url ?? '').split('/')[1]);
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'text/plain', ...(status === 429 || status === 503 ? { 'retry-after': '42' } : {}) }).end('no'));
  });
  await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
  base = `ipp://127.0.0.1:${(refusing.address() as { port: number }).port}`;

  const ca = ['--ca-cert', join(dir, 'ca.crt'), '--ca-key', join(dir, 'ca.key')];
  expect((await tno(['keys', 'generate', '--kind', 'ca', '--name', 'Test CA', '--cert', join(dir, 'ca.crt'), '--key', join(dir, 'ca.key')])).code).toBe(ExitCode.ok);
  expect((await tno(['keys', 'generate', '--kind', 'server', '--name', 'localhost', ...ca, '--cert', join(dir, 'relay.crt'), '--key', join(dir, 'relay.key')])).code).toBe(ExitCode.ok);
  const users = join(dir, 'users');
  await addUser(users, 'alice', 'alice-secret');
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  inter = await startIntermediary({
    stateDir: join(dir, 'inter'),
    port: 0,
    upstreams: [{ uri: printer.uri }],
    users: await loadUsersFile(users),
    https: { key: await readFile(join(dir, 'relay.key')), cert: await readFile(join(dir, 'relay.crt')) },
    handleSignals: false,
    announce: () => undefined,
    logger: false,
  });
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => refusing.close(() => r()));
  await inter?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

async function jobsJson(uri: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const r = await tno(['jobs', '--printer', uri, '--json', ...args], env);
  return { code: r.code, err: r.err, error: (JSON.parse(r.out) as { error: { code: string; message: string; exitCode: number } }).error };
}

describe('HTTP refusals name the fix', () => {
  it('403: not allowed, ask the administrator (CLIENT_FORBIDDEN, exit 1)', async () => {
    const r = await jobsJson(`${base}/403`);
    expect(r.code).toBe(ExitCode.failure);
    expect(r.error.code).toBe('CLIENT_FORBIDDEN');
    expect(r.error.message).toMatch(/HTTP 403.*not allowed to do this.*ask the server's administrator/);
  });

  it('415: the URL does not take IPP, check its path (exit 5)', async () => {
    const r = await jobsJson(`${base}/415`);
    expect(r.code).toBe(ExitCode.unreachable);
    expect(r.error.code).toBe('CLIENT_UNREACHABLE');
    expect(r.error.message).toMatch(/HTTP 415.*does not take IPP requests there; check the URI's path/);
  });

  it('503: busy, try again after the time the server gave (CLIENT_SERVER_BUSY, exit 5)', async () => {
    const r = await jobsJson(`${base}/503`);
    expect(r.code).toBe(ExitCode.unreachable);
    expect(r.error.code).toBe('CLIENT_SERVER_BUSY');
    expect(r.error.message).toMatch(/HTTP 503.*overloaded or limiting requests from this client; try again in 42 s/);
  });

  it('429 from a real intermediary after wrong passwords: check the password, wait (CLIENT_RATE_LIMITED, exit 1)', async () => {
    const args = ['--ca', join(dir, 'ca.crt'), '--user', 'alice'];
    const wrong = { TNO_PASSWORD: 'not-alices-password' };
    let last: Awaited<ReturnType<typeof jobsJson>> | undefined;
    for (let i = 0; i < 12; i++) {
      last = await jobsJson(inter.uri.replace('127.0.0.1', 'localhost'), args, wrong);
      if (last.error.code !== 'CLIENT_AUTH_REQUIRED') break;
    }
    expect(last!.error.code, last!.err).toBe('CLIENT_RATE_LIMITED');
    expect(last!.code).toBe(ExitCode.failure);
    expect(last!.error.message).toMatch(/HTTP 429.*sign-ins from here are slowed after failed attempts; check the user name and TNO_PASSWORD, then try again in \d+ s/);
  }, 60_000);
});
