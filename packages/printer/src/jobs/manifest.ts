/**
 * jobs/<id>/manifest.json (docs/architecture.md "Data at rest"): what was printed and how it was
 * verified, for the operator and for tests. Written atomically (temp file + rename). It holds no
 * document content, only its SHA-256, and for a sealed job it stays in the state directory.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Job } from './job.js';

export interface Manifest {
  readonly jobId: number;
  readonly jobUuid: string;
  readonly state: string;
  readonly stateReasons: readonly string[];
  readonly sealed: boolean;
  /** job-originating-user-name and the job-name shown in clear (the neutral one for a sealed job). */
  readonly owner: string;
  readonly clearName: string;
  readonly impressionsCompleted: number;
  readonly mediaSheetsCompleted: number;
  /** The document-format received on the wire (application/pkcs7-mime for a sealed job). */
  readonly documentFormat: string;
  /** The format that was rendered: the inner document-format, or the sniffed one. */
  readonly renderFormat: string | null;
  /** SHA-256 of the (decrypted, decompressed) first document, lowercase hex (all: `documents`). */
  readonly documentSha256: string | null;
  readonly documentBytes: number | null;
  readonly pageCount: number;
  readonly pages: readonly string[];
  /** Every document of the job, in document-number order (PWG 5100.5). */
  readonly documents: readonly { readonly number: number; readonly format: string; readonly sha256: string; readonly bytes: number; readonly pages: number | null }[];
  readonly signer: { readonly subject: string | null; readonly trust: string } | null;
  readonly attributes: {
    readonly copies: number;
    readonly media: string;
    readonly sides: string;
    readonly printColorMode: string;
    readonly printQuality: number;
    readonly orientationRequested: number;
  };
  /** A stable error code when the job did not complete (never the detail of a security failure). */
  readonly error: string | null;
  readonly timings: {
    readonly createdAt: string;
    readonly endedAt: string | null;
    /** Last byte received → document opened and verified (sealed jobs), ms. */
    readonly openMs: number | null;
    /** Renderer wall time, ms. */
    readonly renderMs: number | null;
    /** Last byte received → job ended, ms. */
    readonly lastByteToEndMs: number | null;
  };
}

export interface ManifestExtras {
  readonly documentBytes?: number;
  readonly pages?: readonly string[];
  readonly renderMs?: number;
  readonly error?: string;
}

export function buildManifest(job: Job, extras: ManifestExtras): Manifest {
  const t = job.timings;
  const t0 = t.lastByteAt;
  return {
    jobId: job.id,
    jobUuid: job.uuid,
    state: job.state,
    stateReasons: [...job.reasons],
    sealed: job.sealed,
    owner: job.owner,
    clearName: job.clearName,
    impressionsCompleted: job.impressionsCompleted,
    mediaSheetsCompleted: job.mediaSheetsCompleted,
    documentFormat: job.documentFormat,
    renderFormat: job.renderFormat ?? null,
    documentSha256: job.documentSha256 ?? null,
    documentBytes: extras.documentBytes ?? null,
    pageCount: job.pagesCompleted,
    pages: extras.pages ?? [],
    documents: job.documents.map((d) => ({ number: d.number, format: d.format, sha256: d.sha256, bytes: d.bytes, pages: d.pages ?? null })),
    signer: job.seal ? { subject: job.seal.signerSubject ?? null, trust: job.seal.trust } : null,
    attributes: {
      copies: job.template.copies,
      media: job.template.media,
      sides: job.template.sides,
      printColorMode: job.template.printColorMode,
      printQuality: job.template.printQuality,
      orientationRequested: job.template.orientationRequested,
    },
    error: extras.error ?? null,
    timings: {
      createdAt: new Date(t.createdAt).toISOString(),
      endedAt: t.completedAt !== undefined ? new Date(t.completedAt).toISOString() : null,
      openMs: t0 !== undefined && t.openedAt !== undefined ? t.openedAt - t0 : null,
      renderMs: extras.renderMs ?? null,
      lastByteToEndMs: t0 !== undefined && t.completedAt !== undefined ? t.completedAt - t0 : null,
    },
  };
}

export async function writeManifest(file: string, manifest: Manifest): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}
