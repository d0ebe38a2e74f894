/**
 * RFC 8011 §5.2.7 page-ranges (1setOf rangeOfInteger(1:MAX)): which pages of each document to
 * print. Values must each run upward from page 1 or later and follow one another without overlap;
 * anything else is a malformed request, refused rather than printed whole (docs/decisions.md D34).
 */
import type { IppAttribute } from '@trustnoone/ipp';

export interface PageRange {
  readonly lower: number;
  readonly upper: number;
}

/** More ranges than any real selection needs; a request beyond it is refused, not truncated. */
export const MAX_PAGE_RANGES = 100;

/** The ranges, or a reason they are refused. */
export function parsePageRanges(attr: IppAttribute): { ranges: PageRange[] } | { error: string } {
  if (attr.values.length === 0 || attr.values.length > MAX_PAGE_RANGES) return { error: `page-ranges must have 1 to ${MAX_PAGE_RANGES} ranges, got ${attr.values.length}` };
  const ranges: PageRange[] = [];
  for (const v of attr.values) {
    if (v.tag !== 'rangeOfInteger') return { error: 'page-ranges values must be ranges of pages (rangeOfInteger), e.g. 1-3' };
    const { lower, upper } = v.value;
    if (lower < 1) return { error: `page-ranges ${lower}-${upper}: pages are numbered from 1` };
    if (upper < lower) return { error: `page-ranges ${lower}-${upper} is descending: write ${upper}-${lower}` };
    const prev = ranges[ranges.length - 1];
    if (prev && lower <= prev.upper) return { error: `page-ranges ${prev.lower}-${prev.upper} and ${lower}-${upper} overlap or are out of order: give ascending, separate ranges` };
    ranges.push({ lower, upper });
  }
  return { ranges };
}

/** Whether 1-based `page` is selected; every page is when there are no ranges. */
export function pageSelected(page: number, ranges: readonly PageRange[] | undefined): boolean {
  return !ranges || ranges.some((r) => page >= r.lower && page <= r.upper);
}
