/**
 * Get-Encrypted-Job-Attributes answers are signed by the printer, and the client accepts them only
 * from the key it trusts (docs/spec-notes.md §3, docs/decisions.md "Who signs an X25519 printer's
 * answers"). An X25519 key cannot sign, so such a printer signs with its local issuer and
 * advertises leaf + issuer; the client accepts the issuer only because it verifiably signed the
 * pinned leaf. Everything goes through public interfaces: startPrinter, the client's print and
 * encryptedJobAttributes, and a relay in the middle that can rewrite what it forwards.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientError, encryptedJobAttributes, pinPrinter, print, TrustStore } from '@trustnoone/client';
import { decodeMessage, encodeMessage, GroupTag, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import {
  certificateToPem,
  createCertificate,
  createCertificateAuthority,
  createIdentity,
  generateKeyPair,
  joinPemLines,
  parseCertificates,
  pemLines,
  privateKeyToPem,
  sealToBytes,
  type Certificate,
  type Identity,
} from '@trustnoone/smime';
import { startPrinter, type KeyAlgorithm, type RunningPrinter } from '@trustnoone/printer';
import { TEXT } from './support/documents.js';

const GET_PRINTER_ATTRIBUTES = 0x000b;
const GET_ENCRYPTED_JOB_ATTRIBUTES = 0x006a;

/** What the relay does to the traffic it forwards. */
interface Tampering {
  /** Replaces printer-pkcs7-public-key (PEM text) in Get-Printer-Attributes answers. */
  advertise?: (pem: string) => string;
  /** Replaces the sealed answer of Get-Encrypted-Job-Attributes. */
  answer?: () => Promise<Uint8Array>;
}

