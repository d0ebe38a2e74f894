/**
 * What a sealed job's envelope told the printer, kept across restarts (issue 11.8): the real
 * job-name, the sealed Job Template attributes and the owner binding (SealInfo). Without it a
 * restarted printer would answer Get-Encrypted-Job-Attributes with the neutral name and default
 * options — signed, so the owner would believe them — and would have forgotten which certificate
 * owns the job. With it the answer after a restart is what it was before; a job whose record is
 * gone is answered "unavailable" (ops/encrypted-attributes-op.ts), never with made-up values.
 *
 * jobs/<id>/sealed.json, mode 0600, written atomically (temp file + rename) once the job's first
 * sealed document is verified. It holds sealed values in clear: the printer's state directory is
 * the printer's own (docs/threat-model.md, "a compromised printer"), like the manifest's options.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GroupTag, messageFromJson, messageToJson, type IppAttribute } from '@trustnoone/ipp';
import { jobPaths, type StateLayout } from '../state/state-dir.js';
import type { Job, SealInfo } from './job.js';
import { checkJobTemplate } from './job-template.js';

/** A record is a few kB (a name, a handful of options); anything larger is not ours. */
const MAX_RECORD_BYTES = 256 * 1024;
const VERSION = 1;

interface SealedRecordFile {
  readonly version: number;
  readonly jobId: number;
  readonly name: string;
  readonly seal: SealInfo;
  /** The applied Job Template attributes, as a lossless IPP JSON message (one job group). */
  readonly template: unknown;
}

function recordPath(layout: StateLayout, id: number): string {
  return join(jobPaths(layout, id).dir, 'sealed.json');
}

/** Writes (or rewrites) the sealed record of `job`; a job without SealInfo has none. */
export async function saveSealedRecord(layout: StateLayout, job: Job): Promise<void> {
  if (!job.seal) return;
  const record: SealedRecordFile = {
    version: VERSION,
    jobId: job.id,
    name: job.name,
    seal: job.seal,
    template: messageToJson({ version: { major: 2, minor: 0 }, code: 0, requestId: 1, groups: [{ tag: GroupTag.job, attributes: [...job.template.attributes] }] }),
  };
  const file = recordPath(layout, job.id);
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

function isSealInfo(v: unknown): v is SealInfo {
  const s = v as Partial<SealInfo> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.jobNonce === 'string' &&
    typeof s.signed === 'boolean' &&
    (s.trust === 'verified' || s.trust === 'untrusted' || s.trust === 'unsigned') &&
    (s.ownerFingerprint === undefined || (typeof s.ownerFingerprint === 'string' && /^[0-9a-f]{64}$/.test(s.ownerFingerprint))) &&
    (s.signerSubject === undefined || typeof s.signerSubject === 'string')
  );
}

/**
 * Puts a restored sealed job's sealed values back (name, options, owner binding). Resolves false,
 * leaving the job without SealInfo (answered "unavailable"), when the record is missing or unusable.
 */
export async function restoreSealedRecord(layout: StateLayout, job: Job): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(recordPath(layout, job.id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (text.length > MAX_RECORD_BYTES) return false;
  try {
    const r = JSON.parse(text) as Partial<SealedRecordFile>;
    if (r.version !== VERSION || r.jobId !== job.id || typeof r.name !== 'string' || !isSealInfo(r.seal)) return false;
    const attributes: readonly IppAttribute[] = messageFromJson(r.template).groups.find((g) => g.tag === GroupTag.job)?.attributes ?? [];
    job.name = r.name;
    job.template = checkJobTemplate(attributes).applied;
    job.seal = r.seal;
    return true;
  } catch {
    return false;
  }
}
