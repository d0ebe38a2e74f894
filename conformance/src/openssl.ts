/**
 * Envelopes our own sealer refuses to write (RSA PKCS#1 v1.5 key transport, the SHA-1 X9.63
 * KDF), made by an independent implementation: the OpenSSL command line (`openssl cms`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConformanceSkip } from './model.js';

const run = promisify(execFile);

/** `openssl cms -encrypt` of `plaintext` to `certificatePem`; `args` follow -recip (so -keyopt applies to it); DER out. */
export async function opensslEncrypt(plaintext: Uint8Array, certificatePem: string, args: readonly string[]): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'tno-conformance-openssl-'));
  try {
    await writeFile(join(dir, 'cert.pem'), certificatePem);
    await writeFile(join(dir, 'in.bin'), plaintext);
    try {
      await run('openssl', ['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', join(dir, 'in.bin'), '-out', join(dir, 'out.der'), '-recip', join(dir, 'cert.pem'), ...args], {
        timeout: 20_000,
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConformanceSkip('the openssl command is not installed');
      throw err;
    }
    return new Uint8Array(await readFile(join(dir, 'out.der')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