/** A blind relay on 127.0.0.1 forwarding IPP to the printer, tampering when told to. */
async function startRelay(upstream: string): Promise<{ uri: string; tamper: Tampering; close(): Promise<void> }> {
  const target = new URL(upstream.replace(/^ipp:/, 'http:'));
  const tamper: Tampering = {};
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const operation = body.length >= 4 ? body.readUInt16BE(2) : 0;
      const up = httpRequest(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/ipp', 'content-length': body.length } },
        (upRes) => {
          const got: Buffer[] = [];
          upRes.on('data', (c: Buffer) => got.push(c));
          upRes.on('end', () => {
            void rewrite(operation, Buffer.concat(got), tamper).then((out) => {
              res.writeHead(upRes.statusCode ?? 500, { 'content-type': 'application/ipp', 'content-length': out.length });
              res.end(out);
            });
          });
        },
      );
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { uri: `ipp://127.0.0.1:${port}/ipp/print`, tamper, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function rewrite(operation: number, bytes: Buffer, tamper: Tampering): Promise<Buffer> {
  if (operation === GET_PRINTER_ATTRIBUTES && tamper.advertise) {
    const message = decodeMessage(bytes);
    const groups = message.groups.map((g) =>
      g.tag !== GroupTag.printer
        ? g
        : {
            ...g,
            attributes: g.attributes.map((a): IppAttribute => {
              if (a.name !== 'printer-pkcs7-public-key') return a;
              const pem = joinPemLines(a.values.map((v) => ('value' in v ? String(v.value) : '')));
              return { ...a, values: pemLines(tamper.advertise!(pem)).map((value) => ({ tag: 'textWithoutLanguage' as const, value })) };
            }),
          },
    );
    return Buffer.from(encodeMessage({ ...message, groups }));
  }
  if (operation === GET_ENCRYPTED_JOB_ATTRIBUTES && tamper.answer) {
    const message = decodeMessage(bytes);
    return Buffer.from(encodeMessage({ ...message, data: await tamper.answer() }));
  }
  return bytes;
}

/** A forged answer a relay could make: the owner's certificate is public, so anyone can seal to it. */
function forgedAnswer(ownerPem: string, signer: { certificate: Certificate; privateKey: import('node:crypto').KeyObject }, chain: Certificate[] = []): () => Promise<Uint8Array> {
  const inner: IppMessage = {
    version: { major: 2, minor: 0 },
    code: 0,
    requestId: 1,
    groups: [
      { tag: GroupTag.operation, attributes: [] },
      { tag: GroupTag.job, attributes: [{ name: 'job-name', values: [{ tag: 'nameWithoutLanguage', value: 'forged by the relay' }] }] },
    ],
  };
  return () => sealToBytes(encodeMessage(inner), { recipients: [ownerPem], signer: { ...signer, chain } });
}

interface Setup {
  printer: RunningPrinter;
  relay: Awaited<ReturnType<typeof startRelay>>;
  store: TrustStore;
  owner: { certificatePem: string; privateKeyPem: string };
  jobId: number;
  dirs: string[];
}

/** Starts a printer with `algorithm`, a relay in front, pins the printer on first use and prints one sealed job. */
async function setup(algorithm: KeyAlgorithm, issuer?: Identity): Promise<Setup> {
  const dirs = [await mkdtemp(join(tmpdir(), 'tno-answer-printer-')), await mkdtemp(join(tmpdir(), 'tno-answer-client-'))];
  const printer = await startPrinter({
    stateDir: dirs[0]!,
    port: 0,
    keyAlgorithm: algorithm,
    logger: false,
    ...(issuer ? { issuer: { certificatePem: certificateToPem(issuer.certificate), privateKeyPem: privateKeyToPem(issuer.privateKey) } } : {}),
  });
  const relay = await startRelay(printer.uri);
  const store = new TrustStore(dirs[1]!);
  const id = createIdentity({ commonName: 'alice', algorithm: 'p256' });
  const owner = { certificatePem: certificateToPem(id.certificate), privateKeyPem: privateKeyToPem(id.privateKey) };
  const r = await print({
    printer: relay.uri,
    userName: 'alice',
    documents: [{ data: TEXT, format: 'text/plain', name: 'budget 2027' }],
    ownerCertificate: owner.certificatePem,
    trust: { store, firstUse: 'accept' },
  });
  expect(r.trust?.kind).toBe('first-use');
  expect(r.status?.state).toBe('completed');
  return { printer, relay, store, owner, jobId: r.jobId, dirs };
}

async function teardown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  await s.relay.close();
  await s.printer.close();
  for (const d of s.dirs) await rm(d, { recursive: true, force: true });
}

function ask(s: Setup) {
  return encryptedJobAttributes({ printer: s.relay.uri, userName: 'alice' }, s.jobId, {
    certificate: s.owner.certificatePem,
    privateKey: s.owner.privateKeyPem,
    requested: ['job-name', 'job-state'],
    trust: { store: s.store },
  });
}

function jobName(attributes: readonly IppAttribute[]): unknown {
  const v = attributes.find((a) => a.name === 'job-name')?.values[0];
  return v && 'value' in v ? v.value : undefined;
}

async function refusal(p: Promise<unknown>): Promise<ClientError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClientError);
  return err as ClientError;
}

/** A CA a relay makes with the same name as the printer's issuer, so only the signature tells them apart. */
function lookalikeIssuer(real: Certificate): { certificate: Certificate; privateKey: import('node:crypto').KeyObject } {
  const { privateKey } = generateKeyPair('p256');
  const cn = /CN=([^,]+)/.exec(real.subjectText)?.[1] ?? 'issuer';
  const certificate = createCertificate({ subject: { commonName: cn, organization: 'trustnoone printer' }, publicKey: privateKey, signingKey: privateKey, isCA: true });
  expect(certificate.subjectText).toBe(real.subjectText);
  return { certificate, privateKey };
}

