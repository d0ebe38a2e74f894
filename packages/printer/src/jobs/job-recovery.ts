/**
 * Carrying unfinished jobs through a restart (issue 12 "acknowledged means printed"). A job whose
 * record (job-records.ts) exists but whose manifest does not was cut off by a crash, a kill or a
 * shutdown. Its plaintext is gone (state-dir.ts removes it on start); what it had received whole
 * is still there as ciphertext, so:
 *
 *   - each sealed document whose ciphertext is complete is opened again, exactly as on arrival
 *     (tag, signature, binding), the job's own earlier replay claim admitted, and the job goes on:
 *     queued when closed, else waiting for its next document — so it is printed once, by this
 *     printer, without anyone resending it;
 *   - a document cut off mid-way does not open (the AES-GCM tag is at the end): its bytes are
 *     deleted and the job waits for it, so the sender sends it again (number-of-documents tells
 *     it how far the printer got);
 *   - a job with a document sent in clear cannot go on (such documents are not kept) and ends
 *     aborted by the system, with its real owner.
 *
 * Pages a killed render had written are removed first: a job counts as printed once, when it
 * completes (the README states what a real printer would show for an interrupted page).
 */
import { createReadStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpenedDocument, PrinterRuntime } from '../runtime.js';
import { armMultipleOperationTimeout } from './multiple-operation-timeout.js';
import { jobComplete } from '../secure/pin-release.js';
import { ciphertextFile, jobPaths } from '../state/state-dir.js';
import { startingJob, type Job } from './job.js';
import { readJobRecord, recordTemplate, type JobRecord, type RecordedDocument } from './job-records.js';
import { checkJobTemplate } from './job-template.js';
import { saveSealedRecord } from './sealed-record.js';

export async function recoverJobs(rt: PrinterRuntime): Promise<number[]> {
  const ids = (await readdir(rt.layout.jobs))
    .filter((n) => /^[1-9][0-9]{0,9}$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  const recovered: number[] = [];
  for (const id of ids) {
    const paths = jobPaths(rt.layout, id);
    if (await present(paths.manifest)) continue;
    const record = await readJobRecord(rt.layout, id);
    if (!record) continue;
    await recoverJob(rt, record);
    recovered.push(id);
  }
  return recovered;
}

async function recoverJob(rt: PrinterRuntime, record: JobRecord): Promise<void> {
  const paths = jobPaths(rt.layout, record.jobId);
  // What a killed render or write left: partial pages, temporary files.
  for (const name of await readdir(paths.dir)) {
    if (name === 'pages' || name.startsWith('.render-') || name.endsWith('.tmp')) await rm(join(paths.dir, name), { recursive: true, force: true });
  }
  const job = startingJob({
    id: record.jobId,
    uuid: record.jobUuid,
    owner: record.owner,
    clearName: record.clearName,
    sealed: false,
    clearTemplate: record.clearTemplate.length > 0,
    documentFormat: record.documentFormat,
    template: checkJobTemplate(recordTemplate(record)).applied,
    stateMessage: 'Resuming after a printer restart.',
    createdAt: record.createdAt,
  });
  rt.store.restore(job);
  rt.records.adopt(record);

  const candidates = [...record.documents, ...(record.incoming ? [record.incoming] : [])].sort((a, b) => a.number - b.number);
  if (candidates.some((d) => d.number <= record.documents.length && !d.sealed)) {
    rt.log.warn({ jobId: job.id }, 'printer: a job sent in clear was cut off by a restart; its documents are not kept');
    rt.store.transition(job, 'aborted', 'The printer restarted before printing this job.', { add: ['aborted-by-system'], remove: ['job-incoming'] });
    await rt.processor.finish(job, { error: 'PRINTER_RESTARTED' });
    return;
  }
  const sealed: RecordedDocument[] = [];
  for (const [i, d] of candidates.entries()) {
    if (d.number !== i + 1 || !d.sealed || !(await present(ciphertextFile(rt.layout, job.id, d.number)))) break;
    sealed.push(d);
  }
  let opened = await reopen(rt, job, record, sealed);
  if (opened < sealed.length) {
    // Document opened+1 was cut off; opening it failed and took the private directory with it,
    // so the ones before are opened once more (deterministic: they opened a moment ago).
    for (const d of sealed.slice(opened)) await rm(ciphertextFile(rt.layout, job.id, d.number), { force: true });
    resetDocuments(job);
    opened = await reopen(rt, job, record, sealed.slice(0, opened));
  }
  const kept = sealed.slice(0, opened);
  // The sealed name, options and owner binding (sealed-record.ts), in case the kill came before
  // the first arrival wrote them.
  if (kept.length > 0) await saveSealedRecord(rt.layout, job).catch((err: unknown) => rt.log.warn({ jobId: job.id, err: (err as Error).message }, 'printer: sealed record not written'));
  await rt.records.recovered({ ...record, documents: kept, incoming: null, closed: record.closed || kept.some((d) => d.last) });
  rt.log.info({ jobId: job.id, documents: kept.length }, 'printer: job resumed after a restart');

  if (job.closed || (record.closed && kept.length > 0)) {
    job.closed = true;
    jobComplete(rt, job);
  } else if (record.closed) {
    rt.store.transition(job, 'aborted', 'Closed without a document.', { add: ['aborted-by-system'], remove: ['job-incoming'] });
    await rt.processor.finish(job, { error: 'NO_DOCUMENT' });
  } else {
    rt.store.transition(job, 'pending', 'Waiting for a document (the printer restarted).', { add: ['job-data-insufficient'], remove: ['job-incoming'] });
    armMultipleOperationTimeout(rt, job);
  }
}

/** Opens `docs` in order onto `job`; returns how many opened. */
async function reopen(rt: PrinterRuntime, job: Job, record: JobRecord, docs: readonly RecordedDocument[]): Promise<number> {
  // The job's own claim of its nonce is not a replay; any other already-claimed nonce still is.
  const replay = {
    async remember(key: string): Promise<boolean> {
      return (await rt.replay.remember(key)) || key === record.replayKey;
    },
  };
  for (const d of docs) {
    const file = ciphertextFile(rt.layout, job.id, d.number);
    let doc: OpenedDocument;
    try {
      doc = await rt.openSealed(job, {
        operation: d.operation,
        ciphertext: createReadStream(file, { highWaterMark: 1 << 20 }),
        replay,
        ...(d.operation === 'Send-Document' ? { outerLastDocument: d.last } : {}),
      });
    } catch (err) {
      rt.log.info({ jobId: job.id, document: d.number, err: (err as { code?: string }).code ?? 'error' }, 'printer: a document cut off by the restart will be received again');
      return docs.indexOf(d);
    }
    job.sealed = true;
    job.documentFormat = 'application/pkcs7-mime';
    job.documents.push({ number: d.number, path: doc.path, format: doc.format, bytes: doc.bytes, sha256: doc.sha256, ...(doc.pinLayer ? { pinLayer: true } : {}) });
    job.documentsReceived = d.number;
    job.kOctets += Math.ceil((await stat(file)).size / 1024);
    if (d.number === 1) {
      job.documentSha256 = doc.sha256;
      job.renderFormat = doc.format;
    }
    if (d.last) job.closed = true;
  }
  return docs.length;
}

function resetDocuments(job: Job): void {
  job.documents.length = 0;
  job.documentsReceived = 0;
  job.kOctets = 0;
  job.closed = false;
  delete job.seal;
  delete job.documentSha256;
  delete job.renderFormat;
}

async function present(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
