/**
 * PWG 5100.11 §4.2 job-ids in Get-Jobs: the jobs a client names. Read as the printer reads it
 * (docs/decisions.md D33): 1 to MAX_JOB_IDS integers from 1, else client-error-bad-request (the
 * request is refused, not silently truncated).
 */
import { IppStatus, type IppMessage } from '@trustnoone/ipp';
import { IppStatusError } from '@trustnoone/ipp-http';
import { operationAttribute } from '../attrs.js';

export const MAX_JOB_IDS = 1000;

/** The named job ids, or undefined when the request names none. */
export function requestedJobIds(message: IppMessage): ReadonlySet<number> | undefined {
  const a = operationAttribute(message, 'job-ids');
  if (!a) return undefined;
  if (a.values.length === 0 || a.values.length > MAX_JOB_IDS) {
    throw new IppStatusError(IppStatus.clientErrorBadRequest, `job-ids must have 1 to ${MAX_JOB_IDS} values, got ${a.values.length}`);
  }
  const ids = new Set<number>();
  for (const v of a.values) {
    if (v.tag !== 'integer' || v.value < 1) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'job-ids must be integers from 1 (job ids of this printer)');
    ids.add(v.value);
  }
  return ids;
}
