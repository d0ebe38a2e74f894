// Property tests (fast-check) for PasswordRecipientInfo input: any mutation of a password
// envelope, and arbitrary bytes in place of the pwri's fields, end in a typed CmsError (or open
// the content, when a change did not touch anything that matters), never a crash or a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CmsError, open, sealToBytes } from '@trustnoone/smime';

const content = new TextEncoder().encode('pin layer content');
const password = '90210';
// A low iteration cap keeps each attempt cheap even when a mutation raises the count.
const limits = { maxPbkdf2Iterations: 20_000 };

async function outcome(bytes: Uint8Array, pw: string = password): Promise<'opened' | string> {
  try {
    const r = await open(bytes, { password: pw, limits, allowWeakPasswordDerivation: true, allowUnauthenticated: true });
    return Buffer.from(r.plaintext).equals(Buffer.from(content)) ? 'opened' : 'opened-other';
  } catch (err) {
    if (!(err instanceof CmsError)) throw new Error(`untyped failure: ${String(err)}`, { cause: err });
    return err.code;
  }
}

describe('malformed password envelopes', () => {
  it('byte mutations anywhere yield a typed error (or, GCM: the original content; CBC: some content)', async () => {
    const envs = await Promise.all([
      sealToBytes(content, { recipients: [{ password, iterations: 10_000 }] }),
      sealToBytes(content, { recipients: [{ password, iterations: 10_000, kekCipher: 'aes-128-cbc' }], cipher: 'aes-128-cbc' }),
    ]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), async (which, edits) => {
        const b = new Uint8Array(envs[which]!);
        for (const [at, v] of edits) b[at % b.length] = v;
        const r = await outcome(b);
        // Only AES-GCM detects an altered content; CBC (no integrity) may open to other bytes.
        if (which === 0) expect(r).not.toBe('opened-other');
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('truncations yield a typed error', async () => {
    const env = await sealToBytes(content, { recipients: [{ password, iterations: 10_000 }] });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: env.length - 1 }), async (cut) => {
        const r = await outcome(env.subarray(0, cut));
        expect(r).toMatch(/^CMS_/);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('a pwri whose encrypted key is replaced by arbitrary bytes: typed error (mostly wrong password or malformed)', async () => {
    const env = await sealToBytes(content, { recipients: [{ password, iterations: 10_000, salt: new Uint8Array(16).fill(7), kekIv: new Uint8Array(16).fill(9) }] });
    // The encryptedKey OCTET STRING is the 48 bytes after its header 04 30 (AES-256 CEK: 4+32 → 3 blocks).
    const at = Buffer.from(env).indexOf(Buffer.from([0x04, 0x30]));
    expect(at).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 48, maxLength: 48 }), async (key) => {
        const b = new Uint8Array(env);
        b.set(key, at + 2);
        expect(await outcome(b)).toMatch(/^CMS_(WRONG_PASSWORD|TAG_MISMATCH)$/);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('any password other than the right one: CMS_WRONG_PASSWORD (or, 2^-24 of the time, a tag mismatch)', async () => {
    const env = await sealToBytes(content, { recipients: [{ password, iterations: 10_000 }] });
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 12 }).filter((s) => s !== password), async (pw) => {
        expect(await outcome(env, pw)).toMatch(/^CMS_(WRONG_PASSWORD|TAG_MISMATCH)$/);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