describe('an X25519 printer answers Get-Encrypted-Job-Attributes verifiably', () => {
  let s: Setup | undefined;
  beforeAll(async () => {
    s = await setup('x25519');
  }, 60_000);
  afterAll(async () => teardown(s));

  it('advertises its certificate first, then the local issuer that signs its answers', () => {
    const advertised = parseCertificates(s!.printer.printer.keys.certificatePem);
    expect(advertised).toHaveLength(1);
    const lines = s!.printer.printer.keys.certificatePemLines;
    const chain = parseCertificates(joinPemLines(lines));
    expect(chain.map((c) => c.fingerprint)).toEqual([s!.printer.printer.keys.fingerprint, s!.printer.printer.keys.signer.certificate.fingerprint]);
    expect(chain[0]!.keyKind).toBe('x25519');
    expect(chain[1]!.isCA).toBe(true);
  });

  it('the owner reads the job name; the answer is signed by the issuer of the pinned certificate', async () => {
    const got = await ask(s!);
    expect(jobName(got.attributes)).toBe('budget 2027');
    expect(got.trust.kind).toBe('pinned');
    expect(got.trust.fingerprint).toBe(s!.printer.printer.keys.fingerprint);
    expect(got.signer).toContain('issuer');
    expect(got.signedBy).toBe('printer-issuer');
  });

  it('refuses an answer signed by a look-alike issuer the relay advertises instead of the real one', async () => {
    const real = s!.printer.printer.keys.signer.certificate;
    const fake = lookalikeIssuer(real);
    s!.relay.tamper.advertise = (pem) => {
      const [leaf] = parseCertificates(pem);
      return certificateToPem(leaf!) + certificateToPem(fake.certificate);
    };
    s!.relay.tamper.answer = forgedAnswer(s!.owner.certificatePem, fake);
    try {
      const err = await refusal(ask(s!));
      expect(err.code).toBe('CLIENT_SEALED_ANSWER_INVALID');
      expect(err.message).toMatch(/not signed by the printer's trusted key/);
      // Swapping only the advertised issuer is enough to refuse the genuine answer too.
      delete s!.relay.tamper.answer;
      expect((await refusal(ask(s!))).code).toBe('CLIENT_SEALED_ANSWER_INVALID');
    } finally {
      delete s!.relay.tamper.advertise;
      delete s!.relay.tamper.answer;
    }
  });

  it('refuses an answer signed by a look-alike issuer even when the real chain is advertised', async () => {
    const fake = lookalikeIssuer(s!.printer.printer.keys.signer.certificate);
    s!.relay.tamper.answer = forgedAnswer(s!.owner.certificatePem, fake);
    try {
      expect((await refusal(ask(s!))).code).toBe('CLIENT_SEALED_ANSWER_INVALID');
    } finally {
      delete s!.relay.tamper.answer;
    }
  });

  it('refuses an answer signed by another key, also when the relay advertises that key as the issuer', async () => {
    const other = createIdentity({ commonName: 'relay', algorithm: 'p256' });
    s!.relay.tamper.answer = forgedAnswer(s!.owner.certificatePem, other);
    try {
      expect((await refusal(ask(s!))).code).toBe('CLIENT_SEALED_ANSWER_INVALID');
      // The relay's own certificate advertised as the issuer: it is no CA, and it did not sign the
      // pinned certificate.
      s!.relay.tamper.advertise = (pem) => certificateToPem(parseCertificates(pem)[0]!) + certificateToPem(other.certificate);
      expect((await refusal(ask(s!))).message).toMatch(/not a CA certificate/);
    } finally {
      delete s!.relay.tamper.answer;
      delete s!.relay.tamper.advertise;
    }
  });

  it('pinning deliberately uses the printer certificate\'s fingerprint (what the printer displays), not the issuer\'s', async () => {
    const d = await mkdtemp(join(tmpdir(), 'tno-answer-pin-'));
    s!.dirs.push(d);
    const store = new TrustStore(d);
    const pinned = await pinPrinter({ printer: s!.relay.uri }, { store, fingerprint: s!.printer.printer.keys.fingerprint });
    expect(pinned.fingerprint).toBe(s!.printer.printer.keys.fingerprint);
    expect(pinned.subject).not.toContain('issuer');
    await expect(pinPrinter({ printer: s!.relay.uri }, { store: new TrustStore(d), fingerprint: s!.printer.printer.keys.signer.certificate.fingerprint })).rejects.toThrow(ClientError);
    const got = await encryptedJobAttributes({ printer: s!.relay.uri, userName: 'alice' }, s!.jobId, {
      certificate: s!.owner.certificatePem,
      privateKey: s!.owner.privateKeyPem,
      requested: ['job-name'],
      trust: { store },
    });
    expect(got.trust.kind).toBe('pinned');
    expect(jobName(got.attributes)).toBe('budget 2027');
  });

  it('still reads the genuine answer after the relay stops tampering', async () => {
    expect(jobName((await ask(s!)).attributes)).toBe('budget 2027');
  });
});

describe('the X25519 key store keeps the advertised pair consistent', () => {
  it('reissues the certificate when the local issuer key was replaced, so the issuer advertised signed it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tno-answer-reissue-'));
    try {
      const first = await startPrinter({ stateDir: dir, port: 0, keyAlgorithm: 'x25519', logger: false });
      const before = first.printer.keys.fingerprint;
      await first.close();
      await rm(join(dir, 'keys', 'printer-ca.key.pem'));
      const second = await startPrinter({ stateDir: dir, port: 0, keyAlgorithm: 'x25519', logger: false });
      try {
        const [leaf, issuer] = parseCertificates(joinPemLines(second.printer.keys.certificatePemLines));
        expect(leaf!.fingerprint).not.toBe(before);
        expect(new X509Certificate(Buffer.from(leaf!.der)).verify(issuer!.publicKey)).toBe(true);
        expect(issuer!.fingerprint).toBe(second.printer.keys.signer.certificate.fingerprint);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('an X25519 printer issued by a site CA', () => {
  const setups: Setup[] = [];
  afterAll(async () => {
    for (const s of setups) await teardown(s);
  });

  it('a P-256 CA signs the answers; once the CA is an anchor the printer is verified and answers still verify', async () => {
    const ca = createCertificateAuthority({ commonName: 'Site CA', algorithm: 'p256' });
    const s = await setup('x25519', ca);
    setups.push(s);
    const pinned = await ask(s);
    expect(jobName(pinned.attributes)).toBe('budget 2027');
    expect(pinned.signedBy).toBe('printer-issuer');
    await s.store.addAnchor(certificateToPem(ca.certificate));
    const verified = await ask(s);
    expect(verified.trust.kind).toBe('verified');
    expect(jobName(verified.attributes)).toBe('budget 2027');
  }, 60_000);

  it('an RSA CA signs the answers: accepted only once the user made that CA a trust anchor', async () => {
    const ca = createCertificateAuthority({ commonName: 'Site RSA CA', algorithm: 'rsa3072' });
    const s = await setup('x25519', ca);
    setups.push(s);
    // RSA does not bind the issuer to the signature on the pinned certificate: a forger can build
    // an RSA key under which that signature verifies, so the pin alone does not cover the issuer.
    const err = await refusal(ask(s));
    expect(err.code).toBe('CLIENT_SEALED_ANSWER_INVALID');
    expect(err.message).toMatch(/rsa key.*trust anchor/);
    await s.store.addAnchor(certificateToPem(ca.certificate));
    const got = await ask(s);
    expect(got.trust.kind).toBe('verified');
    expect(got.signedBy).toBe('printer-issuer');
    expect(jobName(got.attributes)).toBe('budget 2027');
  }, 60_000);
});

describe.each(['p256', 'rsa'] as const)('a %s printer is unchanged', (algorithm) => {
  let s: Setup | undefined;
  beforeAll(async () => {
    s = await setup(algorithm);
  }, 60_000);
  afterAll(async () => teardown(s));

  it('advertises exactly one certificate and signs answers with it', async () => {
    expect(parseCertificates(joinPemLines(s!.printer.printer.keys.certificatePemLines))).toHaveLength(1);
    const got = await ask(s!);
    expect(jobName(got.attributes)).toBe('budget 2027');
    expect(got.trust.fingerprint).toBe(s!.printer.printer.keys.fingerprint);
    expect(got.signedBy).toBe('printer-certificate');
  });

  it('refuses an answer signed by another key', async () => {
    const other = createIdentity({ commonName: 'relay', algorithm: 'p256' });
    s!.relay.tamper.answer = forgedAnswer(s!.owner.certificatePem, other);
    try {
      expect((await refusal(ask(s!))).code).toBe('CLIENT_SEALED_ANSWER_INVALID');
    } finally {
      delete s!.relay.tamper.answer;
    }
  });
});
