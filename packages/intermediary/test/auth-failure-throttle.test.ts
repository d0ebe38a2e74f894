/**
 * Issue 12 item 8: wrong passwords are slowed per user and per address, the real user is not
 * locked out, and failures are logged without the password. Default throttle settings (as tno
 * runs it); clients on different loopback addresses stand for different machines.
 */
import https from 'node:https';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ippRequest, IppTransportError } from '@trustnoone/ipp-http';
import { hashPassword, startIntermediary, type RunningIntermediary, type UserEntry } from '../src/index.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { request } from './fixtures/client.js';
import { loopbackTls } from '../../../testing/loopback-tls.js';

const FAST = { N: 1 << 10, r: 8, p: 1 };
/** Passwords over TLS on loopback, as `tno intermediary --tls-key/--tls-cert` takes them. */
const TLS = loopbackTls();
const WRONG = 'not-alices-password-7f3a';
let printer: FakePrinter;
let inter: RunningIntermediary;
let log = '';

beforeAll(async () => {
  printer = await startFakePrinter();
  const users = new Map<string, UserEntry>([['alice', { name: 'alice', role: 'user', hash: await hashPassword('alice-pw', FAST) }]]);
  const stream = new PassThrough();
  stream.on('data', (d) => (log += d));
  inter = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-throttle-')),
    upstreams: [{ uri: printer.uri }],
    users,
    https: { key: TLS.key, cert: TLS.cert },
    credentialCacheTtlMs: 0, // every attempt reaches scrypt unless the throttle stops it
    logger: { level: 'info', stream },
    port: 0,
    announce: () => {},
    handleSignals: false,
  });
});
afterAll(async () => {
  await inter?.close();
  await printer?.close();
});

/** Get-Printer-Attributes as `user` from `from`: 'ok', or the HTTP status that refused it. */
async function signIn(user: string, password: string, from: string): Promise<{ outcome: 'ok' | number; retryAfter?: number }> {
  // No TLS session reuse: a resumed session shows no certificate for the pin to check.
  const agent = new https.Agent({ localAddress: from, maxCachedSessions: 0 } as https.AgentOptions);
  try {
    const r = await ippRequest(inter.uri, request(0x000b, inter.uri), { auth: { user, password }, agent, tls: { pinSha256: TLS.pin }, timeoutMs: 10_000 });
    r.data.resume();
    return { outcome: 'ok' };
  } catch (err) {
    if (!(err instanceof IppTransportError) || err.httpStatus === undefined) throw err;
    return { outcome: err.httpStatus };
  } finally {
    agent.destroy();
  }
}

/** The Retry-After of a 429, read with a raw request (the IPP client does not expose headers). */
async function retryAfter(user: string, password: string, from: string): Promise<number> {
  const u = new URL(inter.uri.replace(/^ipps:/, 'https:'));
  return new Promise((resolve, reject) => {
    const req = https.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress: from, agent: false, ca: TLS.cert, headers: { 'content-type': 'application/ipp', authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, 'content-length': '0' } }, (res) => {
      res.resume();
      if (res.statusCode !== 429) reject(new Error(`expected 429, got ${res.statusCode}`));
      else resolve(Number(res.headers['retry-after']));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('issue 12 item 8: wrong passwords are rate-limited per user and per address', () => {
  it('a known-good address signs in; then five wrong guesses from elsewhere slow every further guess at once, unchecked', async () => {
    expect((await signIn('alice', 'alice-pw', '127.0.0.2')).outcome, 'alice from her usual machine').toBe('ok');
    for (let i = 0; i < 5; i++) expect((await signIn('alice', WRONG, '127.0.0.3')).outcome, `guess ${i + 1}`).toBe(401);
    const checked = inter.auth.stats().verifications;
    const refused = await Promise.all(Array.from({ length: 20 }, () => signIn('alice', WRONG, '127.0.0.3')));
    expect(refused.map((r) => r.outcome), '20 more guesses at once').toEqual(Array(20).fill(429));
    expect(inter.auth.stats().verifications, 'no password was checked for them').toBe(checked);
    expect(await retryAfter('alice', WRONG, '127.0.0.3')).toBeGreaterThanOrEqual(1);
  });

  it('the real user is not locked out: from a known-good address at once, from a new one after one short wait', async () => {
    // Guess from a third address until one is counted (the per-user window may still be open):
    // alice's account is then slowed down for a fresh window of at least 2 s.
    let counted = false;
    for (let i = 0; i < 40 && !counted; i++) {
      const r = await signIn('alice', WRONG, '127.0.0.5');
      expect([401, 429]).toContain(r.outcome);
      counted = r.outcome === 401;
      if (!counted) await new Promise((res) => setTimeout(res, 100));
    }
    expect(counted, 'a guess was counted once the window opened').toBe(true);
    expect((await signIn('alice', WRONG, '127.0.0.5')).outcome, 'the next guess waits').toBe(429);
    expect((await signIn('alice', 'alice-pw', '127.0.0.2')).outcome, 'known-good address during the attack').toBe('ok');
    const wait = await retryAfter('alice', 'alice-pw', '127.0.0.4');
    expect(wait).toBeLessThanOrEqual(60);
    await new Promise((r) => setTimeout(r, wait * 1000 + 100));
    expect((await signIn('alice', 'alice-pw', '127.0.0.4')).outcome, 'new address after the window').toBe('ok');
  });

  it('per address: ten guesses spread over many user names from one address, and the next is slowed', async () => {
    for (let i = 0; i < 10; i++) expect((await signIn(`nobody${i}`, WRONG, '127.0.0.6')).outcome).toBe(401);
    expect((await signIn('nobody-else', WRONG, '127.0.0.6')).outcome).toBe(429);
    expect((await signIn('alice', 'alice-pw', '127.0.0.6')).outcome, 'even a right password waits its turn there').toBe(429);
  });

  it('failures are logged with user and address, never the password', () => {
    expect(log).toMatch(/"user":"alice".*"address":"127\.0\.0\.3".*wrong user name or password|wrong user name or password.*"user":"alice"/);
    expect(log).not.toContain(WRONG);
    expect(log).not.toContain('alice-pw');
    expect(log).not.toContain(Buffer.from(`alice:${WRONG}`).toString('base64'));
  });
});
