/**
 * The checks of a job creation or document request that do not depend on whether it arrived in
 * clear or sealed (RFC 8011 §4.2.1.1, §4.2.3; PWG 5100.14 §4): the same function checks a
 * cleartext Print-Job and the inner request of a sealed one, which is what "validate the inner
 * request exactly as a cleartext one" (docs/spec-notes.md §2) means in code.
 */
import type { IppAttribute, IppMessage } from '@trustnoone/ipp';
import * as cap from '../attributes/capabilities.js';
import { keyword, mimeType } from '../attributes/values.js';
import { checkJobTemplate, type TemplateCheck } from '../jobs/job-template.js';
import { parsePageRanges } from '../jobs/page-ranges.js';
import { Refusal } from './refusal.js';
import { jobGroup, opAttrs } from './request.js';
import { IppStatus as Status } from '@trustnoone/ipp';

export interface JobRequestCheck {
  /** document-format as requested (default application/octet-stream). */
  readonly format: string;
  readonly compression: cap.Compression;
  readonly template: TemplateCheck;
  readonly jobName: string | undefined;
}

export interface JobRequestPolicy {
  /** Formats acceptable here: the outer request allows pkcs7-mime, the inner never does. */
  readonly formats: readonly string[];
  /** Whether the request creates a job (Job Template attributes allowed) or adds a document. */
  readonly createsJob: boolean;
  /** Whether document-format / compression apply (Create-Job carries no document). */
  readonly hasDocument: boolean;
}

export function checkJobRequest(message: IppMessage, policy: JobRequestPolicy): JobRequestCheck {
  const ops = opAttrs(message);
  const fidelity = ops.boolean('ipp-attribute-fidelity') ?? false;
  const jobName = ops.string('job-name', ['nameWithoutLanguage', 'nameWithLanguage']);

  let format: string = cap.DOCUMENT_FORMAT_DEFAULT;
  let compression: cap.Compression = 'none';
  if (policy.hasDocument) {
    const f = ops.string('document-format', ['mimeMediaType']);
    if (f !== undefined) format = f.toLowerCase();
    if (!policy.formats.includes(format)) {
      throw new Refusal(Status.clientErrorDocumentFormatNotSupported, `document-format ${format} is not supported`, [mimeType('document-format', format)]);
    }
    const c = ops.string('compression', ['keyword']);
    if (c !== undefined) {
      if (!(cap.COMPRESSIONS as readonly string[]).includes(c)) {
        throw new Refusal(Status.clientErrorCompressionNotSupported, `compression ${c} is not supported`, [keyword('compression', c)]);
      }
      compression = c as cap.Compression;
    }
  }

  const group = jobGroup(message);
  const template = checkJobTemplate(policy.createsJob ? group : []);
  // Malformed page-ranges refuse the job whatever the fidelity: printing every page of a
  // document the user asked a part of wastes paper (docs/decisions.md D34).
  const ranges = template.unsupported.find((a) => a.name === 'page-ranges');
  if (ranges) {
    throw new Refusal(Status.clientErrorAttributesOrValuesNotSupported, pageRangesError(ranges), [ranges]);
  }
  // RFC 8011 §4.2.1.2: with ipp-attribute-fidelity=true any unsupported attribute refuses the job.
  if (fidelity && template.unsupported.length > 0) {
    throw new Refusal(Status.clientErrorAttributesOrValuesNotSupported, 'unsupported job template attributes', template.unsupported);
  }
  return { format, compression, template, jobName };
}

function pageRangesError(attr: IppAttribute): string {
  const parsed = parsePageRanges(attr);
  return 'error' in parsed ? parsed.error : 'page-ranges was given twice';
}
