/**
 * The key that proves ownership of an unsigned sealed job (issue 11.9, docs/profile.md "The
 * owner's certificate"): STATE/identity/cert.pem and key.pem, the identity `tno status --private`
 * answers with. A sealed job that names no certificate has no owner anyone can prove, so the
 * printer answers its sealed status to nobody; the client therefore always binds one, creating
 * this identity (P-256, self-signed, key mode 0600) the first time it is needed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { certificateToPem, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { ClientError } from './errors.js';
import { makeDirectory } from './state-dir.js';

export interface OwnerIdentity {
  readonly certificate: string;
  /** True when this call created it. */
  readonly created: boolean;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The owner certificate in `stateDir`/identity, created with its key when neither exists. */
export async function ownerIdentity(stateDir: string, userName: string): Promise<OwnerIdentity> {
  const dir = join(stateDir, 'identity');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const [cert, key] = await Promise.all([readIfPresent(certFile), readIfPresent(keyFile)]);
  if (cert !== undefined) return { certificate: cert, created: false };
  if (key !== undefined) {
    throw new ClientError('CLIENT_BAD_INPUT', `${keyFile} exists without ${certFile}; restore the certificate or move the key away`);
  }
  const id = createIdentity({ commonName: userName, algorithm: 'p256' });
  await makeDirectory(dir);
  // 'wx': never replace a key another process wrote meanwhile.
  await writeFile(keyFile, privateKeyToPem(id.privateKey), { mode: 0o600, flag: 'wx' });
  const pem = certificateToPem(id.certificate);
  await writeFile(certFile, pem, { mode: 0o644, flag: 'wx' });
  return { certificate: pem, created: true };
}
