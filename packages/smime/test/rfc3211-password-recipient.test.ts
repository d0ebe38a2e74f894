// PasswordRecipientInfo (RFC 5652 §6.2.4, RFC 3211): our own round trips, the wrong-password and
// limit errors, and interop with OpenSSL's `openssl cms -pwri_password` in both directions.
// OpenSSL 3.0 writes pwri only into EnvelopedData with AES-CBC (its KEK cipher defaults to the
// content cipher, which cannot be GCM), but it reads pwri in our AuthEnvelopedData with AES-GCM.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CmsErrorCode, open, sealToBytes } from '@trustnoone/smime';
import { openssl, opensslOk } from './helpers/openssl.js';
import { createTestPki } from './helpers/pki.js';

const dir = mkdtempSync(join(tmpdir(), 'tno-pwri-'));
let n = 0;
const file = (name: string, data?: Uint8Array): string => {
  const p = join(dir, `${n++}-${name}`);
  if (data) writeFileSync(p, data);
  return p;
};
const message = Buffer.from('%PDF-1.7 held until the PIN is entered\n'.repeat(2000));
// The minimum we accept keeps these tests fast; the default (600 000) is exercised once below.
const fast = { iterations: 10_000 } as const;

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('password recipients, our own round trip', () => {
  it('AES-256-GCM content, PBKDF2-HMAC-SHA-256, default iterations: opens with the password only', async () => {
    const env = await sealToBytes(message, { recipients: [{ password: '482916' }] });
    const r = await open(env, { password: '482916' });
    expect(Buffer.from(r.plaintext).equals(message)).toBe(true);
    expect(r.envelope).toBe('authEnvelopedData');
    expect(r.recipient).toMatchObject({ type: 'pwri', scheme: 'pbkdf2-sha256-aes-256-cbc', identifier: { kind: 'password' } });
  });

  it('a wrong password is CMS_WRONG_PASSWORD, not a tag or decrypt error', async () => {
    const env = await sealToBytes(message, { recipients: [{ password: '482916', ...fast }] });
    for (const wrong of ['482917', '', '4829160', 'x']) expect(await codeOf(open(env, { password: wrong })), wrong).toBe(CmsErrorCode.wrongPassword);
  });

  it('every KEK cipher and PRF we write opens again', async () => {
    for (const kekCipher of ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc'] as const) {
      for (const prf of ['sha256', 'sha384', 'sha512'] as const) {
        for (const cipher of ['aes-128-gcm', 'aes-256-gcm'] as const) {
          const env = await sealToBytes(message, { recipients: [{ password: 'ünïcode-PIN', kekCipher, prf, ...fast }], cipher });
          const r = await open(env, { password: 'ünïcode-PIN' });
          expect(r.recipient.scheme).toBe(`pbkdf2-${prf}-${kekCipher}`);
        }
      }
    }
  });

  it('an envelope to a key only has no password recipient: CMS_NO_MATCHING_RECIPIENT; neither key nor password: CMS_BAD_OPTIONS', async () => {
    const pki = createTestPki();
    const toKey = await sealToBytes(message, { recipients: [pki.ids.p256.certificate] });
    expect(await codeOf(open(toKey, { password: '1' }))).toBe(CmsErrorCode.noMatchingRecipient);
    const toPassword = await sealToBytes(message, { recipients: [{ password: '1', ...fast }] });
    expect(await codeOf(open(toPassword, {}))).toBe(CmsErrorCode.badOptions);
    expect(await codeOf(open(toPassword, { privateKey: pki.ids.p256.privateKey }))).toBe(CmsErrorCode.noMatchingRecipient);
  });

  it('weak settings are refused on write', async () => {
    expect(await codeOf(sealToBytes(message, { recipients: [{ password: '1', iterations: 2048 }] }))).toBe(CmsErrorCode.badOptions);
    expect(await codeOf(sealToBytes(message, { recipients: [{ password: '1', ...fast, salt: new Uint8Array(8) }] }))).toBe(CmsErrorCode.badOptions);
    expect(await codeOf(sealToBytes(message, { recipients: [{ password: '', ...fast }] }))).toBe(CmsErrorCode.badOptions);
  });

  it('an iteration count above the limit is refused before any key derivation', async () => {
    const env = await sealToBytes(message, { recipients: [{ password: '1', iterations: 20_000 }] });
    const started = performance.now();
    expect(await codeOf(open(env, { password: '1', limits: { maxPbkdf2Iterations: 19_999 } }))).toBe(CmsErrorCode.limitExceeded);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('openssl cms -pwri_password writes, we open', () => {
  it('EnvelopedData AES-256-CBC with OpenSSL defaults (HMAC-SHA-1, 8-byte salt, 2048 iterations): refused by default, opens when allowed', async () => {
    const der = opensslOk(['cms', '-encrypt', '-binary', '-aes-256-cbc', '-pwri_password', '731904', '-outform', 'DER'], message);
    expect(await codeOf(open(der, { password: '731904', allowUnauthenticated: true }))).toBe(CmsErrorCode.algorithmRefused);
    const r = await open(der, { password: '731904', allowUnauthenticated: true, allowWeakPasswordDerivation: true });
    expect(Buffer.from(r.plaintext).equals(message)).toBe(true);
    expect(r.recipient.scheme).toBe('pbkdf2-sha1-aes-256-cbc');
    expect(await codeOf(open(der, { password: '731905', allowUnauthenticated: true, allowWeakPasswordDerivation: true }))).toBe(CmsErrorCode.wrongPassword);
  });

  it('OpenSSL cannot write pwri with an AES-GCM content cipher (so the nested PIN layer is ours to write)', () => {
    // From a file, not stdin: openssl fails before reading its input, and a pipe would EPIPE.
    const r = openssl(['cms', '-encrypt', '-binary', '-aes-256-gcm', '-pwri_password', '731904', '-outform', 'DER', '-in', file('message.txt', message)]);
    expect(r.status).not.toBe(0);
  });
});

describe('we write, openssl cms -decrypt -pwri_password opens', () => {
  it('AuthEnvelopedData AES-256-GCM (our default), PBKDF2-HMAC-SHA-256', async () => {
    const env = file('gcm.der', await sealToBytes(message, { recipients: [{ password: '204815', ...fast }] }));
    const out = opensslOk(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', env, '-pwri_password', '204815']);
    expect(out.equals(message)).toBe(true);
    const wrong = openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', env, '-pwri_password', '204816']);
    expect(wrong.status).not.toBe(0);
  });

  it('EnvelopedData AES-256-CBC (version 3, RFC 5652 §6.1), every KEK cipher', async () => {
    for (const kekCipher of ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc'] as const) {
      const der = await sealToBytes(message, { recipients: [{ password: 'pin', kekCipher, prf: 'sha512', ...fast }], cipher: 'aes-256-cbc' });
      const p = file('cbc.der', der);
      expect(opensslOk(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', p]).toString()).toMatch(/envelopedData:\s+version: 3/);
      expect(opensslOk(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', p, '-pwri_password', 'pin']).equals(message), kekCipher).toBe(true);
    }
  });

  it('the structure OpenSSL prints is PBKDF2 with a 16-byte salt and id-alg-PWRI-KEK', async () => {
    const p = file('print.der', await sealToBytes(message, { recipients: [{ password: 'pin', ...fast }] }));
    const printed = opensslOk(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', p]).toString();
    expect(printed).toContain('PBKDF2');
    expect(printed).toContain('id-alg-PWRI-KEK');
    expect(printed).toContain('hmacWithSHA256');
    expect(readFileSync(p).length).toBeGreaterThan(message.length);
  });
});
