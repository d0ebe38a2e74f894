// Test PKI: a CA and identities of every key kind, written as PEM files for openssl.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateToPem, createCertificateAuthority, createIdentity, privateKeyToPem, type Identity, type KeyAlgorithm } from '@trustnoone/smime';

export interface FileIdentity extends Identity {
  readonly certPath: string;
  readonly keyPath: string;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: FileIdentity;
  readonly ids: Record<'rsa' | 'p256' | 'p384' | 'x25519' | 'ed25519', FileIdentity>;
  readonly make: (name: string, algorithm: KeyAlgorithm) => FileIdentity;
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'tno-smime-'));
  const save = (name: string, id: Identity): FileIdentity => {
    const certPath = join(dir, `${name}.crt`);
    const keyPath = join(dir, `${name}.key`);
    writeFileSync(certPath, certificateToPem(id.certificate));
    writeFileSync(keyPath, privateKeyToPem(id.privateKey), { mode: 0o600 });
    return { ...id, certPath, keyPath };
  };
  const ca = save('ca', createCertificateAuthority({ commonName: 'trustnoone test CA', organization: 'trustnoone' }));
  const make = (name: string, algorithm: KeyAlgorithm): FileIdentity =>
    save(name, createIdentity({ commonName: name, algorithm, ca, printerUuid: '6a0f1c3e-8b1e-4d2b-9b55-0f2b7c1e9a10', emails: [`${name}@example.test`] }));
  const ids = {
    rsa: make('rsa', 'rsa2048'),
    p256: make('p256', 'p256'),
    p384: make('p384', 'p384'),
    x25519: make('x25519', 'x25519'),
    ed25519: make('ed25519', 'ed25519'),
  };
  return { dir, ca, ids, make };
}
