import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientError, decideTrust, formatFingerprint, normalizePrinterUri, resolveStateDir, TrustStore, type ClientErrorCode } from '@trustnoone/client';
import { makeCa, makeLeaf, pkiDir } from './helpers/pki.js';

const UUID = '6f1c3a52-8d2e-4b7a-9c10-0123456789ab';
const PRINTER = `urn:uuid:${UUID}`;
const URI = 'ipp://127.0.0.1:8632/ipp/print';

const ca = makeCa();
const issued = makeLeaf({ cn: 'printer', uuid: UUID, ca });
const issuedForOther = makeLeaf({ cn: 'other printer', uuid: '11111111-2222-4333-8444-555555555555', ca });
const selfSigned = makeLeaf({ cn: 'printer self-signed', uuid: UUID });
const selfSigned2 = makeLeaf({ cn: 'printer new key', uuid: UUID });
const noSan = makeLeaf({ cn: 'printer without SAN' });

const dirs: string[] = [pkiDir];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function store(): Promise<TrustStore> {
  const d = await mkdtemp(join(tmpdir(), 'tno-trust-'));
  dirs.push(d);
  return new TrustStore(d);
}

async function refused(p: Promise<unknown>, code: ClientErrorCode): Promise<ClientError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClientError);
  expect((err as ClientError).code).toBe(code);
  return err as ClientError;
}

