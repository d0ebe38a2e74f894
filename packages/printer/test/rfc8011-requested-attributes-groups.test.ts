/**
 * Issue 13.1: RFC 8011 §4.2.5.1 group keywords in requested-attributes. 'printer-description'
 * selects the Printer Description attributes and not the Printer attributes of Job Template
 * attributes (RFC 8011 §5.2: X-default, X-supported; PWG 5100.7/5100.13: X-ready); 'job-template'
 * selects exactly those. Membership comes from the IANA registry's Job Template section, not from
 * the name's suffix (compression-supported and document-format-supported describe operation
 * attributes, so they are printer-description). CUPS' get-printer-description-attributes.test and
 * get-printer-attributes-suite.test check the same from outside (cups-ipptool-files.test.ts).
 */
import { isJobTemplatePrinterAttribute } from '@trustnoone/ipp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrinterHandle } from '@trustnoone/printer';
import { a, Op, PRINTER, printer, request, send, tempDir } from './support/ipp.js';

let dir: { path: string; remove(): Promise<void> };
let p: PrinterHandle;

beforeAll(async () => {
  dir = await tempDir();
  p = await printer(dir.path);
});
afterAll(async () => {
  await p.close();
  await dir.remove();
});

const names = async (group: string): Promise<string[]> => {
  const r = await send(p.app, request(Op.GetPrinterAttributes, [a.kw('requested-attributes', group)]));
  expect(r.status).toBe(0);
  return r.groups(PRINTER).flatMap((g) => g.attributes.map((x) => x.name));
};

describe('issue 13.1: requested-attributes groups from the registry (RFC 8011 §4.2.5.1, §5.2)', () => {
  it('the registry says which printer attributes belong to Job Template attributes', () => {
    for (const n of ['copies-default', 'copies-supported', 'media-ready', 'media-col-ready', 'print-color-mode-supported', 'job-hold-until-supported', 'overrides-supported']) {
      expect(isJobTemplatePrinterAttribute(n), n).toBe(true);
    }
    for (const n of ['compression-supported', 'document-format-supported', 'document-format-default', 'pdl-override-supported', 'job-impressions-supported', 'printer-name', 'copies']) {
      expect(isJobTemplatePrinterAttribute(n), n).toBe(false);
    }
  });

  it("'printer-description' leaves out the Job Template printer attributes", async () => {
    const got = await names('printer-description');
    for (const n of ['printer-name', 'compression-supported', 'document-format-supported', 'pdl-override-supported', 'printer-up-time']) expect(got, n).toContain(n);
    for (const n of ['copies-default', 'copies-supported', 'media-ready', 'sides-supported', 'media-col-database']) expect(got, n).not.toContain(n);
  });

  it("'job-template' returns only Job Template printer attributes", async () => {
    const got = await names('job-template');
    for (const n of ['copies-default', 'copies-supported', 'sides-supported', 'media-ready']) expect(got, n).toContain(n);
    expect(got.filter((n) => !isJobTemplatePrinterAttribute(n))).toEqual([]);
    expect(got).not.toContain('media-col-database');
  });

  it("both groups together are 'all'", async () => {
    const both = [...(await names('printer-description')), ...(await names('job-template'))];
    expect(new Set(both)).toEqual(new Set(await names('all')));
  });
});
