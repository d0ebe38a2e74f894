/**
 * A job as the printer tracks it (RFC 8011 §5.3.7 job-state, §5.3.8 job-state-reasons). The
 * fields a network peer may see and the ones that came out of a sealed envelope are kept apart:
 * `clear` is what arrived in clear, `applied` what the printer uses (from the inner request for a
 * sealed job), so Get-Job-Attributes in clear never reveals a sealed job's real name or options.
 */
import { enumValue, type IppAttribute } from '@trustnoone/ipp';

/** RFC 8011 §5.3.7 job-state keywords; the numbers are the registry's. */
const JOB_STATES = ['pending', 'pending-held', 'processing', 'processing-stopped', 'canceled', 'aborted', 'completed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The job-state enum value of a keyword (RFC 8011 §5.3.7, through the registry). */
export function jobStateCode(state: JobState): number {
  const code = enumValue('job-state', state);
  if (code === undefined) throw new RangeError(`job-state '${state}' is not registered`);
  return code;
}

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['canceled', 'aborted', 'completed']);

export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.has(state);
}

/** The Job Template values the printer applies (validated; defaults filled in). */
export interface AppliedTemplate {
  readonly copies: number;
  readonly media: string;
  readonly sides: string;
  readonly printColorMode: string;
  readonly printQuality: number;
  readonly orientationRequested: number;
  /** RFC 8011 §5.2.7 page-ranges: the pages of each document to print (all when absent). */
  readonly pageRanges?: readonly { readonly lower: number; readonly upper: number }[];
  /** The attributes as they were accepted, for Get-Job-Attributes of the job-template group. */
  readonly attributes: readonly IppAttribute[];
}

/** How a sealed job was opened (for the manifest and the owner's encrypted status). */
export interface SealInfo {
  readonly jobNonce: string;
  readonly signed: boolean;
  readonly signerSubject: string | undefined;
  /** 'verified' (chains to a trust anchor), 'untrusted' (signed, not verified), 'unsigned'. */
  readonly trust: 'verified' | 'untrusted' | 'unsigned';
  /**
   * SHA-256 fingerprint of the owner's certificate as the sealed job itself names it (the signer's
   * certificate, else a sealed `requesting-user-pkcs7-public-key`). Get-Encrypted-Job-Attributes
   * seals only to that certificate, so a relay that asks in the owner's name with its own key gets
   * nothing. Undefined when the job named no certificate (then only requesting-user-name guards).
   */
  readonly ownerFingerprint: string | undefined;
}

/** One document of a job (PWG 5100.5), verified and ready or already rendered. */
export interface JobDocument {
  /** document-number, from 1. */
  readonly number: number;
  /** Verified plaintext in the job's private directory (removed once rendered). */
  readonly path: string;
  /** The format handed to the renderer. */
  readonly format: string;
  readonly bytes: number;
  /** SHA-256 of the (decrypted, decompressed) document, lowercase hex. */
  readonly sha256: string;
  /**
   * The file is the PIN-layer ciphertext (an envelope to the release code), not yet plaintext:
   * the job is held until the code is entered (secure/pin-release.ts).
   */
  readonly pinLayer?: boolean;
  /** Pages rendered from it (set by the engine). */
  pages?: number;
}

export interface JobTimings {
  readonly createdAt: number;
  lastByteAt?: number;
  openedAt?: number;
  processingAt?: number;
  completedAt?: number;
}

export interface Job {
  readonly id: number;
  readonly uuid: string;
  readonly owner: string;
  /** job-name as sent in clear (the neutral name for a sealed job). */
  clearName: string;
  /** The real job-name (inner request for a sealed job). */
  name: string;
  state: JobState;
  readonly reasons: Set<string>;
  stateMessage: string;
  /** True once a sealed document is accepted for the job (Print-Job, or Create-Job + Send-Document). */
  sealed: boolean;
  /** Job Template attributes arrived in clear with the job creation request. */
  readonly clearTemplate: boolean;
  /** Outer document-format as received (application/pkcs7-mime for sealed jobs). */
  documentFormat: string;
  /** The format handed to the renderer (sniffed when application/octet-stream). */
  renderFormat?: string;
  template: AppliedTemplate;
  /** Documents received (and verified) so far; the last one closes the job. */
  documentsReceived: number;
  readonly documents: JobDocument[];
  /** last-document seen (or Close-Job): no more documents will come. */
  closed: boolean;
  kOctets: number;
  pagesCompleted: number;
  impressionsCompleted: number;
  mediaSheetsCompleted: number;
  seal?: SealInfo;
  documentSha256?: string;
  readonly timings: JobTimings;
  /** Set while rendering; aborting it cancels the renderer. */
  renderAbort?: AbortController;
  stateChangedAt: number;
  /** Hold-Job / Release-Job's word ('indefinite' / 'no-hold'), over the job-hold-until it was created with. */
  holdUntil?: string;
  /** Set once the job ended and its manifest is written and private files removed. */
  finalized: boolean;
}

/** What a creating request says about a new job; the store adds its id, uuid and start. */
export interface NewJob {
  readonly owner: string;
  readonly clearName: string;
  readonly sealed: boolean;
  readonly clearTemplate: boolean;
  readonly documentFormat: string;
  readonly template: AppliedTemplate;
}

/** What a job starts from; everything else starts at nothing received, counted or completed. */
export interface JobStart extends NewJob {
  readonly id: number;
  readonly uuid: string;
  readonly stateMessage: string;
  readonly createdAt: number;
}

/**
 * A pending job that has received nothing yet (job-incoming): how the store creates one and how a
 * restart recreates one from its record (job-recovery.ts), so the two cannot start differently.
 */
export function startingJob(s: JobStart): Job {
  return {
    id: s.id,
    uuid: s.uuid,
    owner: s.owner,
    clearName: s.clearName,
    name: s.clearName,
    state: 'pending',
    reasons: new Set(['job-incoming']),
    stateMessage: s.stateMessage,
    sealed: s.sealed,
    clearTemplate: s.clearTemplate,
    documentFormat: s.documentFormat,
    template: s.template,
    documentsReceived: 0,
    documents: [],
    closed: false,
    kOctets: 0,
    pagesCompleted: 0,
    impressionsCompleted: 0,
    mediaSheetsCompleted: 0,
    timings: { createdAt: s.createdAt },
    stateChangedAt: Date.now(),
    finalized: false,
  };
}
