/**
 * The intermediary's status page (GET /), for the admin who runs it. It shows the routing view and
 * nothing more, because that is all the intermediary has: each job's owner, the job-name it was
 * given in clear (a sealed job's is the neutral one), state and size; the upstream printers, whether
 * they answer, and the TLS pin each is held to; the INFRA output devices and when each last
 * reported. It sits behind the same authentication as the IPP routes (app.ts).
 */
import type { IppAttribute } from '@trustnoone/ipp';
import { escapeHtml, htmlFacts, htmlPage, htmlTable, markup } from '@trustnoone/ipp-http';
import type { OutputDevice } from '../infra/devices.js';
import type { JobEntry } from '../jobs.js';
import { JobState } from '../spool/types.js';

/** Newest first, at most this many: the page is a glance, Get-Jobs is the full list. */
export const STATUS_PAGE_JOBS = 100;

export interface UpstreamView {
  readonly uri: string;
  /** SHA-256 the upstream's TLS certificate must have (--upstream-pin), if pinned. */
  readonly pinSha256: string | undefined;
  readonly reachable: boolean;
}

export interface StatusPageView {
  readonly path: string;
  readonly mode: 'push' | 'infra';
  readonly requireEncryption: boolean;
  readonly jobs: readonly JobEntry[];
  readonly upstreams: readonly UpstreamView[];
  readonly devices: readonly OutputDevice[] | undefined;
  readonly startedAt: Date;
}

const STATE_NAME: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(JobState).map(([k, v]) => [v, k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)]),
);

function clearJobName(attrs: readonly IppAttribute[]): string {
  const v = attrs.find((a) => a.name === 'job-name')?.values[0];
  return v && 'value' in v && typeof v.value === 'string' ? v.value : '';
}

const fingerprint = (hex: string): string => (hex.replace(/:/g, '').toUpperCase().match(/.{2}/g) ?? []).join(':');
const when = (ms: number | undefined): string => (ms === undefined ? '—' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'));

function jobRows(jobs: readonly JobEntry[]): (string | number)[][] {
  return [...jobs]
    .sort((a, b) => b.job.id - a.job.id)
    .slice(0, STATUS_PAGE_JOBS)
    .map(({ job, status }) => [
      job.id,
      job.owner,
      clearJobName(job.attributes),
      STATE_NAME[status.state] ?? String(status.state),
      job.documents.length,
      `${Math.ceil(job.documents.reduce((n, d) => n + d.size, 0) / 1024)} KB`,
      status.forward.upstreamJobId ?? '—',
      when(job.createdAt),
    ]);
}

export function intermediaryStatusPage(v: StatusPageView): string {
  const counts = new Map<string, number>();
  for (const { status } of v.jobs) counts.set(STATE_NAME[status.state] ?? '?', (counts.get(STATE_NAME[status.state] ?? '?') ?? 0) + 1);
  const upstreams = htmlTable(
    'upstreams',
    ['Upstream printer', 'State', 'TLS pin (SHA-256)'],
    v.upstreams.map((u) => [
      markup(`<code>${escapeHtml(u.uri)}</code>`),
      markup(u.reachable ? '<span class="state-ok">reachable</span>' : '<span class="state-bad">unreachable</span>'),
      u.pinSha256 ? markup(`<code>${escapeHtml(fingerprint(u.pinSha256))}</code>`) : u.uri.startsWith('ipps:') ? 'CA-verified (no pin)' : 'no TLS',
    ]),
    v.mode === 'infra' ? 'Pull mode: no upstream; output devices fetch the jobs.' : 'No upstream configured.',
  );
  const devices =
    v.devices === undefined
      ? ''
      : `<h2>Output devices</h2>\n${htmlTable(
          'devices',
          ['output-device-uuid', 'Account', 'Queues', 'Registered', 'Last report'],
          v.devices.map((d) => [markup(`<code>${escapeHtml(d.uuid)}</code>`), d.user ?? 'anonymous', d.queues.join(', '), when(d.registeredAt), when(d.updatedAt)]),
          'No output device has registered.',
        )}`;
  const body = [
    '<h2>Service</h2>',
    htmlFacts('service', [
      ['Printer object', markup(`<code>${escapeHtml(v.path)}</code>`)],
      ['Mode', v.mode === 'infra' ? 'INFRA Infrastructure Printer (devices pull jobs)' : 'relay to the upstream printer'],
      ['Policy', v.requireEncryption ? 'sealed (TRUSTNOONE) jobs only' : 'sealed and clear jobs'],
      ['Jobs held', markup(`<span id="job-count">${v.jobs.length}</span>${counts.size ? ` (${escapeHtml([...counts].map(([k, n]) => `${n} ${k}`).join(', '))})` : ''}`)],
    ]),
    '<h2>Upstream</h2>',
    upstreams,
    devices,
    '<h2>Jobs</h2>',
    '<p>The routing view: this intermediary holds no key, so it knows a sealed job only by its owner, its neutral name and its size.</p>',
    htmlTable('jobs', ['Job', 'Owner', 'Name', 'State', 'Documents', 'Size', 'Upstream job', 'Created'], jobRows(v.jobs), 'No jobs.'),
    `<footer>Up since ${escapeHtml(v.startedAt.toISOString())}; this page refreshes every 10 seconds.</footer>`,
  ].join('\n');
  return htmlPage({ title: 'trustnoone intermediary', heading: 'trustnoone intermediary', subtitle: 'A blind relay: it stores and forwards sealed jobs it cannot read.', refreshSeconds: 10, body });
}
