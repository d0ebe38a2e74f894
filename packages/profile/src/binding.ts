/**
 * Printer side: the binding checks of docs/spec-notes.md §2 (provisional). Together they stop a sealed job
 * being redirected to another printer, replayed, its documents reordered, spliced between jobs or
 * cut short — the attacks left open by an envelope that only hides content.
 */
import type { InnerOperation } from './constants.js';
import { ProfileError } from './errors.js';
import type { InnerRequest } from './inner.js';

/**
 * The job nonces a printer has accepted. The printer persists it (a restart must not reopen the
 * window). Entries can be dropped when the printer's key changes: envelopes to the old key can no
 * longer be opened, so they can no longer be replayed.
 */
export interface ReplayCache {
  /**
   * Atomically records `key`; resolves false if it was already present (a replay). Must be safe
   * against two concurrent submissions of the same envelope: exactly one of them gets true.
   */
  remember(key: string): boolean | Promise<boolean>;
}

/** An in-memory ReplayCache, for tests and as the base of a persistent one. Never evicts. */
export class MemoryReplayCache implements ReplayCache {
  readonly #seen = new Set<string>();
  remember(key: string): boolean {
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    return true;
  }
  get size(): number {
    return this.#seen.size;
  }
}

export interface BindingExpectations {
  /** The outer operation this inner request arrived in (an outer Print-Job must carry a whole job). */
  readonly operation: InnerOperation;
  /** This printer's own printer-uuid (urn:uuid:...). */
  readonly printerUuid: string;
  /** The nonce of the job a Send-Document adds to (from its document 1); absent for document 1. */
  readonly jobNonce?: string;
  /** The document-number this job expects next (1 for Print-Job and a job's first document). */
  readonly expectedDocumentNumber: number;
  /** The outer Send-Document's last-document, when the request had one. */
  readonly outerLastDocument?: boolean;
  readonly replay: ReplayCache;
  /**
   * The times a job's first document may have been created at, when the replay cache forgets:
   * a job older than the cache remembers could be a replay it no longer knows (issue 11.2).
   */
  readonly window?: ReplayWindow;
}

/** Accept a job created within [now - maxAgeMs, now + maxSkewMs]; everything in ms. */
export interface ReplayWindow {
  readonly now: number;
  /** At most the cache's retention minus maxSkewMs (a job dated ahead is remembered from arrival). */
  readonly maxAgeMs: number;
  /** How far ahead of the printer's clock a client's may be. */
  readonly maxSkewMs: number;
}

export interface BindingResult {
  /** The job nonce, to keep with the job so its later documents can be checked against it. */
  readonly jobNonce: string;
  /** The key recorded in the replay cache (only for a job's first document). */
  readonly replayKey: string | undefined;
  /** True when this document closes the job: a job that ends without one was cut short. */
  readonly lastDocument: boolean;
}

/** The replay-cache key of a job: its nonce, scoped to the printer that accepted it. */
export function replayKey(printerUuid: string, jobNonce: string): string {
  return `${printerUuid.toLowerCase()} ${jobNonce.toLowerCase()}`;
}

/**
 * Checks the binding of a parsed inner request against what the printer expects, in this order:
 * whole job in an outer Print-Job, target printer, job nonce, document order, last-document, then
 * replay. The replay
 * cache is written only when every other check passed, and only for a job's first document
 * (later documents are tied to it by the nonce and the document order). Throws ProfileError.
 */
export async function checkBinding(inner: InnerRequest, expect: BindingExpectations): Promise<BindingResult> {
  // The outer operation is transport: a relay may resubmit a Print-Job upstream as Create-Job + one
  // Send-Document (last-document=true), or a one-document job as Print-Job. What must hold is that
  // an outer Print-Job carries a whole job; for an outer Send-Document the order and last-document
  // checks below decide, whichever inner operation it holds.
  if (expect.operation === 'Print-Job' && !(inner.documentNumber === 1 && inner.lastDocument)) {
    throw new ProfileError(
      'PROFILE_BINDING_OPERATION_MISMATCH',
      `an outer Print-Job carries document ${inner.documentNumber}${inner.lastDocument ? '' : ' (not the last)'} of a multi-document job`,
    );
  }
  if (inner.printerUuid !== expect.printerUuid.toLowerCase()) {
    throw new ProfileError('PROFILE_BINDING_WRONG_PRINTER', `job is bound to printer ${inner.printerUuid}, this printer is ${expect.printerUuid}`, {
      attribute: 'printer-uuid',
    });
  }
  const first = expect.jobNonce === undefined;
  if (!first && inner.jobUuid !== expect.jobNonce!.toLowerCase()) {
    throw new ProfileError('PROFILE_BINDING_WRONG_JOB', `document belongs to job ${inner.jobUuid}, not to ${expect.jobNonce}`, { attribute: 'job-uuid' });
  }
  if (first !== (expect.expectedDocumentNumber === 1)) {
    throw new RangeError('expectedDocumentNumber must be 1 exactly when no jobNonce is given');
  }
  if (inner.documentNumber !== expect.expectedDocumentNumber) {
    throw new ProfileError('PROFILE_BINDING_DOCUMENT_ORDER', `document-number ${inner.documentNumber} arrived where ${expect.expectedDocumentNumber} was expected`, {
      attribute: 'document-number',
    });
  }
  if (expect.outerLastDocument !== undefined && expect.outerLastDocument !== inner.lastDocument) {
    throw new ProfileError('PROFILE_BINDING_LAST_DOCUMENT', `outer last-document=${expect.outerLastDocument} but the sealed request says ${inner.lastDocument}`, {
      attribute: 'last-document',
    });
  }
  if (first && expect.window) {
    const w = expect.window;
    const at = inner.createdAt?.getTime();
    if (at === undefined || at < w.now - w.maxAgeMs || at > w.now + w.maxSkewMs) {
      throw new ProfileError(
        'PROFILE_BINDING_OUTSIDE_REPLAY_WINDOW',
        at === undefined ? 'the sealed request has no date-time-at-creation' : `the job was created at ${new Date(at).toISOString()}, outside the replay window`,
        { attribute: 'date-time-at-creation' },
      );
    }
  }
  let key: string | undefined;
  if (first) {
    key = replayKey(inner.printerUuid, inner.jobUuid);
    if (!(await expect.replay.remember(key))) {
      throw new ProfileError('PROFILE_BINDING_REPLAYED', `job nonce ${inner.jobUuid} was already used`, { attribute: 'job-uuid' });
    }
  }
  return { jobNonce: inner.jobUuid, replayKey: key, lastDocument: inner.lastDocument };
}
