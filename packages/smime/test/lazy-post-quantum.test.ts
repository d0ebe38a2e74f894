// Issue 20 (RSS of `tno smime`): @noble/post-quantum's ML-KEM and ML-DSA modules are loaded only
// when a post-quantum key or signature is involved. A P-256 or X25519 job, signed with Ed25519 and
// checked against its CA, must not load them; the first ML-KEM or ML-DSA key loads the one it needs.
// Runs in its own test file, so the module state starts fresh.
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, createIdentity, createKemIdentity, createMlDsaIdentity, open, sealToBytes } from '@trustnoone/smime';
import { postQuantumLoaded } from '../src/crypto/post-quantum-modules.js';

describe('post-quantum modules loaded on first use (issue 20)', () => {
  it('a signed P-256 and X25519 seal and open with chain check loads neither; ML-KEM and ML-DSA keys load theirs', async () => {
    const ca = createCertificateAuthority({ commonName: 'lazy pq CA' });
    const signer = createIdentity({ commonName: 'alice', algorithm: 'ed25519', ca });
    for (const algorithm of ['p256', 'x25519'] as const) {
      const printer = createIdentity({ commonName: `printer ${algorithm}`, algorithm, ca });
      const envelope = await sealToBytes(Buffer.from('classical job'), {
        recipients: [printer.certificate],
        signer: { certificate: signer.certificate, privateKey: signer.privateKey },
      });
      const opened = await open(envelope, { privateKey: printer.privateKey, trustAnchors: [ca.certificate], requireSignature: true });
      expect(Buffer.from(opened.plaintext).toString()).toBe('classical job');
      expect(opened.signer?.subject).toBe('CN=alice');
    }
    expect(postQuantumLoaded()).toEqual({ mlKem: false, mlDsa: false });

    createKemIdentity({ commonName: 'kem printer', algorithm: 'ml-kem-768', ca });
    expect(postQuantumLoaded()).toEqual({ mlKem: true, mlDsa: false });
    createMlDsaIdentity({ commonName: 'pq signer', algorithm: 'ml-dsa-44' });
    expect(postQuantumLoaded()).toEqual({ mlKem: true, mlDsa: true });
  });
});
