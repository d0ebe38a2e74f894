/**
 * The job nonces this client sealed, by printer URI and job-id (issue 11.4): a sealed
 * Get-Encrypted-Job-Attributes answer names the job it describes by that nonce (its sealed
 * job-uuid), the only job identity that is the same on every hop and that no relay can choose.
 * One small file per job under STATE/sealed-jobs/, named by a hash of the URI and job-id, so
 * concurrent `tno print` runs never write the same file.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function fileOf(stateDir: string, printerUri: string, jobId: number): string {
  const key = createHash('sha256').update(`${printerUri}\n${jobId}`).digest('hex').slice(0, 32);
  return join(stateDir, 'sealed-jobs', `${key}.json`);
}

/** Records the nonce sealed into job `jobId` at `printerUri` (the URI the client printed to). */
export async function rememberSealedJob(stateDir: string, printerUri: string, jobId: number, jobNonce: string): Promise<void> {
  const file = fileOf(stateDir, printerUri, jobId);
  await mkdir(join(stateDir, 'sealed-jobs'), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ printerUri, jobId, jobNonce: jobNonce.toLowerCase(), at: new Date().toISOString() })}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

/** The nonce this client sealed into that job, or undefined when it did not print it. */
export async function sealedJobNonce(stateDir: string, printerUri: string, jobId: number): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(fileOf(stateDir, printerUri, jobId), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const r = JSON.parse(text) as { printerUri?: unknown; jobId?: unknown; jobNonce?: unknown };
    if (r.printerUri !== printerUri || r.jobId !== jobId || typeof r.jobNonce !== 'string' || !URN_UUID.test(r.jobNonce)) return undefined;
    return r.jobNonce;
  } catch {
    return undefined;
  }
}
