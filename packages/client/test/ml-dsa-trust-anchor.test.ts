/**
 * An ML-DSA printer CA as the client's trust anchor (docs/spec-notes.md §3 step "verified";
 * docs/decisions.md D20). Node 20's X509Certificate cannot check an ML-DSA signature, so the chain
 * check verifies it with @noble/post-quantum (RFC 9881): a printer certificate issued by an
 * ML-DSA-65 CA the user added as an anchor is verified; the same certificate with one byte of its
 * signature or of its signed body changed, or issued by another ML-DSA CA, is not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseRecipientKey, ClientError, decideTrust, TrustStore } from '@trustnoone/client';
import { certificateToPem, createIdentity, createKemIdentity, createMlDsaIdentity, parseCertificate } from '@trustnoone/smime';

const UUID = '5b2d0c1e-7f3a-4c9b-8e21-0a1b2c3d4e5f';
const PRINTER = `urn:uuid:${UUID}`;
const URI = 'ipp://127.0.0.1:8632/ipp/print';

const ca = createMlDsaIdentity({ commonName: 'tno ML-DSA printer CA', algorithm: 'ml-dsa-65', isCA: true });
const otherCa = createMlDsaIdentity({ commonName: 'tno ML-DSA printer CA', algorithm: 'ml-dsa-65', isCA: true });
const hybrid = createKemIdentity({ commonName: 'hybrid printer', algorithm: 'mlkem768-x25519', ca, printerUuid: UUID });
const classic = createIdentity({ commonName: 'x25519 printer', algorithm: 'x25519', ca, printerUuid: UUID });
const forged = createKemIdentity({ commonName: 'hybrid printer', algorithm: 'mlkem768-x25519', ca: otherCa, printerUuid: UUID });

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function storeWithAnchor(): Promise<TrustStore> {
  const d = await mkdtemp(join(tmpdir(), 'tno-mldsa-trust-'));
  dirs.push(d);
  const s = new TrustStore(d);
  await s.addAnchor(certificateToPem(ca.certificate));
  return s;
}

/** The certificate's DER with one byte flipped at `at` (negative: from the end). */
function tampered(der: Uint8Array, at: number): string {
  const copy = Uint8Array.from(der);
  const i = at < 0 ? copy.length + at : at;
  copy[i]! ^= 0x01;
  return certificateToPem(parseCertificate(copy));
}

describe('an ML-DSA-65 printer CA as trust anchor', () => {
  it('verifies a hybrid (ML-KEM-768 + X25519) and an X25519 printer certificate it issued', async () => {
    for (const printer of [hybrid, classic]) {
      const d = await decideTrust(URI, PRINTER, certificateToPem(printer.certificate), { store: await storeWithAnchor() });
      expect(d.kind, printer.certificate.subjectText).toBe('verified');
      expect(d.kind === 'verified' && d.anchor, printer.certificate.subjectText).toContain('tno ML-DSA printer CA');
    }
  });

  it('a printer advertising X25519 then hybrid certificates, both from that CA: the client seals to the hybrid one', async () => {
    const store = await storeWithAnchor();
    const advertised = `${certificateToPem(classic.certificate)}${certificateToPem(hybrid.certificate)}`;
    const decision = await decideTrust(URI, PRINTER, advertised, { store });
    expect(decision.kind).toBe('verified');
    const chosen = chooseRecipientKey(advertised, PRINTER, decision, await store.anchors(), { requirePostQuantum: true });
    expect(chosen.protection).toBe('hybrid');
    expect(chosen.algorithm).toBe('mlkem768-x25519');
  });

  it('does not verify it with a byte of the signature changed, nor of the signed body, nor from another ML-DSA CA of the same name', async () => {
    const der = hybrid.certificate.der;
    const cases: [string, string][] = [
      ['signature', tampered(der, -10)],
      ['signed body', tampered(der, der.length - hybrid.certificate.signature.length - 200)],
      ['another CA', certificateToPem(forged.certificate)],
    ];
    for (const [what, pem] of cases) {
      // Strict first use: an unverified certificate is refused, never silently trusted.
      const err = await decideTrust(URI, PRINTER, pem, { store: await storeWithAnchor(), firstUse: 'refuse' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(ClientError);
      expect((err as ClientError).code, what).toBe('CLIENT_TRUST_FIRST_USE_REFUSED');
    }
  });
});
