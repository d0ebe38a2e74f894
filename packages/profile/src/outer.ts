/**
 * The outer (cleartext) request of a sealed submission: routing attributes only (docs/spec-notes.md §2,
 * provisional). Everything that describes the job rides inside the envelope.
 */
import { GroupTag, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import { Attr, IPP_MIME, NEUTRAL_JOB_NAME, operationId, PKCS7_MIME } from './constants.js';
import { attr, v } from './values.js';

interface OuterCommon {
  /** The URI the client addresses: the printer's or the intermediary's. */
  readonly printerUri: string;
  readonly requestId: number;
  readonly requestingUserName?: string;
  /** RFC 8011 §4.1.4.2; default "en". */
  readonly naturalLanguage?: string;
}

export type OuterRequestOptions =
  | (OuterCommon & {
      readonly operation: 'Print-Job' | 'Create-Job';
      /** Shown by relays and queues; default "encrypted job". Never the real job name. */
      readonly neutralJobName?: string;
    })
  | (OuterCommon & {
      readonly operation: 'Send-Document';
      /** The job-id the addressed server returned for Create-Job. */
      readonly jobId: number;
      readonly lastDocument: boolean;
    });

/** RFC 8011 §4.1.4: charset and natural language come first, in this order. */
function preamble(o: OuterCommon): IppAttribute[] {
  const attrs = [
    attr(Attr.attributesCharset, v.charset('utf-8')),
    attr(Attr.attributesNaturalLanguage, v.language(o.naturalLanguage ?? 'en')),
    attr(Attr.printerUri, v.uri(o.printerUri)),
  ];
  if (o.requestingUserName !== undefined) attrs.push(attr(Attr.requestingUserName, v.name(o.requestingUserName)));
  return attrs;
}

/** The sealed-document declaration: the data is CMS, and what is sealed is an IPP request. */
function sealedFormat(): IppAttribute[] {
  return [attr(Attr.documentFormat, v.mime(PKCS7_MIME)), attr(Attr.encryptedJobRequestFormat, v.mime(IPP_MIME))];
}

/**
 * Builds the outer Print-Job, Create-Job or Send-Document of a sealed job. The message carries no
 * data; the caller streams the CMS object after its encoded header.
 */
export function buildOuterRequest(o: OuterRequestOptions): IppMessage {
  const ops = preamble(o);
  switch (o.operation) {
    case 'Print-Job':
      ops.push(attr(Attr.jobName, v.name(o.neutralJobName ?? NEUTRAL_JOB_NAME)), ...sealedFormat());
      break;
    case 'Create-Job':
      ops.push(attr(Attr.jobName, v.name(o.neutralJobName ?? NEUTRAL_JOB_NAME)));
      break;
    case 'Send-Document':
      if (!Number.isInteger(o.jobId) || o.jobId < 1) throw new RangeError(`jobId must be an integer >= 1, got ${o.jobId}`);
      // RFC 8011 §4.2.2 / PWG 5100.5: job-id right after printer-uri, then last-document.
      ops.splice(3, 0, attr(Attr.jobId, v.integer(o.jobId)));
      ops.push(attr(Attr.lastDocument, v.boolean(o.lastDocument)), ...sealedFormat());
      break;
  }
  return {
    version: { major: 2, minor: 0 },
    code: operationId(o.operation),
    requestId: o.requestId,
    groups: [{ tag: GroupTag.operation, attributes: ops }],
  };
}
