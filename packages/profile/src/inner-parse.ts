/**
 * Printer side: read the binding fields of a decrypted inner request. The message was decoded by
 * the codec under its limits; this checks the profile's structure on top, and refuses anything
 * ambiguous (a repeated binding field, a second operation group) rather than guessing.
 */
import { dateOf, GroupTag, type IppAttribute, type IppMessage, type IppValue, IppOperation } from '@trustnoone/ipp';
import { Attr, type InnerOperation } from './constants.js';
import { ProfileError } from './errors.js';
import { isNestedFormat, isUrnUuid, type InnerRequest } from './inner.js';

/** Groups an inner request may hold: operation, then Job Template (RFC 8011 §4.2.1.1). */
const ALLOWED_GROUPS = new Set<number>([GroupTag.operation, GroupTag.job]);

function malformed(message: string, attribute?: string): ProfileError {
  return new ProfileError('INNER_MALFORMED', message, attribute === undefined ? undefined : { attribute });
}

function only(ops: readonly IppAttribute[], name: string): IppAttribute | undefined {
  const hits = ops.filter((a) => a.name === name);
  if (hits.length > 1) throw malformed(`inner request repeats ${name}`, name);
  return hits[0];
}

function single(a: IppAttribute | undefined, name: string): IppValue | undefined {
  if (!a) return undefined;
  if (a.values.length !== 1) throw malformed(`inner ${name} must have exactly one value, has ${a.values.length}`, name);
  return a.values[0];
}

function stringOf(ops: readonly IppAttribute[], name: string, tags: readonly string[]): string | undefined {
  const val = single(only(ops, name), name);
  if (val === undefined) return undefined;
  if (!tags.includes(val.tag) || typeof val.value !== 'string') throw malformed(`inner ${name} has syntax ${val.tag}, expected ${tags.join(' or ')}`, name);
  return val.value;
}

function requiredUuid(ops: readonly IppAttribute[], name: string): string {
  const s = stringOf(ops, name, ['uri']);
  if (s === undefined) throw malformed(`inner request lacks the binding field ${name}`, name);
  if (!isUrnUuid(s)) throw malformed(`inner ${name} is not a urn:uuid: URI`, name);
  return s.toLowerCase();
}

function operationOf(code: number): InnerOperation {
  if (code === IppOperation.printJob) return 'Print-Job';
  if (code === IppOperation.sendDocument) return 'Send-Document';
  throw malformed(`inner operation 0x${code.toString(16).padStart(4, '0')} is neither Print-Job nor Send-Document`);
}

/**
 * Reads and checks the structure of a decrypted inner request: Print-Job or Send-Document,
 * IPP/1.1 or 2.x, one operation group starting with attributes-charset then
 * attributes-natural-language (RFC 8011 §4.1.4), optionally one job group, and the binding fields
 * printer-uuid, job-uuid (both urn:uuid), document-number and last-document with their syntaxes.
 * A Print-Job is document 1 and the last; a Send-Document must state both. The document format
 * must be a real one, not another envelope or IPP message. Throws ProfileError('INNER_MALFORMED'
 * or 'INNER_NESTED').
 */
export function parseInnerRequest(message: IppMessage): InnerRequest {
  const operation = operationOf(message.code);
  const { major, minor } = message.version;
  if (!(major === 2 || (major === 1 && minor === 1))) throw malformed(`inner request has IPP version ${major}.${minor}`);
  const opGroups = message.groups.filter((g) => g.tag === GroupTag.operation);
  if (opGroups.length !== 1 || message.groups[0]?.tag !== GroupTag.operation) throw malformed('inner request must start with exactly one operation group');
  for (const g of message.groups) {
    if (!ALLOWED_GROUPS.has(g.tag)) throw malformed(`inner request has a group with tag 0x${g.tag.toString(16)}`);
  }
  if (message.groups.filter((g) => g.tag === GroupTag.job).length > 1) throw malformed('inner request has more than one job group');
  const ops = opGroups[0]!.attributes;
  if (ops[0]?.name !== Attr.attributesCharset || ops[1]?.name !== Attr.attributesNaturalLanguage) {
    throw malformed('inner request must begin with attributes-charset then attributes-natural-language (RFC 8011 §4.1.4)');
  }

  const printerUuid = requiredUuid(ops, Attr.printerUuid);
  const jobUuid = requiredUuid(ops, Attr.jobUuid);

  const numberValue = single(only(ops, Attr.documentNumber), Attr.documentNumber);
  if (numberValue !== undefined && numberValue.tag !== 'integer') throw malformed('inner document-number must be an integer', Attr.documentNumber);
  const lastValue = single(only(ops, Attr.lastDocument), Attr.lastDocument);
  if (lastValue !== undefined && lastValue.tag !== 'boolean') throw malformed('inner last-document must be a boolean', Attr.lastDocument);
  const documentNumber = numberValue?.tag === 'integer' ? numberValue.value : undefined;
  const lastDocument = lastValue?.tag === 'boolean' ? lastValue.value : undefined;
  if (operation === 'Send-Document' && (documentNumber === undefined || lastDocument === undefined)) {
    throw malformed('inner Send-Document must carry document-number and last-document');
  }
  if (documentNumber !== undefined && documentNumber < 1) throw malformed('inner document-number must be at least 1', Attr.documentNumber);
  if (operation === 'Print-Job' && ((documentNumber ?? 1) !== 1 || lastDocument === false)) {
    throw malformed('inner Print-Job must be document 1 and the last document');
  }

  const created = single(only(ops, Attr.dateTimeAtCreation), Attr.dateTimeAtCreation);
  if (created !== undefined && created.tag !== 'dateTime') throw malformed('inner date-time-at-creation must be a dateTime', Attr.dateTimeAtCreation);
  const createdAt = created?.tag === 'dateTime' ? dateOf(created.value) : undefined;
  if (createdAt !== undefined && Number.isNaN(createdAt.getTime())) throw malformed('inner date-time-at-creation is not a valid time', Attr.dateTimeAtCreation);

  const documentFormat = stringOf(ops, Attr.documentFormat, ['mimeMediaType']);
  if (documentFormat === undefined) throw malformed('inner request lacks document-format', Attr.documentFormat);
  if (isNestedFormat(documentFormat)) {
    throw new ProfileError('INNER_NESTED', `inner document-format ${documentFormat} would nest another envelope or request`, { attribute: Attr.documentFormat });
  }

  const names = ['nameWithoutLanguage', 'nameWithLanguage'];
  return {
    operation,
    printerUuid,
    jobUuid,
    documentNumber: documentNumber ?? 1,
    lastDocument: lastDocument ?? true,
    createdAt,
    documentFormat: documentFormat.toLowerCase(),
    jobName: stringOf(ops, Attr.jobName, names),
    documentName: stringOf(ops, Attr.documentName, names),
    requestingUserName: stringOf(ops, Attr.requestingUserName, names),
    jobAttributes: message.groups.find((g) => g.tag === GroupTag.job)?.attributes ?? [],
    message,
  };
}
