/**
 * Who is asking, and what they may do with a job. RFC 8011 §5.4 statuses: not-authenticated when
 * credentials would help, not-authorized when the authenticated user is not the owner, forbidden
 * when authentication would not change the answer.
 */
import { IppStatus } from '@trustnoone/ipp';
import { IppStatusError } from '@trustnoone/ipp-http';
import type { Role } from './auth/users-file.js';
import type { SpoolJob } from './spool/types.js';

export interface Principal {
  readonly name: string;
  readonly role: Role | 'anonymous';
  /** True when `name` was proven (HTTP Basic against the users file). */
  readonly authenticated: boolean;
}

export function canAccess(p: Principal, job: SpoolJob): boolean {
  if (p.role === 'operator') return true;
  if (p.authenticated) return job.ownerAuthenticated && job.owner === p.name;
  // Anonymous mode (loopback demos): the requesting-user-name is all there is, as in RFC 8011 §9.3.
  return !job.ownerAuthenticated && job.owner === p.name;
}

export function requireAccess(p: Principal, job: SpoolJob, authAvailable: boolean): void {
  if (canAccess(p, job)) return;
  if (!p.authenticated && authAvailable) {
    throw new IppStatusError(IppStatus.clientErrorNotAuthenticated, 'this job belongs to an authenticated user: sign in to see or change it');
  }
  if (p.authenticated) throw new IppStatusError(IppStatus.clientErrorNotAuthorized, `job ${job.id} belongs to another user`);
  throw new IppStatusError(IppStatus.clientErrorForbidden, `job ${job.id} belongs to another user`);
}
