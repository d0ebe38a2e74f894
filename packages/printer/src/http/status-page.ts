/**
 * The printer's status page (GET /): what a person at the printer, or an admin, may see without
 * signing in. Jobs are shown exactly as a clear Get-Jobs shows them to anyone (job-attributes.ts
 * with revealSealed off): a sealed job appears under its neutral name with no page counts, so the
 * page never says more than the IPP interface does. The key fingerprint is shown as text and as a
 * QR code, for pinning from a phone; the TLS certificate's fingerprint is what an intermediary's
 * --upstream-pin takes.
 */
import { findMember, integerOf, stringOf, type IppAttribute } from '@trustnoone/ipp';
import { escapeHtml, htmlFacts, htmlPage, htmlTable, markup } from '@trustnoone/ipp-http';
import { formatFingerprint } from '@trustnoone/smime';
import { RENDER_FORMATS } from '../attributes/capabilities.js';
import { jobAttributes } from '../jobs/job-attributes.js';
import type { PrinterRuntime } from '../runtime.js';
import { qrSvg } from './qr-svg.js';

export interface StatusPageKeys {
  /** SHA-256 (hex) of the TRUSTNOONE certificate users pin. */
  readonly keyFingerprint: string;
  /** SHA-256 (hex) of the TLS certificate, when the printer serves ipps. */
  readonly tlsFingerprint: string | undefined;
}

/** Newest first, at most this many: the page is a glance, Get-Jobs is the full list. */
export const STATUS_PAGE_JOBS = 50;

const STATE_CLASS: Readonly<Record<string, string>> = { idle: 'state-ok', processing: 'state-ok', stopped: 'state-bad' };
const JOB_STATE_CLASS: Readonly<Record<string, string>> = { completed: 'state-ok', aborted: 'state-bad', canceled: 'state-warn' };

function value(attrs: readonly IppAttribute[], name: string): string | number | undefined {
  const v = findMember(attrs, name)?.values[0];
  return integerOf(v) ?? stringOf(v);
}

function jobRows(rt: PrinterRuntime): (string | number | ReturnType<typeof markup>)[][] {
  const view = { printerUri: rt.identity.uris[0]!, startedAt: rt.startedAt, revealSealed: false };
  return rt.store
    .list()
    .slice()
    .sort((a, b) => b.id - a.id)
    .slice(0, STATUS_PAGE_JOBS)
    .map((job) => {
      const attrs = jobAttributes(job, view);
      const pages = value(attrs, 'job-impressions-completed');
      const id = value(attrs, 'job-id') ?? job.id;
      return [
        job.sealed && job.seal?.ownerFingerprint ? markup(`<a href="/jobs/${escapeHtml(id)}" title="the owner's view: needs the job's certificate">${escapeHtml(id)}</a>`) : id,
        value(attrs, 'job-name') ?? '',
        value(attrs, 'job-originating-user-name') ?? '',
        markup(`<span class="${JOB_STATE_CLASS[job.state] ?? ''}">${escapeHtml(job.state)}</span>`),
        pages === undefined ? '—' : pages,
        `${value(attrs, 'job-k-octets') ?? 0} KB`,
        job.sealed ? 'sealed' : 'clear',
      ];
    });
}

export function statusPage(rt: PrinterRuntime, keys: StatusPageKeys): string {
  const id = rt.identity;
  const st = rt.status();
  const fingerprint = formatFingerprint(keys.keyFingerprint);
  const pinCommand = `tno trust pin --printer ${id.uris[0] ?? ''} --fingerprint ${fingerprint}`;
  const body = [
    '<h2>Pin this printer</h2>',
    `<div class="pin">${qrSvg(fingerprint, `TRUSTNOONE key fingerprint ${fingerprint}`)}<div>`,
    htmlFacts('key', [
      ['printer-uuid', markup(`<code>urn:uuid:${escapeHtml(id.uuid)}</code>`)],
      ['Key fingerprint (SHA-256)', markup(`<code id="key-fingerprint">${escapeHtml(fingerprint)}</code>`)],
      ['TLS certificate (SHA-256)', keys.tlsFingerprint ? markup(`<code id="tls-fingerprint">${escapeHtml(formatFingerprint(keys.tlsFingerprint))}</code>`) : 'no TLS (ipp only)'],
    ]),
    `<p>Compare the key fingerprint with the one your client shows before trusting this printer, or pin it:<br><code>${escapeHtml(pinCommand)}</code></p></div></div>`,
    '<h2>Printer</h2>',
    htmlFacts('printer', [
      ['State', markup(`<span id="printer-state" class="${STATE_CLASS[st.state] ?? ''}">${escapeHtml(st.state)}</span>`)],
      ['Reasons', st.stateReasons.join(', ') || 'none'],
      ['Accepting jobs', st.isAcceptingJobs ? 'yes' : 'no'],
      ['Active jobs', st.queuedJobCount],
      ['Policy', id.requireEncryption ? 'encrypted jobs only' : 'encrypted and clear jobs'],
      ['Formats rendered', RENDER_FORMATS.join(', ')],
      ['URIs', markup(id.uris.map((u) => `<code>${escapeHtml(u)}</code>`).join('<br>'))],
      ['Location', id.location || '—'],
      ['Make and model', id.makeAndModel],
    ]),
    '<h2>Jobs</h2>',
    '<p>As anyone sees them over IPP: a sealed job shows only its neutral name and owner; its real name, options and page counts are sealed to its owner, who sees them by following the job number with the job’s certificate (over https).</p>',
    htmlTable('jobs', ['Job', 'Name', 'Owner', 'State', 'Pages', 'Size', 'Content'], jobRows(rt), 'No jobs.'),
    `<footer>Up since ${escapeHtml(st.startedAt.toISOString())}; this page refreshes every 10 seconds.</footer>`,
  ].join('\n');
  return htmlPage({ title: id.name, heading: id.name, subtitle: id.info, refreshSeconds: 10, body });
}
