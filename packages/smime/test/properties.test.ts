// Property tests (fast-check): round trips over sizes, chunkings, recipient sets and ciphers; any
// single flipped bit is rejected; random and mutated bytes never crash or hang the reader.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CmsError, open, parseCertificate, parseCertificates, sealToBytes, type SealOptions } from '@trustnoone/smime';
import { createTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});

/** Splits bytes at the given cut points (sorted, deduplicated) into chunks. */
function* chunked(b: Uint8Array, cuts: readonly number[]): Generator<Uint8Array> {
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (b.length + 1)))].sort((x, y) => x - y)) {
    if (c > at) yield b.subarray(at, c);
    at = Math.max(at, c);
  }
  if (at < b.length) yield b.subarray(at);
}

const kinds = ['rsa', 'p256', 'p384', 'x25519'] as const;

describe('round trips', () => {
  it('any content, chunking, recipient subset, cipher, signer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 70_000 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.subarray([...kinds], { minLength: 1 }),
        fc.constantFrom('aes-256-gcm', 'aes-128-gcm'),
        fc.constantFrom(undefined, 'ed25519', 'p256'),
        fc.integer({ min: 1, max: 70_000 }),
        fc.constantFrom('contentInfo', 'signedData'),
        async (content, inCuts, envCuts, recipients, cipher, signerKind, segmentSize, signedNesting) => {
          const options: SealOptions = {
            recipients: recipients.map((k) => pki.ids[k].certificate),
            cipher: cipher as 'aes-256-gcm',
            segmentSize,
            signedNesting: signedNesting as 'contentInfo',
            ...(signerKind ? { signer: { certificate: pki.ids[signerKind].certificate, privateKey: pki.ids[signerKind].privateKey } } : {}),
          };
          const env = await sealToBytes(chunked(content, inCuts), options);
          for (const k of recipients) {
            const res = await open(chunked(env, envCuts), { privateKey: pki.ids[k].privateKey, certificate: pki.ids[k].certificate, requireSignature: signerKind !== undefined });
            expect(Buffer.from(res.plaintext).equals(Buffer.from(content))).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('integrity', () => {
  let envelopes: { env: Uint8Array; key: (typeof kinds)[number] }[];
  beforeAll(async () => {
    envelopes = [];
    // [0]: unsigned (checked exhaustively); [1], [2]: signed, sampled.
    envelopes.push({ env: await sealToBytes(new Uint8Array(300).fill(0x41), { recipients: [pki.ids.p256.certificate], segmentSize: 100 }), key: 'p256' });
    for (const key of ['rsa', 'x25519'] as const) {
      const env = await sealToBytes(new Uint8Array(300).fill(0x41), {
        recipients: [pki.ids[key].certificate],
        segmentSize: 100,
        signer: { certificate: pki.ids.ed25519.certificate, privateKey: pki.ids.ed25519.privateKey },
      });
      envelopes.push({ env, key });
    }
  });

  it('every single flipped bit in an envelope is rejected with a CmsError', async () => {
    // Exhaustive over one envelope (every bit), sampled over the others.
    const { env, key } = envelopes[0]!;
    for (let bit = 0; bit < env.length * 8; bit++) {
      const bad = new Uint8Array(env);
      bad[bit >> 3]! ^= 0x80 >> (bit & 7);
      const err = await open(bad, { privateKey: pki.ids[key].privateKey, certificate: pki.ids[key].certificate }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!(err instanceof CmsError)) throw new Error(`bit ${bit} (byte ${bit >> 3}) flipped: ${err === undefined ? 'accepted' : String(err)}`);
    }
  }, 120_000);

  it('sampled bit flips on signed RSA and X25519 envelopes are rejected', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 }), fc.nat(), async (which, pos) => {
        const { env, key } = envelopes[which]!;
        const bit = pos % (env.length * 8);
        const bad = new Uint8Array(env);
        bad[bit >> 3]! ^= 0x80 >> (bit & 7);
        await expect(open(bad, { privateKey: pki.ids[key].privateKey, certificate: pki.ids[key].certificate, requireSignature: true })).rejects.toBeInstanceOf(CmsError);
      }),
      { numRuns: 600 },
    );
  });
});

describe('hostile input', () => {
  it('random bytes never crash: only CmsError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        await expect(open(bytes, { privateKey: pki.ids.p256.privateKey })).rejects.toBeInstanceOf(CmsError);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes behind a valid envelope prefix never crash: only CmsError', async () => {
    const env = await sealToBytes(new Uint8Array(50), { recipients: [pki.ids.p256.certificate] });
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.uint8Array({ maxLength: 500 }), async (cut, tail) => {
        const bytes = Buffer.concat([env.subarray(0, cut % env.length), tail]);
        await expect(open(bytes, { privateKey: pki.ids.p256.privateKey })).rejects.toBeInstanceOf(CmsError);
      }),
      { numRuns: 500 },
    );
  });

  it('deep nesting and huge declared lengths fail fast with CMS_LIMIT_EXCEEDED or CMS_MALFORMED', async () => {
    // ContentInfo / AuthEnvelopedData / version 0, then RecipientInfos nested 50,000 deep.
    const prefix = Buffer.from('3080060b2a864886f70d0109100117a0803080020100', 'hex');
    const deep = Buffer.concat([prefix, Buffer.alloc(100_000).map((_, i) => (i % 2 ? 0x80 : 0x31))]);
    const start = Date.now();
    await expect(open(deep, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: 'CMS_LIMIT_EXCEEDED' });
    const huge = Buffer.from('3086ffffffffffff', 'hex');
    await expect(open(huge, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: expect.stringMatching(/CMS_(LIMIT_EXCEEDED|MALFORMED)/) as string });
    expect(Date.now() - start).toBeLessThan(2000);
  });
});

describe('certificate and PEM parsers on hostile input', () => {
  it('random bytes and mutated certificates: a Certificate or a CmsError, nothing else', () => {
    const der = pki.ids.p256.certificate.der;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (random, pos, byte) => {
        for (const input of [random, Uint8Array.from(der).fill(byte, pos % der.length, (pos % der.length) + 1)]) {
          try {
            parseCertificate(input);
          } catch (err) {
            if (!(err instanceof CmsError)) throw err;
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('PEM text with junk: certificates or a CmsError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (junk) => {
        try {
          parseCertificates(`-----BEGIN CERTIFICATE-----\n${junk}\n-----END CERTIFICATE-----\n`);
        } catch (err) {
          if (!(err instanceof CmsError)) throw err;
        }
      }),
      { numRuns: 500 },
    );
  });
});
