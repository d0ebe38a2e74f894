/**
 * Job Template checks (RFC 8011 §5.2, PWG 5100.3 media-col, PWG 5100.14 §5.2): each attribute
 * in the job group is either applied or returned in the unsupported group (RFC 8011 §4.1.7,
 * §4.2.1.2). The same function checks a cleartext request and a sealed job's inner request.
 */
import type { IppAttribute, IppValue } from '@trustnoone/ipp';
import * as cap from '../attributes/capabilities.js';
import { MEDIA, MEDIA_DEFAULT, MEDIA_SOURCES, MEDIA_TYPES, mediaByName, mediaBySize } from '../attributes/media.js';
import { enumAttr, integer, keyword } from '../attributes/values.js';
import type { AppliedTemplate } from './job.js';
import { parsePageRanges, type PageRange } from './page-ranges.js';

export interface TemplateCheck {
  readonly applied: AppliedTemplate;
  /** Attributes to list in the unsupported-attributes group, with the values refused. */
  readonly unsupported: readonly IppAttribute[];
}

type Checker = (attr: IppAttribute, out: MutableTemplate) => boolean;

interface MutableTemplate {
  copies: number;
  media: string;
  sides: string;
  printColorMode: string;
  printQuality: number;
  orientationRequested: number;
  pageRanges?: PageRange[];
  accepted: IppAttribute[];
}

function single(attr: IppAttribute): IppValue | undefined {
  return attr.values.length === 1 ? attr.values[0] : undefined;
}

function keywordIn(allowed: readonly string[], set?: (out: MutableTemplate, v: string) => void): Checker {
  return (attr, out) => {
    const v = single(attr);
    if (!v || (v.tag !== 'keyword' && v.tag !== 'nameWithoutLanguage') || !allowed.includes(v.value)) return false;
    set?.(out, v.value);
    return true;
  };
}

function enumIn(allowed: readonly number[], set?: (out: MutableTemplate, v: number) => void): Checker {
  return (attr, out) => {
    const v = single(attr);
    if (!v || v.tag !== 'enum' || !allowed.includes(v.value)) return false;
    set?.(out, v.value);
    return true;
  };
}

function integerIn(lower: number, upper: number, set?: (out: MutableTemplate, v: number) => void): Checker {
  return (attr, out) => {
    const v = single(attr);
    if (!v || v.tag !== 'integer' || v.value < lower || v.value > upper) return false;
    set?.(out, v.value);
    return true;
  };
}

function memberInteger(members: readonly IppAttribute[], name: string): number | undefined {
  const v = members.find((m) => m.name === name)?.values[0];
  return v && v.tag === 'integer' ? v.value : undefined;
}

/** PWG 5100.3 §3.13 media-col: media-size or media-size-name must name a loaded size. */
const checkMediaCol: Checker = (attr, out) => {
  const v = single(attr);
  if (!v || v.tag !== 'collection') return false;
  let name: string | undefined;
  for (const m of v.value) {
    const mv = m.values[0];
    switch (m.name) {
      case 'media-size': {
        if (!mv || mv.tag !== 'collection') return false;
        const x = memberInteger(mv.value, 'x-dimension');
        const y = memberInteger(mv.value, 'y-dimension');
        const size = x !== undefined && y !== undefined ? mediaBySize(x, y) : undefined;
        if (!size || (name !== undefined && name !== size.name)) return false;
        name = size.name;
        break;
      }
      case 'media-size-name':
      case 'media-key': {
        if (!mv || mv.tag !== 'keyword') return false;
        const base = mv.value.replace(/_borderless$/, '');
        if (!mediaByName(base) || (name !== undefined && name !== base)) return false;
        name = base;
        break;
      }
      case 'media-source':
        if (!mv || mv.tag !== 'keyword' || !(MEDIA_SOURCES as readonly string[]).includes(mv.value)) return false;
        break;
      case 'media-type':
        if (!mv || mv.tag !== 'keyword' || !(MEDIA_TYPES as readonly string[]).includes(mv.value)) return false;
        break;
      case 'media-top-margin':
      case 'media-bottom-margin':
      case 'media-left-margin':
      case 'media-right-margin':
        if (!mv || mv.tag !== 'integer' || mv.value < 0) return false;
        break;
      default:
        return false;
    }
  }
  if (name !== undefined) out.media = name;
  return true;
};

const checkResolution: Checker = (attr) => {
  const v = single(attr);
  return !!v && v.tag === 'resolution' && v.value.units === 3 && v.value.x === v.value.y && (cap.RESOLUTIONS as readonly number[]).includes(v.value.x);
};

