/**
 * Writes vectors/jobs (see vectors/README.md):
 *
 *   corepack pnpm --filter @trustnoone/conformance run vectors            # rebuild the vectors from the committed keys
 *   corepack pnpm --filter @trustnoone/conformance run vectors --new-keys # new key files (random) for those missing; existing ones kept
 *
 * The vectors are a pure function of the key files; conformance/test/vectors-jobs.test.ts
 * regenerates them and fails on any changed byte.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificateToPem, createIdentity, createKemIdentity, createMlDsaIdentity, loadSigningKey, parseCertificate, privateKeyToPem, type Certificate } from '@trustnoone/smime';
import { KEY_FILES, generateJobVectors, readVectorKeys, vectorFiles } from '../src/vectors/job-vectors.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../vectors/jobs');
const keysDir = join(root, 'keys');

/** Writes the key files that are missing (random); existing ones are kept, so old vectors stay. */
async function newKeys(): Promise<void> {
  await mkdir(keysDir, { recursive: true });
  const missing = async (files: { key: string; certificate: string }) => !(existsSync(join(keysDir, files.key)) && existsSync(join(keysDir, files.certificate)));
  const write = async (files: { key: string; certificate: string }, keyPem: string, certificate: Certificate) => {
    await writeFile(join(keysDir, files.key), keyPem);
    await writeFile(join(keysDir, files.certificate), certificateToPem(certificate));
  };
  const make = async (files: { key: string; certificate: string }, id: ReturnType<typeof createIdentity>) => write(files, privateKeyToPem(id.privateKey), id.certificate);
  // Long validity: the vectors must stay usable; these keys protect nothing.
  const validityDays = 36500;
  if (await missing(KEY_FILES.printerP256)) await make(KEY_FILES.printerP256, createIdentity({ commonName: 'trustnoone vector printer (P-256)', algorithm: 'p256', printerUuid: '6f1f3a52-8a5e-4c1b-9a53-1d1b2c3d4e5f', validityDays }));
  if (await missing(KEY_FILES.printerRsa)) await make(KEY_FILES.printerRsa, createIdentity({ commonName: 'trustnoone vector printer (RSA)', algorithm: 'rsa3072', printerUuid: '0b7c9e2a-41d4-4f8e-b6a1-5e4d3c2b1a09', validityDays }));
  if (await missing(KEY_FILES.clientEd25519)) await make(KEY_FILES.clientEd25519, createIdentity({ commonName: 'trustnoone vector client (Ed25519)', algorithm: 'ed25519', validityDays }));
  if (await missing(KEY_FILES.printerCaMlDsa)) {
    const ca = createMlDsaIdentity({ commonName: 'trustnoone vector printer CA (ML-DSA-65)', algorithm: 'ml-dsa-65', isCA: true, validityDays });
    await write(KEY_FILES.printerCaMlDsa, ca.privateKey.toPem(), ca.certificate);
  }
  const caFiles = KEY_FILES.printerCaMlDsa;
  const ca = { certificate: parseCertificate(await readFile(join(keysDir, caFiles.certificate), 'utf8')), privateKey: loadSigningKey(await readFile(join(keysDir, caFiles.key), 'utf8')) };
  const pq = [
    [KEY_FILES.printerMlKem768, 'ml-kem-768', 'trustnoone vector printer (ML-KEM-768)', '3d5c8a1e-2b4f-4e6a-9c7d-8e9f0a1b2c3d'],
    [KEY_FILES.printerHybrid, 'mlkem768-x25519', 'trustnoone vector printer (ML-KEM-768 + X25519)', 'c4e2a9f1-6d3b-4a8c-b5e7-1f2a3b4c5d6e'],
  ] as const;
  for (const [files, algorithm, commonName, printerUuid] of pq) {
    if (!(await missing(files))) continue;
    const id = createKemIdentity({ commonName, algorithm, ca, printerUuid, validityDays });
    await write(files, id.privateKey.toPem(), id.certificate);
  }
}

if (process.argv.includes('--new-keys')) await newKeys();
for (const v of await generateJobVectors(await readVectorKeys(keysDir))) {
  const dir = join(root, v.meta.name);
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(vectorFiles(v))) await writeFile(join(dir, name), bytes);
  process.stdout.write(`${v.meta.name}: ${v.request.length} bytes, expected ${v.meta.expected.outcome}\n`);
}
