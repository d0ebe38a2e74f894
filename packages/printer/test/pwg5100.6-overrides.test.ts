/**
 * Issue 13.2: overrides-supported said 'document-number'; the registered keyword is
 * 'document-numbers' (PWG 5100.6, IANA registry), and any overrides a client sent were refused as
 * unsupported. The printer now advertises the two selectors it understands, document-numbers and
 * pages, and no attribute that may vary between them: overrides-supported lists the attributes an
 * override may carry, so a client learns that only selectors are accepted. An overrides value made
 * of valid selectors is accepted (it changes nothing, as advertised); one carrying any other member
 * (copies, media, ...) is returned as unsupported, or refused under ipp-attribute-fidelity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IppAttribute } from '@trustnoone/ipp';
import type { PrinterHandle } from '@trustnoone/printer';
import { pwgRaster } from './support/documents.js';
import { a, JOB, Op, PRINTER, UNSUPPORTED, printer, request, send, tempDir } from './support/ipp.js';

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

const range = (name: string, lower: number, upper: number): IppAttribute => ({ name, values: [{ tag: 'rangeOfInteger', value: { lower, upper } }] });
const selectorsOnly = a.col('overrides', [range('document-numbers', 1, 1), range('pages', 1, 1)]);
const withCopies = a.col('overrides', [range('pages', 1, 1), a.int('copies', 2)]);

async function print(job: IppAttribute[], ops: IppAttribute[] = []) {
  return send(p.app, request(Op.PrintJob, [a.mime('document-format', 'image/pwg-raster'), ...ops], job), pwgRaster({ pages: 2 }));
}

describe('issue 13.2: overrides (PWG 5100.6)', () => {
  it("overrides-supported lists the registered selectors 'document-numbers' and 'pages'", async () => {
    const r = await send(p.app, request(Op.GetPrinterAttributes, [a.kw('requested-attributes', 'overrides-supported')]));
    expect(r.values(PRINTER, 'overrides-supported').sort()).toEqual(['document-numbers', 'pages']);
  });

  it('an overrides value of selectors only is accepted and the job prints', async () => {
    const r = await print([selectorsOnly]);
    expect(r.status).toBe(0);
    expect(r.groups(UNSUPPORTED)).toEqual([]);
    const job = await p.runtime.store.whenFinalized(r.value(JOB, 'job-id') as number);
    expect(job.state).toBe('completed');
  });

  it('an override that would change an attribute is returned as unsupported; the job prints without it', async () => {
    const r = await print([withCopies]);
    expect(r.status).toBe(0x0001); // successful-ok-ignored-or-substituted-attributes
    expect(r.attr(UNSUPPORTED, 'overrides')).toBeDefined();
    expect((await p.runtime.store.whenFinalized(r.value(JOB, 'job-id') as number)).state).toBe('completed');
  });

  it('malformed selectors (no selector, reversed range) are unsupported too', async () => {
    for (const bad of [a.col('overrides', [a.kw('media', 'iso_a4_210x297mm')]), a.col('overrides', [range('pages', 3, 1)])]) {
      const r = await print([bad]);
      expect(r.attr(UNSUPPORTED, 'overrides'), JSON.stringify(bad)).toBeDefined();
    }
  });

  it('with ipp-attribute-fidelity an unsupported override refuses the job', async () => {
    const r = await print([withCopies], [a.bool('ipp-attribute-fidelity', true)]);
    expect(r.status).toBe(0x040b); // client-error-attributes-or-values-not-supported
  });
});
