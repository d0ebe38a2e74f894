/**
 * The PWG 5100.7 progress counters the Proxy sends with Update-Job-Status (PWG 5100.18 lists them
 * among the job status an output device reports), so the Infrastructure Printer's job shows how
 * far it printed, as a push-mode intermediary shows from Get-Job-Attributes (issue 15.7). A sealed
 * job's counters give away sealed values (copies, sides): the Infrastructure Printer gets 'unknown',
 * as any client asking in clear does (docs/decisions.md D9, counters).
 */
import type { IppAttribute } from '@trustnoone/ipp';
import type { Job } from '../jobs/job.js';
import { v } from './infra-client.js';

export function deviceCounters(job: Job | undefined): IppAttribute[] {
  if (!job) return [];
  const values: [string, number][] = [
    ['job-impressions-completed', job.impressionsCompleted],
    ['job-media-sheets-completed', job.mediaSheetsCompleted],
    ['job-pages-completed', job.pagesCompleted],
  ];
  return values.map(([name, n]) => (job.sealed ? v.values(name, [{ tag: 'unknown' }]) : v.integer(name, n)));
}
