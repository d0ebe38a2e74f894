/**
 * The pool ledger (issue 21.2, docs/decisions.md D32) below the CLI: the store decides one winner
 * among concurrent claims and keeps it across a restart; the server accepts only member
 * certificates (CA and optional allow-list) and bounded, well-formed claims.
 */
import { request } from 'node:https';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem, createCertificateAuthority, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { LedgerStore } from '../src/pool/ledger-store.js';
import { PoolLedgerClient, poolClaim, startPoolLedger, type RunningPoolLedger } from '../src/index.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const claim = (n: number) => poolClaim(`urn:uuid:00000000-0000-4000-8000-000000000000 nonce-${n}`);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-ledger-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ledger store', () => {
  it('of concurrent claims by two members exactly one wins; the winner hears "mine" again; a restart keeps it', async () => {
    const state = join(dir, 'store');
    const store = await LedgerStore.open(state, 10 * 86_400_000);
    for (let n = 0; n < 20; n++) {
      const outcomes = await Promise.all([store.claim(claim(n), A), store.claim(claim(n), B), store.claim(claim(n), A)]);
      expect(outcomes.filter((o) => o === 'claimed'), `claim ${n}`).toHaveLength(1);
      expect(outcomes[1], `claim ${n}`).toBe(outcomes[0] === 'claimed' ? 'taken' : 'claimed');
    }
    await store.close();
    await appendFile(join(state, 'claims.log'), `${Date.now()} ${claim(99)} ${A.slice(0, 10)}`); // a torn last line
    const again = await LedgerStore.open(state, 10 * 86_400_000);
    expect(again.size).toBe(20);
    const winner = (await readFile(join(state, 'claims.log'), 'utf8')).split('\n')[0]!.split(' ')[2]!;
    expect(await again.claim(claim(0), winner)).toBe('mine');
    expect(await again.claim(claim(0), winner === A ? B : A)).toBe('taken');
    expect(await again.claim(claim(99), B)).toBe('claimed'); // the torn claim was never answered
    await again.close();
    const expired = await LedgerStore.open(state, 0);
    expect(expired.size).toBe(0);
    await expired.close();
  });

  it('refuses a claim or member that is not 64 lowercase hex digits', async () => {
    const store = await LedgerStore.open(join(dir, 'bad'), 86_400_000);
    await expect(store.claim('x', A)).rejects.toBeInstanceOf(RangeError);
    await expect(store.claim(claim(1), 'A'.repeat(64))).rejects.toBeInstanceOf(RangeError);
    await store.close();
  });
});

describe('ledger server', () => {
  const ca = createCertificateAuthority({ commonName: 'Pool CA' });
  const other = createCertificateAuthority({ commonName: 'Other CA' });
  const server = createIdentity({ commonName: 'localhost', ca, dnsNames: ['localhost'] });
  const members = [createIdentity({ commonName: 'member-a', ca }), createIdentity({ commonName: 'member-b', ca }), createIdentity({ commonName: 'unlisted', ca })];
  const rogue = createIdentity({ commonName: 'rogue', ca: other });
  const pem = (i: typeof server) => ({ cert: certificateToPem(i.certificate), key: privateKeyToPem(i.privateKey) });
  let ledger: RunningPoolLedger;
  const client = (i: typeof server) => new PoolLedgerClient({ url: ledger.url, ca: certificateToPem(ca.certificate), ...pem(i), waitMs: 0 });

  beforeAll(async () => {
    ledger = await startPoolLedger({
      stateDir: join(dir, 'server'),
      port: 0,
      tls: pem(server),
      membersCa: certificateToPem(ca.certificate),
      members: [members[0]!.certificate.fingerprint, members[1]!.certificate.fingerprint],
    });
  });
  afterAll(async () => {
    await ledger?.close();
  });

  it('one winner between two members; only listed certificates of the pool CA are served', async () => {
    const [a, b, unlisted, stranger] = [client(members[0]!), client(members[1]!), client(members[2]!), client(rogue)];
    const [x, y] = await Promise.all([a.claim(claim(7)), b.claim(claim(7))]);
    expect([x, y].sort()).toEqual(['claimed', 'taken']);
    expect(await (x === 'claimed' ? a : b).claim(claim(7))).toBe('mine');
    await expect(unlisted.claimOnce(claim(8))).rejects.toMatchObject({ code: 'PRINTER_POOL_LEDGER_UNAVAILABLE', message: expect.stringMatching(/403/) });
    await expect(stranger.claimOnce(claim(8))).rejects.toMatchObject({ code: 'PRINTER_POOL_LEDGER_UNAVAILABLE' });
    for (const c of [a, b, unlisted, stranger]) c.close();
  });

  it('bounded, well-formed requests only: 413 beyond 1 KiB, 400 for a bad claim, 415 for another type', async () => {
    const send = (body: string, type = 'application/json') =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${ledger.url}/claim`, { method: 'POST', ca: certificateToPem(ca.certificate), ...pem(members[0]!), headers: { 'content-type': type } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await send(JSON.stringify({ claim: 'f'.repeat(2000) }))).toBe(413);
    expect(await send('{"claim":"not hex"}')).toBe(400);
    expect(await send('not json')).toBe(400);
    expect(await send(JSON.stringify({ claim: claim(9) }), 'text/plain')).toBe(415);
    expect(await send(JSON.stringify({ claim: claim(9) }))).toBe(200);
  });

  it('a member that cannot reach the ledger gets PRINTER_POOL_LEDGER_UNAVAILABLE after its wait', async () => {
    const gone = new PoolLedgerClient({ url: 'https://localhost:1', ca: certificateToPem(ca.certificate), ...pem(members[0]!), waitMs: 600 });
    const t = Date.now();
    await expect(gone.claim(claim(10))).rejects.toMatchObject({ code: 'PRINTER_POOL_LEDGER_UNAVAILABLE' });
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    gone.close();
  });
});
