/** Builds sealed submissions the way a TRUSTNOONE client does (profile + smime), for the tests. */
import { encodeMessage, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import { buildInnerRequest, buildOuterRequest, newJobNonce } from '@trustnoone/profile';
import { joinPemLines, sealToBytes, type CertificateInput, type SignerOptions } from '@trustnoone/smime';
import type { PrinterHandle } from '@trustnoone/printer';
import { URI } from './ipp.js';

export interface SealOptions {
  readonly printerUuid?: string;
  readonly jobUuid?: string;
  readonly format?: string;
  readonly jobName?: string;
  readonly jobAttributes?: readonly IppAttribute[];
  readonly operationAttributes?: readonly IppAttribute[];
  readonly signer?: SignerOptions;
  readonly recipient?: CertificateInput;
  readonly cipher?: 'aes-256-gcm' | 'aes-128-gcm' | 'aes-256-cbc';
  readonly operation?: 'Print-Job' | 'Send-Document';
  /** Inner Send-Document only (default true). */
  readonly lastDocument?: boolean;
  /** Inner Send-Document only (default 1). */
  readonly documentNumber?: number;
}

export function printerCertificate(p: PrinterHandle): string {
  return joinPemLines(p.keys.certificatePemLines);
}

/** The sealed document (CMS DER) holding the inner request + document bytes. */
export async function sealJob(p: PrinterHandle, document: Uint8Array, o: SealOptions = {}): Promise<{ envelope: Uint8Array; jobUuid: string }> {
  const jobUuid = o.jobUuid ?? newJobNonce();
  const common = {
    printerUri: URI,
    requestingUserName: 'alice',
    printerUuid: o.printerUuid ?? `urn:uuid:${p.uuid}`,
    jobUuid,
    documentFormat: o.format ?? 'image/pwg-raster',
    jobName: o.jobName ?? 'secret payroll',
    ...(o.jobAttributes ? { jobAttributes: o.jobAttributes } : {}),
    ...(o.operationAttributes ? { operationAttributes: o.operationAttributes } : {}),
  };
  const inner: IppMessage =
    (o.operation ?? 'Print-Job') === 'Print-Job'
      ? buildInnerRequest({ ...common, operation: 'Print-Job' })
      : buildInnerRequest({ ...common, operation: 'Send-Document', documentNumber: o.documentNumber ?? 1, lastDocument: o.lastDocument ?? true });
  const plaintext = Buffer.concat([encodeMessage(inner), document]);
  const envelope = await sealToBytes(plaintext, {
    recipients: [o.recipient ?? printerCertificate(p)],
    ...(o.signer ? { signer: o.signer } : {}),
    ...(o.cipher ? { cipher: o.cipher } : {}),
  });
  return { envelope, jobUuid };
}

export function outerPrintJob(extra: IppAttribute[] = []): IppMessage {
  const m = buildOuterRequest({ operation: 'Print-Job', printerUri: URI, requestId: 7, requestingUserName: 'alice' });
  return { ...m, groups: [{ ...m.groups[0]!, attributes: [...m.groups[0]!.attributes, ...extra] }, ...m.groups.slice(1)] };
}

export function outerCreateJob(): IppMessage {
  return buildOuterRequest({ operation: 'Create-Job', printerUri: URI, requestId: 8, requestingUserName: 'alice' });
}

export function outerSendDocument(jobId: number, lastDocument = true): IppMessage {
  return buildOuterRequest({ operation: 'Send-Document', printerUri: URI, requestId: 9, requestingUserName: 'alice', jobId, lastDocument });
}
