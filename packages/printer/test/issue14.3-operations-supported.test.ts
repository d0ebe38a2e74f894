/**
 * Issue 14 item 3: operations-supported (RFC 8011 §5.4.15) is derived from the table the printer
 * dispatches by, so what Get-Printer-Attributes advertises is exactly what the printer answers.
 * Checked from outside: every operation code 0x0001–0x00ff is sent; an operation not served is
 * answered server-error-operation-not-supported (RFC 8011 §4.1.8, 0x0501), any served one with
 * something else (a bad-request for a minimal request is fine), and the two sets must agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationName } from '@trustnoone/ipp';
import type { PrinterHandle } from '@trustnoone/printer';
import { Op, PRINTER, printer, request, send, tempDir } from './support/ipp.js';

const OPERATION_NOT_SUPPORTED = 0x0501;

let dir: { path: string; remove(): Promise<void> };
let p: PrinterHandle;

beforeAll(async () => {
  dir = await tempDir();
  // The configuration `tno printer` ships: the defaults.
  p = await printer(dir.path);
});
afterAll(async () => {
  await p.close();
  await dir.remove();
});

describe('operations-supported equals the operations the printer serves (issue 14.3)', () => {
  it('Get-Printer-Attributes lists exactly the codes not answered operation-not-supported', async () => {
    const advertised = (await send(p.app, request(Op.GetPrinterAttributes))).values(PRINTER, 'operations-supported') as number[];
    const served: number[] = [];
    for (let code = 0x0001; code <= 0x00ff; code++) {
      // Print-Job and Send-Document get no document: the job they make simply ends without one.
      const r = await send(p.app, request(code));
      if (r.status !== OPERATION_NOT_SUPPORTED) served.push(code);
    }
    const named = (codes: number[]) => [...codes].sort((a, b) => a - b).map((c) => `0x${c.toString(16).padStart(4, '0')} ${operationName(c)}`);
    expect(named(advertised)).toEqual(named(served));
    // Not vacuous: the printer serves the IPP Everywhere set and Get-Encrypted-Job-Attributes.
    expect(served).toEqual(expect.arrayContaining([0x0002, 0x0004, 0x0005, 0x0006, 0x0008, 0x0009, 0x000a, 0x000b, 0x006a]));
  });
});
