/**
 * The credential cache (auth/credential-cache.ts, auth/authenticator.ts): a polling client with the
 * right password pays one scrypt per TTL, not one per request; a wrong password always pays the
 * full scrypt and never succeeds; rewriting the users file takes effect on the next request.
 * Asserted on the authenticator's counters, never on timings (the timings are only printed).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IppTransportError } from '@trustnoone/ipp-http';
import { addUser, startIntermediary, type RunningIntermediary } from '../src/index.js';
import { CredentialCache } from '../src/auth/credential-cache.js';
import { attr } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { request, send, trustLoopbackTls } from './fixtures/client.js';
import { loopbackTls } from '../../../testing/loopback-tls.js';

const TLS = loopbackTls();
trustLoopbackTls({ pinSha256: TLS.pin });

let printer: FakePrinter;
const started: RunningIntermediary[] = [];
beforeAll(async () => {
  printer = await startFakePrinter();
});
afterAll(async () => {
  for (const i of started) await i.close();
  await printer?.close();
});

async function intermediaryWithUsers(options: { credentialCacheTtlMs?: number } = {}): Promise<{ inter: RunningIntermediary; usersFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tno-credcache-'));
  const usersFile = join(dir, 'users');
  // Production scrypt parameters (addUser's default), so the figures printed below are real.
  await addUser(usersFile, 'alice', 'alice-pw');
  await addUser(usersFile, 'dev', 'dev-pw', 'operator');
  const inter = await startIntermediary({
    stateDir: join(dir, 'state'),
    upstreams: [{ uri: printer.uri }],
    usersFile,
    // TLS on loopback, as `tno intermediary --tls-key/--tls-cert` serves credentials.
    https: { key: TLS.key, cert: TLS.cert },
    port: 0,
    announce: () => {},
    handleSignals: false,
    ...options,
  });
  started.push(inter);
  return { inter, usersFile };
}

const gpa = (inter: RunningIntermediary, auth: { user: string; password: string }) =>
  send(inter.uri, request(0x000b, inter.uri, [attr.keyword('requested-attributes', 'printer-state')]), undefined, auth);

async function refused(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the request should have been refused with HTTP 401').toBeInstanceOf(IppTransportError);
  expect((err as IppTransportError).code).toBe('IPP_HTTP_AUTH_REQUIRED');
}

describe('credential cache through the HTTP interface', () => {
  it('50 polls with the right password cost one scrypt instead of 50', async () => {
    const uncached = (await intermediaryWithUsers({ credentialCacheTtlMs: 0 })).inter;
    const cached = (await intermediaryWithUsers()).inter;
    const dev = { user: 'dev', password: 'dev-pw' };
    const time = async (inter: RunningIntermediary): Promise<number> => {
      await gpa(inter, { user: 'alice', password: 'alice-pw' }); // warm the upstream attribute cache
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) expect((await gpa(inter, dev)).status).toBe(0);
      return performance.now() - t0;
    };
    const before = uncached.auth.stats();
    const slow = await time(uncached);
    expect(uncached.auth.stats().verifications - before.verifications).toBe(51);
    expect(uncached.auth.stats().cacheHits).toBe(0);
    const fast = await time(cached);
    expect(cached.auth.stats()).toMatchObject({ verifications: 2, cacheHits: 49 });
    // A figure for the report, not an assertion (timings flake on a shared machine).
    console.log(`50 authenticated Get-Printer-Attributes: ${slow.toFixed(0)} ms without the cache, ${fast.toFixed(0)} ms with it`);
  });

  it('a wrong password never succeeds and always costs a full scrypt, also right after a cached success', async () => {
    const { inter } = await intermediaryWithUsers();
    expect((await gpa(inter, { user: 'alice', password: 'alice-pw' })).status).toBe(0);
    expect((await gpa(inter, { user: 'alice', password: 'alice-pw' })).status).toBe(0);
    const s0 = inter.auth.stats();
    expect(s0.cacheHits).toBe(1);
    for (const password of ['alice-pw ', 'alice-p', 'ALICE-PW', '', 'dev-pw']) {
      await refused(gpa(inter, { user: 'alice', password }));
    }
    await refused(gpa(inter, { user: 'mallory', password: 'alice-pw' }));
    const s1 = inter.auth.stats();
    expect(s1.verifications - s0.verifications).toBe(6);
    expect(s1.cacheHits).toBe(s0.cacheHits);
    // The failures did not evict or poison the good entry.
    expect((await gpa(inter, { user: 'alice', password: 'alice-pw' })).status).toBe(0);
    expect(inter.auth.stats().cacheHits).toBe(s1.cacheHits + 1);
  });

  it('a password changed in the users file stops working on the next request', async () => {
    const { inter, usersFile } = await intermediaryWithUsers();
    const old = { user: 'alice', password: 'alice-pw' };
    expect((await gpa(inter, old)).status).toBe(0);
    expect((await gpa(inter, old)).status).toBe(0);
    expect(inter.auth.stats().cacheHits).toBe(1);
    await addUser(usersFile, 'alice', 'new-pw');
    await refused(gpa(inter, old));
    expect((await gpa(inter, { user: 'alice', password: 'new-pw' })).status).toBe(0);
    expect(inter.auth.stats().reloads).toBe(2);
  });

  it('a user removed from the users file is refused at once, and a file that stops parsing admits nobody', async () => {
    const { inter, usersFile } = await intermediaryWithUsers();
    const dev = { user: 'dev', password: 'dev-pw' };
    expect((await gpa(inter, dev)).status).toBe(0);
    expect((await gpa(inter, dev)).status).toBe(0);
    // Keep alice, drop dev (no trailing newline: a different size even if the mtime tick were coarse).
    const aliceLine = readFileSync(usersFile, 'utf8').split('\n').find((l) => l.startsWith('alice:'))!;
    writeFileSync(usersFile, aliceLine);
    await refused(gpa(inter, dev));
    expect((await gpa(inter, { user: 'alice', password: 'alice-pw' })).status).toBe(0);
    writeFileSync(usersFile, `${aliceLine}\nthis is not a users line\n`);
    await refused(gpa(inter, { user: 'alice', password: 'alice-pw' }));
  });
});

describe('CredentialCache bounds', () => {
  const entry = (name: string, hash = `scrypt$h-${name}`) => ({ name, role: 'user' as const, hash });

  it('forgets an entry after its TTL', () => {
    let now = 1000;
    const c = new CredentialCache({ ttlMs: 60_000, now: () => now });
    c.remember('pw', entry('a'));
    expect(c.lookup('a', 'pw', entry('a'))).toEqual({ name: 'a', role: 'user' });
    now += 60_000;
    expect(c.lookup('a', 'pw', entry('a'))).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('holds at most maxEntries users, dropping the least recently used', () => {
    const c = new CredentialCache({ maxEntries: 2 });
    c.remember('pw', entry('a'));
    c.remember('pw', entry('b'));
    expect(c.lookup('a', 'pw', entry('a'))).toBeDefined(); // a is now the most recent
    c.remember('pw', entry('c'));
    expect(c.size).toBe(2);
    expect(c.lookup('b', 'pw', entry('b'))).toBeUndefined();
    expect(c.lookup('a', 'pw', entry('a'))).toBeDefined();
    expect(c.lookup('c', 'pw', entry('c'))).toBeDefined();
  });

  it('misses when the user entry it was verified against changed, or for another password', () => {
    const c = new CredentialCache();
    c.remember('pw', entry('a'));
    expect(c.lookup('a', 'pw2', entry('a'))).toBeUndefined();
    expect(c.lookup('a', 'pw', { ...entry('a'), role: 'operator' })).toBeUndefined();
    c.remember('pw', entry('a'));
    expect(c.lookup('a', 'pw', entry('a', 'scrypt$other'))).toBeUndefined();
    c.remember('pw', entry('a'));
    expect(c.lookup('a', 'pw', undefined)).toBeUndefined();
  });
});
