/**
 * Writes vectors/jobs (see vectors/README.md):
 *
 *   corepack pnpm --filter @trustnoone/conformance run vectors            # rebuild the vectors from the committed keys
 *   corepack pnpm --filter @trustnoone/conformance run vectors --new-keys # first time only: new key files (random)
 *
 * The vectors are a pure function of the key files; conformance/test/vectors-jobs.test.ts
 * regenerates them and fails on any changed byte.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificateToPem, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { KEY_FILES, generateJobVectors, readVectorKeys, vectorFiles } from '../src/vectors/job-vectors.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../vectors/jobs');
const keysDir = join(root, 'keys');

async function newKeys(): Promise<void> {
  await mkdir(keysDir, { recursive: true });
  const make = async (files: { key: string; certificate: string }, id: ReturnType<typeof createIdentity>) => {
    await writeFile(join(keysDir, files.key), privateKeyToPem(id.privateKey));
    await writeFile(join(keysDir, files.certificate), certificateToPem(id.certificate));
  };
  // Long validity: the vectors must stay usable; these keys protect nothing.
  const validityDays = 36500;
  await make(KEY_FILES.printerP256, createIdentity({ commonName: 'trustnoone vector printer (P-256)', algorithm: 'p256', printerUuid: '6f1f3a52-8a5e-4c1b-9a53-1d1b2c3d4e5f', validityDays }));
  await make(KEY_FILES.printerRsa, createIdentity({ commonName: 'trustnoone vector printer (RSA)', algorithm: 'rsa3072', printerUuid: '0b7c9e2a-41d4-4f8e-b6a1-5e4d3c2b1a09', validityDays }));
  await make(KEY_FILES.clientEd25519, createIdentity({ commonName: 'trustnoone vector client (Ed25519)', algorithm: 'ed25519', validityDays }));
}

if (process.argv.includes('--new-keys')) await newKeys();
for (const v of await generateJobVectors(await readVectorKeys(keysDir))) {
  const dir = join(root, v.meta.name);
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(vectorFiles(v))) await writeFile(join(dir, name), bytes);
  process.stdout.write(`${v.meta.name}: ${v.request.length} bytes, expected ${v.meta.expected.outcome}\n`);
}
