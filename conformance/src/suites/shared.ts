/** Helpers several suites use: a document the target can print, and job-id extraction. */
import { findGroups, getInteger, type IppMessage, isSuccessful } from '@trustnoone/ipp';
import type { TestContext } from '../context.js';
import { findPrinterAttribute } from '../context.js';
import { mediaSizeHmm, pwgRaster } from '../documents.js';
import { ConformanceFailure } from '../model.js';

export const BOTH = ['printer', 'intermediary'] as const;
export const PRINTER = ['printer'] as const;
export const INTERMEDIARY = ['intermediary'] as const;
export const INFRASTRUCTURE = ['infrastructure'] as const;

const A4 = { widthHmm: 21000, heightHmm: 29700 };

/**
 * A one-page PWG Raster document the target says it accepts: its default media size and its
 * lowest advertised PWG Raster resolution (PWG 5100.14 §5.2: pwg-raster-document-resolution-supported).
 */
export async function printableRaster(t: TestContext, pages = 1): Promise<Uint8Array> {
  const attrs = await t.printerAttributes();
  const mediaDefault = findPrinterAttribute(attrs, 'media-default')?.values[0];
  const size = (mediaDefault && 'value' in mediaDefault && typeof mediaDefault.value === 'string' ? mediaSizeHmm(mediaDefault.value) : undefined) ?? A4;
  const resolutions = (findPrinterAttribute(attrs, 'pwg-raster-document-resolution-supported')?.values ?? [])
    .flatMap((v) => (v.tag === 'resolution' ? [v.value.units === 3 ? v.value.x : Math.round(v.value.x * 2.54)] : []))
    .sort((a, b) => a - b);
  return pwgRaster({ ...size, dpi: resolutions[0] ?? 150, pages });
}

/** The job-id of a job-creation response (RFC 8011 §4.2.1.2), or a failure saying what came back. */
export function jobIdOf(response: IppMessage): number {
  const id = getInteger(response, 'job', 'job-id');
  if (id === undefined || id < 1) {
    throw new ConformanceFailure(`response has no job-id in a job group (groups: ${findGroups(response, 'job').length})`);
  }
  return id;
}

/** successful-ok, successful-ok-ignored-or-substituted-attributes or successful-ok-conflicting-attributes. */
export function isSuccess(response: IppMessage): boolean {
  return isSuccessful(response.code);
}
