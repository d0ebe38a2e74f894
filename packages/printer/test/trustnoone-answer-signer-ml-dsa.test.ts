/**
 * Issue 18 (ML-DSA): an X25519 printer whose certificate is issued by an ML-DSA-65 CA signs its
 * Get-Encrypted-Job-Attributes answers with that CA's ML-DSA key (RFC 9882 SignerInfo), and the
 * client accepts them because the advertised ML-DSA issuer verifiably signed the pinned
 * certificate (docs/decisions.md D20). A look-alike ML-DSA issuer a relay advertises is refused.
 * Through public interfaces only: startPrinter, the client's print and encryptedJobAttributes.
 * No openssl interop: OpenSSL 3.0 (Debian 12) has no ML-DSA.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientError, encryptedJobAttributes, print, TrustStore } from '@trustnoone/client';
import { decodeMessage, encodeMessage, GroupTag, type IppAttribute } from '@trustnoone/ipp';
import { certificateToPem, createIdentity, createMlDsaIdentity, joinPemLines, parseCertificates, pemLines, privateKeyToPem, type MlDsaIdentity } from '@trustnoone/smime';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { TEXT } from './support/documents.js';

const GET_PRINTER_ATTRIBUTES = 0x000b;

/** A relay on 127.0.0.1 that can replace printer-pkcs7-public-key in Get-Printer-Attributes answers. */
async function startRelay(upstream: string): Promise<{ uri: string; advertise?: (pem: string) => string; close(): Promise<void> }> {
  const target = new URL(upstream.replace(/^ipp:/, 'http:'));
  const relay: { uri: string; advertise?: (pem: string) => string; close(): Promise<void> } = { uri: '', close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const operation = body.length >= 4 ? body.readUInt16BE(2) : 0;
      const up = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/ipp', 'content-length': body.length } }, (upRes) => {
        const got: Buffer[] = [];
        upRes.on('data', (c: Buffer) => got.push(c));
        upRes.on('end', () => {
          let out = Buffer.concat(got);
          if (operation === GET_PRINTER_ATTRIBUTES && relay.advertise) {
            const m = decodeMessage(out);
            const groups = m.groups.map((g) =>
              g.tag !== GroupTag.printer
                ? g
                : {
                    ...g,
                    attributes: g.attributes.map((a): IppAttribute => {
                      if (a.name !== 'printer-pkcs7-public-key') return a;
                      const pem = joinPemLines(a.values.map((v) => ('value' in v ? String(v.value) : '')));
                      return { ...a, values: pemLines(relay.advertise!(pem)).map((value) => ({ tag: 'textWithoutLanguage' as const, value })) };
                    }),
                  },
            );
            out = Buffer.from(encodeMessage({ ...m, groups }));
          }
          res.writeHead(upRes.statusCode ?? 500, { 'content-type': 'application/ipp', 'content-length': out.length });
          res.end(out);
        });
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  relay.uri = `ipp://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/ipp/print`;
  relay.close = () => new Promise((resolve) => server.close(() => resolve()));
  return relay;
}

let dirs: string[];
let ca: MlDsaIdentity;
let printer: RunningPrinter;
let relay: Awaited<ReturnType<typeof startRelay>>;
let store: TrustStore;
let owner: { certificatePem: string; privateKeyPem: string };
let jobId: number;

beforeAll(async () => {
  dirs = [await mkdtemp(join(tmpdir(), 'tno-mldsa-printer-')), await mkdtemp(join(tmpdir(), 'tno-mldsa-client-'))];
  ca = createMlDsaIdentity({ commonName: 'Site ML-DSA CA', algorithm: 'ml-dsa-65', isCA: true });
  printer = await startPrinter({ stateDir: dirs[0]!, port: 0, keyAlgorithm: 'x25519', logger: false, issuer: { certificatePem: certificateToPem(ca.certificate), privateKeyPem: ca.privateKey.toPem() } });
  relay = await startRelay(printer.uri);
  store = new TrustStore(dirs[1]!);
  const id = createIdentity({ commonName: 'alice', algorithm: 'p256' });
  owner = { certificatePem: certificateToPem(id.certificate), privateKeyPem: privateKeyToPem(id.privateKey) };
  const r = await print({ printer: relay.uri, userName: 'alice', documents: [{ data: TEXT, format: 'text/plain', name: 'budget 2027' }], ownerCertificate: owner.certificatePem, trust: { store, firstUse: 'accept' } });
  expect(r.status?.state).toBe('completed');
  jobId = r.jobId;
}, 60_000);

afterAll(async () => {
  await relay?.close();
  await printer?.close();
  for (const d of dirs ?? []) await rm(d, { recursive: true, force: true });
});

const ask = () =>
  encryptedJobAttributes({ printer: relay.uri, userName: 'alice' }, jobId, { certificate: owner.certificatePem, privateKey: owner.privateKeyPem, requested: ['job-name', 'job-state'], trust: { store } });

describe('an X25519 printer issued by an ML-DSA CA signs its answers with ML-DSA', () => {
  it('advertises its X25519 certificate, then the ML-DSA-65 issuer that signs its answers', () => {
    const chain = parseCertificates(joinPemLines(printer.printer.keys.certificatePemLines));
    expect(chain.map((c) => c.keyKind)).toEqual(['x25519', 'ml-dsa-65']);
    expect(chain[1]!.fingerprint).toBe(ca.certificate.fingerprint);
  });

  it('the owner reads the job name from an answer signed with ML-DSA-65 by the issuer of the pinned certificate', async () => {
    const got = await ask();
    const name = got.attributes.find((a) => a.name === 'job-name')?.values[0];
    expect(name && 'value' in name ? name.value : undefined).toBe('budget 2027');
    expect(got.trust.kind).toBe('pinned');
    expect(got.signedBy).toBe('printer-issuer');
  });

  it('refuses when the relay advertises a look-alike ML-DSA issuer of the same name', async () => {
    const fake = createMlDsaIdentity({ commonName: 'Site ML-DSA CA', algorithm: 'ml-dsa-65', isCA: true });
    relay.advertise = (pem) => certificateToPem(parseCertificates(pem)[0]!) + certificateToPem(fake.certificate);
    try {
      const err = await ask().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ClientError);
      expect((err as ClientError).code).toBe('CLIENT_SEALED_ANSWER_INVALID');
    } finally {
      delete relay.advertise;
    }
  });
});
