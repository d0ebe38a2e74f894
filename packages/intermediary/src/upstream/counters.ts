/**
 * The progress counters the forwarder mirrors from the upstream printer (PWG 5100.7
 * job-impressions-completed, job-media-sheets-completed, job-pages-completed), so a client asking
 * the intermediary about a clear job sees how far it printed (issue 15.7). A TRUSTNOONE printer
 * answers 'unknown' for a sealed job (docs/decisions.md D9 (counters)), and that is mirrored as is.
 */
import { GroupTag, type IppMessage } from '@trustnoone/ipp';
import { findAttribute } from '../attrs.js';
import type { CompletedCounter, CompletedCounters } from '../spool/types.js';

export const COUNTER_ATTRIBUTES = ['job-impressions-completed', 'job-media-sheets-completed', 'job-pages-completed'] as const;

function counter(res: IppMessage, name: string): CompletedCounter | undefined {
  const v = findAttribute(res, GroupTag.job, name)?.values[0];
  if (v?.tag === 'integer' && v.value >= 0) return v.value;
  if (v?.tag === 'unknown') return 'unknown';
  return undefined;
}

/** The counters a Get-Job-Attributes answer carries; absent ones stay absent. */
export function countersFrom(res: IppMessage): CompletedCounters {
  const impressions = counter(res, 'job-impressions-completed');
  const mediaSheets = counter(res, 'job-media-sheets-completed');
  const pages = counter(res, 'job-pages-completed');
  return {
    ...(impressions !== undefined ? { impressions } : {}),
    ...(mediaSheets !== undefined ? { mediaSheets } : {}),
    ...(pages !== undefined ? { pages } : {}),
  };
}

export function sameCounters(a: CompletedCounters | undefined, b: CompletedCounters): boolean {
  return a?.impressions === b.impressions && a?.mediaSheets === b.mediaSheets && a?.pages === b.pages;
}
