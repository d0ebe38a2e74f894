/**
 * Issue 13.5: pages came out reversed through CUPS. The printer's one output bin is face-down, and
 * a face-down bin stacks pages first to last (page 1 lands face down, page 2 on top of it, and the
 * stack reads in order when turned over). Advertising stackingorder=lastToFirst made CUPS'
 * driverless PPD say *DefaultOutputOrder: Reverse, so a 2-page PDF printed 2, 1. The cupsd test
 * (cups-lp-driverless.test.ts) checks the rendered order end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrinterHandle } from '@trustnoone/printer';
import { Op, PRINTER, printer, request, send, tempDir } from './support/ipp.js';

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

/** PWG 5100.13 printer-output-tray values: RFC 3805 key=value; pairs. */
function trays(values: unknown[]): Map<string, string>[] {
  return values.map((v) => new Map(Buffer.from(v as Uint8Array).toString('latin1').split(';').filter(Boolean).map((kv) => kv.split('=') as [string, string])));
}

describe('issue 13.5: printer-output-tray stacking order (PWG 5100.13)', () => {
  it('the face-down bin stacks first to last, and it is the default output-bin', async () => {
    const r = await send(p.app, request(Op.GetPrinterAttributes));
    const bins = trays(r.values(PRINTER, 'printer-output-tray'));
    expect(bins.length).toBeGreaterThan(0);
    for (const bin of bins) {
      expect(bin.get('pagedelivery'), bin.get('name')).toBe('faceDown');
      expect(bin.get('stackingorder'), bin.get('name')).toBe('firstToLast');
    }
    expect(bins.map((b) => b.get('name'))).toContain(r.value(PRINTER, 'output-bin-default'));
  });
});
