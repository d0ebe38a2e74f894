import { Buffer } from 'node:buffer';
import { GroupTag, keyword, name, noValue, raw, request, response, text, uri, integer, dateTime } from '@trustnoone/ipp';
import type { IppMessage } from '@trustnoone/ipp';

/**
 * Our own wire vectors (vectors/ipp/ours/): each a message built here, stored as .bin with its
 * `tno ipp decode` JSON. scripts/make-vectors.ts writes them; test/own-vectors.test.ts checks the
 * files still match and that they decode back to these messages.
 */

const PEM_LINES = ['-----BEGIN CERTIFICATE-----', 'MIIBszCCAVmgAwIBAgIUXk0fExampleOnlyNotARealCertificate0=', '-----END CERTIFICATE-----'];

/** A get-jobs-sized response: 50 jobs with the attributes a client lists. */
export function getJobsResponse(jobs = 50): IppMessage {
  const b = response('successful-ok', { requestId: 12 });
  for (let i = 1; i <= jobs; i++) {
    b.newGroup('job', {
      'job-id': i,
      'job-uri': `ipp://127.0.0.1:8631/ipp/print/${i}`,
      'job-name': `document ${i}.pdf`,
      'job-originating-user-name': 'anchor',
      'job-state': i % 3 === 0 ? 9 : 3,
      'job-state-reasons': i % 3 === 0 ? ['job-completed-successfully'] : ['none'],
      'job-impressions-completed': i * 2,
      'time-at-creation': 1_700_000_000 + i,
      'date-time-at-creation': dateTime(new Date(Date.UTC(2026, 10, 22, 4, 0, i))),
      'job-printer-uri': 'ipp://127.0.0.1:8631/ipp/print',
    });
  }
  return b.build();
}

/** A Print-Job with `size` bytes of document data. */
export function printJobRequest(size = 64): IppMessage {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) & 0xff;
  return request('Print-Job', { requestId: 7 })
    .operation({
      'printer-uri': 'ipp://127.0.0.1:8631/ipp/print',
      'requesting-user-name': 'anchor',
      'job-name': 'quarterly report',
      'document-format': 'application/pdf',
    })
    .job({
      copies: 2,
      sides: 'two-sided-long-edge',
      'print-color-mode': 'monochrome',
      finishings: ['staple-top-left'],
      'media-col': { 'media-size': { 'x-dimension': 21000, 'y-dimension': 29700 }, 'media-source': 'tray-1', 'media-type': 'stationery' },
    })
    .data(data)
    .build();
}

export const OWN_VECTORS: Record<string, () => IppMessage> = {
  'print-job-media-col.req': () => printJobRequest(64),
  'get-jobs-50.resp': () => getJobsResponse(50),
  'mixed-1setof.resp': () =>
    response('successful-ok', { requestId: 3 })
      // libcups keeps one tag per attribute; these values each keep their own.
      .printer({
        'media-supported': [keyword('iso_a4_210x297mm'), name('Letterhead (blue)'), keyword('na_letter_8.5x11in')],
        'job-hold-until-supported': [keyword('indefinite'), name('after-lunch', 'en')],
        'printer-geo-location': [noValue()],
      })
      .build(),
  'extension-and-unassigned-tags.resp': () =>
    response('successful-ok', { requestId: 4 })
      .printer({
        'x-extension-value': raw(0x7f, new Uint8Array([0x40, 0x00, 0x00, 0x01, 0xca, 0xfe])),
        'x-unassigned-tag': raw(0x4b, new Uint8Array([0x01, 0x02])),
        'x-text-not-utf8': raw(0x41, new Uint8Array([0x41, 0xff, 0x42])),
      })
      .group(0x0f, { 'x-in-unassigned-group': integer(1) })
      .build(),
  'all-group-tags.resp': () =>
    response('successful-ok', { requestId: 5 })
      .job({ 'job-id': 1 })
      .printer({ 'printer-state': 3 })
      .unsupported({ 'x-thing': keyword('x') })
      .subscription({ 'notify-subscription-id': 9 })
      .group(GroupTag.eventNotification, { 'notify-subscribed-event': 'job-completed', 'notify-text': text('Job 1 completed') })
      .group(GroupTag.resource, { 'resource-id': 2 })
      .document({ 'document-number': 1, 'document-state': 9 })
      .system({ 'system-state': 3, 'system-uuid': uri('urn:uuid:2a7e8e4c-0000-4000-8000-000000000001') })
      .build(),
  'get-encrypted-job-attributes.req': () =>
    request('Get-Encrypted-Job-Attributes', { requestId: 6 })
      .operation({
        'printer-uri': 'ipp://127.0.0.1:8631/ipp/print',
        'job-id': 1,
        'requesting-user-name': 'anchor',
        'requested-attributes': ['job-name', 'media-col', 'copies'],
        'requesting-user-pkcs7-public-key': PEM_LINES.map((l) => text(l)),
      })
      .build(),
};
