/**
 * Issue 18, keys and policy: which advertised key a job is sealed to. The client prefers the
 * printer's hybrid (composite ML-KEM-768 + X25519) certificate, then ML-KEM, then the classical
 * one, says which it used, and with requirePostQuantum refuses a printer offering none. A
 * post-quantum certificate counts only when it chains to a configured anchor and names the
 * printer: a relay adding its own hybrid certificate, or a printer trusted by pin only, leaves the
 * job on the classical key (and --require-pq refuses).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateToPem, createCertificateAuthority, createIdentity, createKemIdentity, type KemAlgorithm } from '@trustnoone/smime';
import { chooseRecipientKey, ClientError, decideTrust, TrustStore, type TrustDecision } from '@trustnoone/client';

const UUID = '6f1c3a52-8d2e-4b7a-9c10-0123456789ab';
const PRINTER = `urn:uuid:${UUID}`;
const URI = 'ipp://127.0.0.1:8632/ipp/print';

const ca = createCertificateAuthority({ commonName: 'site CA' });
const relayCa = createCertificateAuthority({ commonName: 'relay CA' });
const pem = (c: { certificate: Parameters<typeof certificateToPem>[0] }): string => certificateToPem(c.certificate);
const classical = pem(createIdentity({ commonName: 'printer', algorithm: 'x25519', ca, printerUuid: UUID }));
const kem = (algorithm: KemAlgorithm, issuer = ca, uuid = UUID): string => pem(createKemIdentity({ commonName: `printer ${algorithm}`, algorithm, ca: issuer, printerUuid: uuid }));
const hybrid = kem('mlkem768-x25519');
const mlkem768 = kem('ml-kem-768');
const caPem = certificateToPem(ca.certificate);

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function trusted(advertised: string, how: 'anchor' | 'pin'): Promise<{ store: TrustStore; decision: TrustDecision }> {
  const d = await mkdtemp(join(tmpdir(), 'tno-pq-'));
  dirs.push(d);
  const store = new TrustStore(d);
  if (how === 'anchor') await store.addAnchor(caPem);
  const decision = await decideTrust(URI, PRINTER, advertised, { store, firstUse: 'accept' });
  expect(decision.kind).toBe(how === 'anchor' ? 'verified' : 'first-use');
  return { store, decision };
}

async function choose(advertised: string, how: 'anchor' | 'pin', requirePostQuantum = false) {
  const { store, decision } = await trusted(advertised, how);
  return chooseRecipientKey(advertised, PRINTER, decision, await store.anchors(), { requirePostQuantum });
}

describe('the client prefers the hybrid key and says which it used', () => {
  it('classical, CA, ML-KEM-768 and hybrid offered, anchor-verified: the hybrid', async () => {
    const k = await choose(classical + caPem + mlkem768 + hybrid, 'anchor');
    expect(k).toMatchObject({ protection: 'hybrid', algorithm: 'mlkem768-x25519' });
    expect(k.certificatePem).toBe(hybrid);
  });

  it('classical, CA and ML-KEM-768: post-quantum ML-KEM-768', async () => {
    expect(await choose(classical + caPem + mlkem768, 'anchor', true)).toMatchObject({ protection: 'post-quantum', algorithm: 'ml-kem-768' });
  });

  it('classical only: the classical key, and --require-pq refuses (CLIENT_POST_QUANTUM_UNAVAILABLE)', async () => {
    expect(await choose(classical + caPem, 'anchor')).toMatchObject({ protection: 'classical', algorithm: 'x25519' });
    await expect(choose(classical + caPem, 'anchor', true)).rejects.toMatchObject({ code: 'CLIENT_POST_QUANTUM_UNAVAILABLE' });
  });
});

describe('a post-quantum certificate the anchors do not cover is not used', () => {
  it('a relay adds its own hybrid certificate (issued by its CA) for the printer: ignored, --require-pq refuses', async () => {
    const relays = kem('mlkem768-x25519', relayCa);
    const advertised = classical + caPem + relays + certificateToPem(relayCa.certificate);
    expect(await choose(advertised, 'anchor')).toMatchObject({ protection: 'classical' });
    const err = await choose(advertised, 'anchor', true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).message).toMatch(/does not chain to a configured trust anchor/);
  });

  it('a hybrid certificate from the site CA naming another printer: ignored', async () => {
    const other = kem('mlkem768-x25519', ca, '11111111-2222-4333-8444-555555555555');
    expect(await choose(classical + caPem + other, 'anchor')).toMatchObject({ protection: 'classical' });
  });

  it('a printer trusted by pin (first use) only: its hybrid certificate is not covered by the pin', async () => {
    expect(await choose(classical + caPem + hybrid, 'pin')).toMatchObject({ protection: 'classical' });
    await expect(choose(classical + caPem + hybrid, 'pin', true)).rejects.toMatchObject({ code: 'CLIENT_POST_QUANTUM_UNAVAILABLE' });
  });
});
