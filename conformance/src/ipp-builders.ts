/** Request construction for the suites: the RFC 8011 §4.1.4 preamble and small value helpers. */
import { attribute as attr, GroupTag, oneArg as val, operationCode, type IppAttribute, type IppGroup, type IppMessage } from '@trustnoone/ipp';

/** The codec's one-argument value helpers and attribute builder, under the short names this module's callers use. */
export { val, attr };

export interface RequestSpec {
  readonly printerUri: string;
  readonly user?: string;
  readonly requestId?: number;
  /** Operation attributes after the preamble (charset, language, printer-uri, requesting-user-name). */
  readonly operation?: readonly IppAttribute[];
  /** Attributes placed between printer-uri and requesting-user-name (job-id, RFC 8011 §4.3.1). */
  readonly target?: readonly IppAttribute[];
  readonly job?: readonly IppAttribute[];
}

/** A well-formed request: charset and natural language first, in that order (RFC 8011 §4.1.4). */
export function buildRequest(operation: string, spec: RequestSpec): IppMessage {
  const code = operationCode(operation);
  if (code === undefined) throw new RangeError(`unknown IPP operation '${operation}'`);
  const ops: IppAttribute[] = [
    attr('attributes-charset', val.charset('utf-8')),
    attr('attributes-natural-language', val.language('en')),
    attr('printer-uri', val.uri(spec.printerUri)),
    ...(spec.target ?? []),
  ];
  if (spec.user !== undefined) ops.push(attr('requesting-user-name', val.name(spec.user)));
  ops.push(...(spec.operation ?? []));
  const groups: IppGroup[] = [{ tag: GroupTag.operation, attributes: ops }];
  if (spec.job && spec.job.length > 0) groups.push({ tag: GroupTag.job, attributes: [...spec.job] });
  return { version: { major: 2, minor: 0 }, code, requestId: spec.requestId ?? 1, groups };
}