const checkFinishings: Checker = (attr) =>
  attr.values.length > 0 && attr.values.every((v) => v.tag === 'enum' && (cap.FINISHINGS as readonly number[]).includes(v.value));

/**
 * PWG 5100.6 overrides: each value selects pages and/or documents (document-numbers, pages:
 * 1setOf rangeOfInteger(1:MAX)) and names the attributes that differ there. overrides-supported
 * lists only the two selectors, so an override may carry no other member: a value of valid
 * selectors is accepted (and changes nothing); anything else is unsupported.
 */
const checkOverrides: Checker = (attr) =>
  attr.values.length > 0 &&
  attr.values.every((v) => {
    if (v.tag !== 'collection' || v.value.length === 0) return false;
    return v.value.every(
      (m) =>
        (m.name === 'document-numbers' || m.name === 'pages') &&
        m.values.length > 0 &&
        m.values.every((r) => r.tag === 'rangeOfInteger' && r.value.lower >= 1 && r.value.lower <= r.value.upper),
    );
  });

const checkPageRanges: Checker = (attr, out) => {
  const parsed = parsePageRanges(attr);
  if ('error' in parsed) return false;
  out.pageRanges = parsed.ranges;
  return true;
};

const CHECKERS: Readonly<Partial<Record<string, Checker>>> = {
  copies: integerIn(1, cap.COPIES_MAX, (o, v) => (o.copies = v)),
  media: keywordIn(
    MEDIA.map((m) => m.name),
    (o, v) => (o.media = v),
  ),
  'media-col': checkMediaCol,
  sides: keywordIn(cap.SIDES, (o, v) => (o.sides = v)),
  'print-color-mode': keywordIn(cap.COLOR_MODES, (o, v) => (o.printColorMode = v)),
  'print-quality': enumIn(cap.PRINT_QUALITIES, (o, v) => (o.printQuality = v)),
  'orientation-requested': enumIn(cap.ORIENTATIONS, (o, v) => (o.orientationRequested = v)),
  'printer-resolution': checkResolution,
  finishings: checkFinishings,
  'job-priority': integerIn(1, 100),
  'job-sheets': keywordIn(cap.JOB_SHEETS),
  'multiple-document-handling': keywordIn(cap.MULTIPLE_DOCUMENT_HANDLING),
  'output-bin': keywordIn(cap.OUTPUT_BINS),
  'print-content-optimize': keywordIn(cap.PRINT_CONTENT_OPTIMIZE),
  'print-scaling': keywordIn(cap.PRINT_SCALING),
  overrides: checkOverrides,
  'job-hold-until': keywordIn(cap.JOB_HOLD_UNTIL),
  'page-ranges': checkPageRanges,
};

/** Checks the Job Template attributes of a job creation request (its job group). */
export function checkJobTemplate(jobGroup: readonly IppAttribute[]): TemplateCheck {
  const out: MutableTemplate = {
    copies: 1,
    media: MEDIA_DEFAULT,
    sides: 'one-sided',
    printColorMode: 'auto',
    printQuality: 4,
    orientationRequested: 3,
    accepted: [],
  };
  const unsupported: IppAttribute[] = [];
  const seen = new Set<string>();
  for (const attr of jobGroup) {
    const checker: Checker | undefined = CHECKERS[attr.name];
    // RFC 8011 §4.1.5: an attribute given twice is a malformed request; treat the repeat as unsupported.
    if (!checker || seen.has(attr.name) || !checker(attr, out)) {
      unsupported.push(checker ? attr : { name: attr.name, values: [{ tag: 'unsupported' }] });
      continue;
    }
    seen.add(attr.name);
    out.accepted.push(attr);
  }
  const attributes: IppAttribute[] = [
    integer('copies', out.copies),
    keyword('media', out.media),
    keyword('sides', out.sides),
    keyword('print-color-mode', out.printColorMode),
    enumAttr('print-quality', out.printQuality),
    enumAttr('orientation-requested', out.orientationRequested),
    ...out.accepted.filter((a) => !['copies', 'media', 'sides', 'print-color-mode', 'print-quality', 'orientation-requested'].includes(a.name)),
  ];
  return {
    applied: {
      copies: out.copies,
      media: out.media,
      sides: out.sides,
      printColorMode: out.printColorMode,
      printQuality: out.printQuality,
      orientationRequested: out.orientationRequested,
      ...(out.pageRanges ? { pageRanges: out.pageRanges } : {}),
      attributes,
    },
    unsupported,
  };
}

export const JOB_TEMPLATE_NAMES: ReadonlySet<string> = new Set(Object.keys(CHECKERS));