describe('docs/spec-notes.md §3 trust in the printer key', () => {
  it('1. verified: a certificate chaining to an anchor and naming the printer uuid', async () => {
    const s = await store();
    await s.addAnchor(ca.certPem);
    const d = await decideTrust(URI, PRINTER, issued.certPem, { store: s });
    expect(d.kind).toBe('verified');
    expect(d.kind === 'verified' && d.anchor).toContain('tno test CA');
    expect(d.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // The URI is bound to the verified printer (D23): a later fresh uuid there is CHANGED.
    expect((await s.binding(URI))?.how).toBe('anchor');
  });

  it('an anchored certificate naming another printer is refused outright', async () => {
    const s = await store();
    await s.addAnchor(ca.certPem);
    const err = await refused(decideTrust(URI, PRINTER, issuedForOther.certPem, { store: s, firstUse: 'accept' }), 'CLIENT_TRUST_KEY_INVALID');
    expect(err.message).toContain('substituting');
    expect(await s.getPin(PRINTER)).toBeUndefined();
  });

  it('an expired chain is not "verified": it falls back to the pin rules', async () => {
    const s = await store();
    await s.addAnchor(ca.certPem);
    const later = new Date(Date.now() + 90 * 86400_000);
    await refused(decideTrust(URI, PRINTER, issued.certPem, { store: s, now: later }), 'CLIENT_TRUST_FIRST_USE_REFUSED');
  });

  it('a CA that is not an anchor verifies nothing', async () => {
    const s = await store();
    await refused(decideTrust(URI, PRINTER, issued.certPem, { store: s }), 'CLIENT_TRUST_FIRST_USE_REFUSED');
    await expect(s.addAnchor(selfSigned.certPem)).rejects.toThrow(/not a CA/);
  });

  it('3. first use: refused by default (strict) with the fingerprint and the command to pin it', async () => {
    const s = await store();
    const err = await refused(decideTrust(URI, PRINTER, selfSigned.certPem, { store: s }), 'CLIENT_TRUST_FIRST_USE_REFUSED');
    expect(err.message).toContain("tno trust pin");
    expect(err.message.split('\n')).toHaveLength(1);
    expect(await s.getPin(PRINTER)).toBeUndefined();
  });

  it('3. first use accepted: pins the key, reports first-use; 2. the next time it is pinned', async () => {
    const s = await store();
    const first = await decideTrust(URI, PRINTER, selfSigned.certPem, { store: s, firstUse: 'accept' });
    expect(first.kind).toBe('first-use');
    expect((await s.getPin(PRINTER))?.fingerprint).toBe(first.fingerprint);
    // A new store object over the same directory: the pin persisted.
    const again = await decideTrust(URI, PRINTER.toUpperCase().replace('URN:UUID', 'urn:uuid'), selfSigned.certPem, { store: new TrustStore(s.dir) });
    expect(again.kind).toBe('pinned');
    expect(again.fingerprint).toBe(first.fingerprint);
  });

  it('3. first use decided by a callback that sees the fingerprint', async () => {
    const s = await store();
    const seen: string[] = [];
    const d = await decideTrust(URI, PRINTER, noSan.certPem, {
      store: s,
      firstUse: async (c) => {
        seen.push(c.fingerprint);
        return true;
      },
    });
    expect(seen).toEqual([d.fingerprint]);
    await refused(decideTrust('ipp://127.0.0.1:9999/other', 'urn:uuid:00000000-0000-4000-8000-000000000000', noSan.certPem, { store: s, firstUse: async () => false }), 'CLIENT_TRUST_FIRST_USE_REFUSED');
  });

  it('4. changed: a different key for a pinned printer is always refused, naming the risk', async () => {
    const s = await store();
    const first = await decideTrust(URI, PRINTER, selfSigned.certPem, { store: s, firstUse: 'accept' });
    const err = await refused(decideTrust(URI, PRINTER, selfSigned2.certPem, { store: s, firstUse: 'accept' }), 'CLIENT_TRUST_KEY_CHANGED');
    expect(err.message).toContain('a relay may be substituting keys');
    expect(err.message).toContain(formatFingerprint(first.fingerprint));
    expect((await s.getPin(PRINTER))?.fingerprint).toBe(first.fingerprint);
    // forget, then the new key is a first use again.
    expect(await s.forget(PRINTER)).toBe(true);
    expect(await s.forget(PRINTER)).toBe(false);
    expect((await decideTrust(URI, PRINTER, selfSigned2.certPem, { store: s, firstUse: 'accept' })).kind).toBe('first-use');
  });

  it('D20: a URI is one printer: the same URI spelled differently is the same binding, another uuid there is CHANGED', async () => {
    const s = await store();
    await decideTrust('ipp://127.0.0.1:631/ipp/print', PRINTER, selfSigned.certPem, { store: s, firstUse: 'accept' });
    expect((await decideTrust('IPP://127.0.0.1/ipp/print', PRINTER, selfSigned.certPem, { store: s })).kind).toBe('pinned');
    expect(normalizePrinterUri('IPPS://Printer.Example:631')).toBe('ipps://printer.example/');
    const other = 'urn:uuid:22222222-3333-4444-8555-666666666666';
    await refused(decideTrust('ipp://127.0.0.1/ipp/print', other, noSan.certPem, { store: s, firstUse: 'accept' }), 'CLIENT_TRUST_KEY_CHANGED');
    // Another URI reaching the pinned printer: asked (with where it is known), never accepted by 'accept'.
    await refused(decideTrust('ipp://10.0.0.9/ipp/print', PRINTER, selfSigned.certPem, { store: s, firstUse: 'accept' }), 'CLIENT_TRUST_OTHER_URI');
    const asked: (readonly string[] | undefined)[] = [];
    const d = await decideTrust('ipp://10.0.0.9/ipp/print', PRINTER, selfSigned.certPem, { store: s, firstUse: async (c) => (asked.push(c.knownAt), true) });
    expect(asked).toEqual([['ipp://127.0.0.1/ipp/print']]);
    expect(d.kind).toBe('pinned');
    expect((await s.bindingsOf(PRINTER)).map((b) => b.printerUri).sort()).toEqual(['ipp://10.0.0.9/ipp/print', 'ipp://127.0.0.1/ipp/print']);
  });

  it('refuses garbage and oversized chains in printer-pkcs7-public-key', async () => {
    const s = await store();
    await refused(decideTrust(URI, PRINTER, 'not a certificate', { store: s, firstUse: 'accept' }), 'CLIENT_TRUST_KEY_INVALID');
    const lines = selfSigned.certPem.trim().split('\n');
    const broken = [...lines.slice(0, 3), lines.at(-1)].join('\n'); // truncated DER
    await refused(decideTrust(URI, PRINTER, broken, { store: s, firstUse: 'accept' }), 'CLIENT_TRUST_KEY_INVALID');
    await refused(decideTrust(URI, PRINTER, selfSigned.certPem.repeat(7), { store: s, firstUse: 'accept' }), 'CLIENT_TRUST_KEY_INVALID');
  });
});

describe('trust store on disk', () => {
  it('writes trust.json owner-only, and refuses a corrupt file with an actionable message', async () => {
    const s = await store();
    await s.setPin(PRINTER, { fingerprint: 'a'.repeat(64), pinnedAt: new Date(0).toISOString(), how: 'manual' });
    const st = await stat(join(s.dir, 'trust.json'));
    expect(st.mode & 0o077).toBe(0);
    expect(JSON.parse(await readFile(join(s.dir, 'trust.json'), 'utf8')).uuidPins[PRINTER].fingerprint).toBe('a'.repeat(64));
    await writeFile(join(s.dir, 'trust.json'), '{ nope');
    await expect(s.getPin(PRINTER)).rejects.toThrow(/not valid JSON/);
  });

  it('keeps every pin when many printers are pinned at once (concurrent first-use prints)', async () => {
    const s = await store();
    const uuids = Array.from({ length: 25 }, (_, i) => `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await Promise.all(uuids.map((u, i) => s.setPin(u, { fingerprint: i.toString(16).padStart(64, '0'), pinnedAt: new Date(0).toISOString(), how: 'manual' })));
    const pins = await s.pins();
    expect(Object.keys(pins).sort()).toEqual([...uuids].sort());
    await Promise.all(uuids.slice(0, 10).map((u) => s.forget(u)));
    expect(Object.keys(await s.pins())).toHaveLength(15);
  });

  it('resolves the state directory: --state, then $XDG_STATE_HOME, then ~/.local/state', () => {
    expect(resolveStateDir({ explicit: 'st', cwd: '/w' })).toBe('/w/st');
    expect(resolveStateDir({ env: { XDG_STATE_HOME: '/x', HOME: '/h' } })).toBe('/x/trustnoone');
    expect(resolveStateDir({ env: { XDG_STATE_HOME: 'relative', HOME: '/h' } })).toBe('/h/.local/state/trustnoone');
  });
});
