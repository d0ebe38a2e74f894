/**
 * requested-attributes (RFC 8011 §4.2.5.1, §5.2 group keywords; PWG 5100.7 for
 * media-col-database, which only an explicit request returns because it can be large).
 */
import { isJobTemplatePrinterAttribute, type IppAttribute } from '@trustnoone/ipp';

const EXPLICIT_ONLY = new Set(['media-col-database']);

/** RFC 8011 §4.2.5.1: group names that stand for a set of attributes. */
export type AttributeGroupName = 'all' | 'printer-description' | 'job-template' | 'job-description' | 'job-status';

export interface Selection {
  readonly all: boolean;
  readonly groups: ReadonlySet<string>;
  readonly names: ReadonlySet<string>;
}

export function selection(requested: readonly string[] | undefined): Selection {
  if (!requested || requested.length === 0) return { all: true, groups: new Set(), names: new Set() };
  const names = new Set(requested);
  return { all: names.has('all'), groups: names, names };
}

export function selectPrinterAttributes(attrs: readonly IppAttribute[], sel: Selection): IppAttribute[] {
  return attrs.filter((a) => {
    if (sel.names.has(a.name)) return true;
    if (EXPLICIT_ONLY.has(a.name)) return false;
    if (sel.all) return true;
    // Group membership from the registry's Job Template section, not from the name's suffix.
    return sel.groups.has(isJobTemplatePrinterAttribute(a.name) ? 'job-template' : 'printer-description');
  });
}

/** Job attributes: job-template names are the ones applied from the request; the rest description/status. */
export function selectJobAttributes(
  attrs: readonly IppAttribute[],
  templateNames: ReadonlySet<string>,
  sel: Selection,
): IppAttribute[] {
  return attrs.filter((a) => {
    if (sel.all || sel.names.has(a.name)) return true;
    if (templateNames.has(a.name)) return sel.groups.has('job-template');
    return sel.groups.has('job-description') || sel.groups.has('job-status');
  });
}
