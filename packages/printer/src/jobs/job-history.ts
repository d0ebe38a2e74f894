/**
 * Job history across restarts: ended jobs are reloaded from their manifests so Get-Jobs and
 * Get-Job-Attributes still answer for them within the history window. A job directory without a
 * manifest is a job the previous process did not finish (crash, kill): it is recorded as aborted
 * by the system, its manifest written, so a client polling it learns how it ended.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { jobPaths, type StateLayout } from '../state/state-dir.js';
import { buildManifest, writeManifest, type Manifest } from './manifest.js';
import { checkJobTemplate } from './job-template.js';
import { integer, keyword, enumAttr } from '../attributes/values.js';
import type { Job, JobState } from './job.js';
import { isTerminal } from './job.js';
import type { JobStore } from './job-store.js';
import { readJobRecord } from './job-records.js';
import { restoreSealedRecord } from './sealed-record.js';

/** Manifests read at start at most (newest first): bounds start-up time on a busy printer. */
const MAX_RESTORED = 1000;
const MAX_MANIFEST_BYTES = 256 * 1024;

function restoredJob(m: Manifest): Job | undefined {
  if (!isTerminal(m.state as JobState) || typeof m.jobId !== 'number' || typeof m.jobUuid !== 'string') return undefined;
  const created = Date.parse(m.timings.createdAt);
  const ended = m.timings.endedAt ? Date.parse(m.timings.endedAt) : created;
  const base = checkJobTemplate([]).applied;
  const a = m.attributes;
  return {
    id: m.jobId,
    uuid: m.jobUuid,
    owner: m.owner ?? 'anonymous',
    clearName: m.clearName ?? 'untitled',
    name: m.clearName ?? 'untitled',
    state: m.state as JobState,
    reasons: new Set(m.stateReasons),
    stateMessage: m.state === 'completed' ? 'Completed.' : m.state === 'canceled' ? 'Canceled.' : 'Aborted.',
    sealed: m.sealed,
    clearTemplate: false,
    documentFormat: m.documentFormat,
    ...(m.renderFormat ? { renderFormat: m.renderFormat } : {}),
    template: m.sealed
      ? base
      : {
          ...base,
          copies: a.copies,
          media: a.media,
          sides: a.sides,
          printColorMode: a.printColorMode,
          printQuality: a.printQuality,
          orientationRequested: a.orientationRequested,
          attributes: [
            integer('copies', a.copies),
            keyword('media', a.media),
            keyword('sides', a.sides),
            keyword('print-color-mode', a.printColorMode),
            enumAttr('print-quality', a.printQuality),
            enumAttr('orientation-requested', a.orientationRequested),
          ],
        },
    documentsReceived: m.documents?.length ?? (m.documentSha256 ? 1 : 0),
    documents: [],
    closed: true,
    kOctets: Math.ceil((m.documentBytes ?? 0) / 1024),
    pagesCompleted: m.pageCount,
    impressionsCompleted: m.impressionsCompleted ?? m.pageCount,
    mediaSheetsCompleted: m.mediaSheetsCompleted ?? m.pageCount,
    ...(m.documentSha256 ? { documentSha256: m.documentSha256 } : {}),
    timings: { createdAt: created, completedAt: ended },
    stateChangedAt: ended,
    finalized: true,
  };
}

export async function restoreJobHistory(layout: StateLayout, store: JobStore, historyMs: number, log: FastifyBaseLogger): Promise<void> {
  const ids = (await readdir(layout.jobs))
    .filter((n) => /^[1-9][0-9]{0,9}$/.test(n))
    .map(Number)
    .sort((a, b) => b - a)
    .slice(0, MAX_RESTORED);
  const now = Date.now();
  for (const id of ids) {
    const paths = jobPaths(layout, id);
    let manifest: Manifest | undefined;
    try {
      const text = await readFile(paths.manifest, 'utf8');
      if (text.length <= MAX_MANIFEST_BYTES) manifest = JSON.parse(text) as Manifest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        log.warn({ jobId: id }, 'printer: unreadable job manifest ignored');
        continue;
      }
    }
    if (!manifest) {
      // A job with a record is carried on by job-recovery.ts.
      if (await readJobRecord(layout, id)) continue;
      // The previous process ended while this job was in flight (a job from before job records).
      const ended = Date.now();
      const job: Job = {
        id,
        uuid: `urn:uuid:00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
        owner: 'anonymous',
        clearName: 'untitled',
        name: 'untitled',
        state: 'aborted',
        reasons: new Set(['aborted-by-system']),
        stateMessage: 'The printer restarted while the job was in progress.',
        sealed: false,
        clearTemplate: false,
        documentFormat: 'application/octet-stream',
        template: checkJobTemplate([]).applied,
        documentsReceived: 0,
        documents: [],
        closed: true,
        kOctets: 0,
        pagesCompleted: 0,
        impressionsCompleted: 0,
        mediaSheetsCompleted: 0,
        timings: { createdAt: ended, completedAt: ended },
        stateChangedAt: ended,
        finalized: true,
      };
      await writeManifest(paths.manifest, buildManifest(job, { error: 'PRINTER_RESTARTED' }));
      store.restore(job);
      continue;
    }
    const job = restoredJob(manifest);
    if (job && now - (job.timings.completedAt ?? 0) <= historyMs) {
      if (job.sealed && !(await restoreSealedRecord(layout, job))) log.warn({ jobId: id }, 'printer: sealed record of a restored job missing; its sealed attributes are unavailable');
      store.restore(job);
    }
  }
}
