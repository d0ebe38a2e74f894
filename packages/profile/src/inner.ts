/**
 * The inner application/ipp request sealed inside the envelope (docs/spec-notes.md §2, provisional): the
 * real operation attributes, the Job Template attributes and the binding fields. The codec is used
 * as is: the inner message is an ordinary IPP request followed by the document bytes.
 */
import { dateTime, GroupTag, type IppAttribute, type IppGroup, type IppMessage } from '@trustnoone/ipp';
import { Attr, IPP_MIME, operationId, PKCS7_MIME, type InnerOperation } from './constants.js';
import { attr, v } from './values.js';

/** RFC 4122 §3 `urn:uuid:` form; hex is case-insensitive on input (§3), compared lowercased. */
const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUrnUuid(s: string): boolean {
  return URN_UUID.test(s);
}

/** A fresh random per-job nonce in `urn:uuid:` form (a version 4 UUID: 122 random bits). */
export function newJobNonce(): string {
  // Web Crypto's randomUUID, so the profile never imports node:crypto (the intermediary uses it).
  return `urn:uuid:${globalThis.crypto.randomUUID()}`;
}

interface InnerCommon {
  readonly printerUri: string;
  readonly requestId?: number;
  readonly requestingUserName?: string;
  readonly naturalLanguage?: string;
  /** The target printer's `printer-uuid` (urn:uuid:...): binds the job to that printer. */
  readonly printerUuid: string;
  /** The per-job nonce (urn:uuid:..., see newJobNonce): the same for every document of a job. */
  readonly jobUuid: string;
  /** The real document format (e.g. application/pdf); never a nested envelope. */
  readonly documentFormat: string;
  /**
   * When the client made the job (sealed as date-time-at-creation; default now). The printer
   * refuses a job older than its replay cache remembers (docs/profile.md §4).
   */
  readonly createdAt?: Date;
  readonly jobName?: string;
  readonly documentName?: string;
  /** Further operation attributes (e.g. compression, ipp-attribute-fidelity, job-password). */
  readonly operationAttributes?: readonly IppAttribute[];
  /** Job Template attributes (copies, media-col, sides, ...). */
  readonly jobAttributes?: readonly IppAttribute[];
}

export type InnerRequestOptions =
  | (InnerCommon & { readonly operation: 'Print-Job' })
  | (InnerCommon & {
      readonly operation: 'Send-Document';
      /** 1 for the first document of the job, then consecutive. */
      readonly documentNumber: number;
      readonly lastDocument: boolean;
    });

/** Attributes the builder writes itself; refusing them in the extras keeps one source of truth. */
const RESERVED = new Set<string>([
  Attr.attributesCharset,
  Attr.attributesNaturalLanguage,
  Attr.printerUri,
  Attr.requestingUserName,
  Attr.printerUuid,
  Attr.jobUuid,
  Attr.documentNumber,
  Attr.lastDocument,
  Attr.documentFormat,
  Attr.jobName,
  Attr.documentName,
  Attr.dateTimeAtCreation,
]);

function checkUuid(name: string, value: string): void {
  if (!isUrnUuid(value)) throw new RangeError(`${name} must be a urn:uuid: URI, got ${JSON.stringify(value)}`);
}

export function isNestedFormat(format: string): boolean {
  const f = format.toLowerCase();
  return f === PKCS7_MIME || f === IPP_MIME;
}

/** Builds the inner Print-Job or Send-Document request (no data: the document bytes follow it). */
export function buildInnerRequest(o: InnerRequestOptions): IppMessage {
  checkUuid('printerUuid', o.printerUuid);
  checkUuid('jobUuid', o.jobUuid);
  if (isNestedFormat(o.documentFormat)) throw new RangeError(`documentFormat must be the real document format, got ${o.documentFormat}`);
  const documentNumber = o.operation === 'Send-Document' ? o.documentNumber : 1;
  const lastDocument = o.operation === 'Send-Document' ? o.lastDocument : true;
  if (!Number.isInteger(documentNumber) || documentNumber < 1) throw new RangeError(`documentNumber must be an integer >= 1, got ${documentNumber}`);
  for (const a of o.operationAttributes ?? []) {
    if (RESERVED.has(a.name)) throw new RangeError(`operationAttributes must not set ${a.name}: use the dedicated option`);
  }
  const ops: IppAttribute[] = [
    attr(Attr.attributesCharset, v.charset('utf-8')),
    attr(Attr.attributesNaturalLanguage, v.language(o.naturalLanguage ?? 'en')),
    attr(Attr.printerUri, v.uri(o.printerUri)),
  ];
  if (o.requestingUserName !== undefined) ops.push(attr(Attr.requestingUserName, v.name(o.requestingUserName)));
  if (o.jobName !== undefined) ops.push(attr(Attr.jobName, v.name(o.jobName)));
  if (o.documentName !== undefined) ops.push(attr(Attr.documentName, v.name(o.documentName)));
  ops.push(
    attr(Attr.documentFormat, v.mime(o.documentFormat)),
    attr(Attr.printerUuid, v.uri(o.printerUuid.toLowerCase())),
    attr(Attr.jobUuid, v.uri(o.jobUuid.toLowerCase())),
    attr(Attr.documentNumber, v.integer(documentNumber)),
    attr(Attr.lastDocument, v.boolean(lastDocument)),
    attr(Attr.dateTimeAtCreation, dateTime(o.createdAt ?? new Date())),
    ...(o.operationAttributes ?? []),
  );
  const groups: IppGroup[] = [{ tag: GroupTag.operation, attributes: ops }];
  if (o.jobAttributes && o.jobAttributes.length > 0) groups.push({ tag: GroupTag.job, attributes: [...o.jobAttributes] });
  return { version: { major: 2, minor: 0 }, code: operationId(o.operation), requestId: o.requestId ?? 1, groups };
}

/** The inner request as the printer sees it after decryption, its binding fields typed. */
export interface InnerRequest {
  readonly operation: InnerOperation;
  /** Lowercased urn:uuid. */
  readonly printerUuid: string;
  /** Lowercased urn:uuid: the job nonce. */
  readonly jobUuid: string;
  readonly documentNumber: number;
  readonly lastDocument: boolean;
  /** The sealed date-time-at-creation; undefined when the client sent none. */
  readonly createdAt: Date | undefined;
  readonly documentFormat: string;
  readonly jobName: string | undefined;
  readonly documentName: string | undefined;
  readonly requestingUserName: string | undefined;
  /** Job Template attributes, in wire order. */
  readonly jobAttributes: readonly IppAttribute[];
  /** The whole inner request, for RFC 8011 validation exactly as a cleartext one. */
  readonly message: IppMessage;
}
