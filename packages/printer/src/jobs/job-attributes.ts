/**
 * Job Description and Status attributes (RFC 8011 §5.3, PWG 5100.7 for job-uuid and the
 * *-completed counters). For a sealed job only what travelled in clear is shown here; the real
 * values go out only through Get-Encrypted-Job-Attributes, sealed to the owner.
 */
import type { IppAttribute } from '@trustnoone/ipp';
import { dateTime, enumAttr, integer, keyword, mimeType, nameAttr, outOfBand, text, uri } from '../attributes/values.js';
import { upTimeAt } from '../attributes/printer-attributes.js';
import type { Job } from './job.js';
import { jobStateCode } from './job.js';

export interface JobView {
  readonly printerUri: string;
  readonly startedAt: Date;
  /** True when the values from inside the envelope may be shown (the owner's sealed answer). */
  readonly revealSealed: boolean;
}

/** RFC 8011 §5.3.14: in printer-up-time units; no-value until the event happened. */
function timeAttr(name: string, v: JobView, t: number | undefined): IppAttribute[] {
  return [t === undefined ? outOfBand(`time-at-${name}`, 'noValue') : integer(`time-at-${name}`, upTimeAt(v.startedAt, t))];
}

function dateAttr(name: string, t: number | undefined): IppAttribute {
  return t === undefined ? outOfBand(`date-time-at-${name}`, 'noValue') : dateTime(`date-time-at-${name}`, new Date(t));
}

/** The minimal set every job creation response carries (RFC 8011 §4.2.1.2). */
export function jobCreationAttributes(job: Job, printerUri: string): IppAttribute[] {
  return [
    uri('job-uri', `${printerUri.replace(/\/$/, '')}/${job.id}`),
    integer('job-id', job.id),
    enumAttr('job-state', jobStateCode(job.state)),
    keyword('job-state-reasons', reasonList(job)),
    text('job-state-message', job.stateMessage),
  ];
}

export function reasonList(job: Job): string[] {
  return job.reasons.size > 0 ? [...job.reasons] : ['none'];
}

/**
 * PWG 5100.7 *-completed counters. For a sealed job they give away sealed values (pages x copies,
 * sides), so in clear they are 'unknown' (RFC 8011 §5.1.2 out-of-band) and only the owner's sealed
 * answer carries the numbers (issue 11.5).
 */
function counters(job: Job, reveal: boolean): IppAttribute[] {
  const names = ['job-impressions-completed', 'job-media-sheets-completed', 'job-pages-completed'] as const;
  if (!reveal) return names.map((n) => outOfBand(n, 'unknown'));
  return [
    integer('job-impressions-completed', job.impressionsCompleted),
    integer('job-media-sheets-completed', job.mediaSheetsCompleted),
    integer('job-pages-completed', job.pagesCompleted),
  ];
}

export function jobAttributes(job: Job, v: JobView): IppAttribute[] {
  const reveal = !job.sealed || v.revealSealed;
  const attrs: IppAttribute[] = [
    ...jobCreationAttributes(job, v.printerUri),
    uri('job-uuid', job.uuid),
    uri('job-printer-uri', v.printerUri),
    nameAttr('job-name', reveal ? job.name : job.clearName),
    nameAttr('job-originating-user-name', job.owner),
    integer('job-printer-up-time', upTimeAt(v.startedAt, Date.now())),
    ...timeAttr('creation', v, job.timings.createdAt),
    ...timeAttr('processing', v, job.timings.processingAt),
    ...timeAttr('completed', v, job.timings.completedAt),
    dateAttr('creation', job.timings.createdAt),
    dateAttr('processing', job.timings.processingAt),
    dateAttr('completed', job.timings.completedAt),
    integer('job-k-octets', job.kOctets),
    ...counters(job, reveal),
    integer('number-of-documents', job.documentsReceived),
    mimeType('document-format', job.documentFormat),
  ];
  if (reveal) {
    attrs.push(...job.template.attributes);
    if (job.sealed && job.renderFormat) attrs.push(mimeType('document-format-detected', job.renderFormat));
  }
  return attrs;
}
