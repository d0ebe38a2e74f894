/**
 * The Job object this intermediary presents for its own jobs (RFC 8011 §5.3): identity, state
 * mirrored from upstream, and what the cleartext request said. Nothing here comes from inside the
 * sealed document.
 */
import type { IppAttribute, IppDateTime } from '@trustnoone/ipp';
import { attr } from '../attrs.js';
import type { UpTimeClock } from '../clock.js';
import type { JobEntry } from '../jobs.js';
import type { CompletedCounter } from '../spool/types.js';

function dateTime(ms: number): IppDateTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
    deciSeconds: Math.floor(d.getUTCMilliseconds() / 100),
    utcDirection: '+',
    utcHours: 0,
    utcMinutes: 0,
  };
}

/**
 * RFC 8011 §5.3.14 time-at-* (printer-up-time units, on the clock Get-Printer-Attributes reports)
 * and the matching PWG 5100.7 date-time-at-*; 'no-value' until the event happened.
 */
function eventTimes(event: 'creation' | 'processing' | 'completed', ms: number | undefined, clock: UpTimeClock): IppAttribute[] {
  if (ms === undefined) return [{ name: `time-at-${event}`, values: [{ tag: 'noValue' }] }, { name: `date-time-at-${event}`, values: [{ tag: 'noValue' }] }];
  return [attr.integer(`time-at-${event}`, clock.at(ms)), { name: `date-time-at-${event}`, values: [{ tag: 'dateTime', value: dateTime(ms) }] }];
}

const PKCS7_MIME = 'application/pkcs7-mime';

/** The job (or one of its documents) was submitted sealed: document-format application/pkcs7-mime. */
export function isSealedJob(job: JobEntry['job']): boolean {
  const sealed = (attrs: JobEntry['job']['attributes']): boolean =>
    attrs.some((a) => (a.name === 'document-format' && a.values.some((v) => 'value' in v && typeof v.value === 'string' && v.value.toLowerCase() === PKCS7_MIME)) || a.name === 'encrypted-job-request-format');
  return sealed(job.attributes) || job.documents.some((d) => sealed(d.attributes));
}

/**
 * PWG 5100.7 job-impressions/media-sheets/pages-completed. A sealed job's are 'unknown' in clear,
 * whatever the upstream said (they give away sealed copies and sides; docs/decisions.md
 * D9, counters); the owner reads them in the sealed answer. A clear job shows what the forwarder
 * mirrored from upstream, 0 while the job has not reached it, and 'unknown' when the upstream did
 * not say.
 */
function counters(entry: JobEntry): IppAttribute[] {
  const { status } = entry;
  const sealed = isSealedJob(entry.job);
  const notUpstream = status.forward.upstreamJobId === undefined;
  const show = (name: string, mirrored: CompletedCounter | undefined): IppAttribute => {
    const v = sealed ? 'unknown' : (mirrored ?? (notUpstream ? 0 : 'unknown'));
    return v === 'unknown' ? { name, values: [{ tag: 'unknown' }] } : attr.integer(name, v);
  };
  return [
    show('job-impressions-completed', status.completed?.impressions),
    show('job-media-sheets-completed', status.completed?.mediaSheets),
    show('job-pages-completed', status.completed?.pages),
  ];
}

export function jobUri(printerUri: string, id: number): string {
  return `${printerUri}/${id}`;
}

/** All attributes of a job, in a stable order. `details` false keeps only identity and state. */
export function jobAttributes(entry: JobEntry, printerUri: string, details: boolean, clock: UpTimeClock): IppAttribute[] {
  const { job, status } = entry;
  const out: IppAttribute[] = [
    attr.integer('job-id', job.id),
    attr.uri('job-uri', jobUri(printerUri, job.id)),
    attr.uri('job-printer-uri', printerUri),
    attr.enum('job-state', status.state),
    attr.keyword('job-state-reasons', ...(status.reasons.length ? status.reasons : ['none'])),
  ];
  if (!details) return out;
  if (status.message) out.push(attr.text('job-state-message', status.message));
  const name = job.attributes.find((a) => a.name === 'job-name');
  out.push(
    attr.uri('job-uuid', job.uuid),
    name ? { name: 'job-name', values: name.values } : attr.name('job-name', 'encrypted job'),
    attr.name('job-originating-user-name', job.owner),
    attr.integer('number-of-documents', job.documents.length),
    attr.integer('job-k-octets', Math.ceil(job.documents.reduce((n, d) => n + d.size, 0) / 1024)),
    ...eventTimes('creation', job.createdAt, clock),
    ...eventTimes('processing', status.processingAt, clock),
    ...eventTimes('completed', status.completedAt, clock),
    attr.integer('job-printer-up-time', clock.now()),
    ...counters(entry),
  );
  if (status.upstreamStatus !== undefined) {
    // Not registered: the status the upstream printer refused the job with, for the client to act on.
    out.push(attr.integer('trustnoone-upstream-status', status.upstreamStatus));
  }
  return out;
}

/** RFC 8011 §4.2.5.1 requested-attributes filtering ('all' and 'job-description' select everything). */
export function selectAttributes(all: readonly IppAttribute[], requested: readonly string[] | undefined): IppAttribute[] {
  if (!requested || requested.length === 0 || requested.includes('all') || requested.includes('job-description')) return [...all];
  const want = new Set(requested);
  return all.filter((a) => want.has(a.name));
}
