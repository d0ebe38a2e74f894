/**
 * The error registry of @trustnoone/ipp (IppError): its errors.ts, docs/error-codes.md and the
 * naming scheme agree (docs/style.md, issue 14.5). The check is testing/error-registry.ts.
 */
import { describe, expect, it } from 'vitest';
import { declaredCodes, documentedCodes, misnamedCodes } from '../../../testing/error-registry.js';

const FILES = ['packages/ipp/src/errors.ts'];

describe('@trustnoone/ipp error registry', () => {
  it('docs/error-codes.md lists exactly the codes its errors.ts declares', () => {
    const declared = FILES.flatMap(declaredCodes).sort();
    expect(declared.length).toBeGreaterThan(3);
    expect(documentedCodes('@trustnoone/ipp')).toEqual(declared);
  });

  it('every code is upper case with the package prefix (IPP_)', () => {
    expect(misnamedCodes(FILES, ['IPP'])).toEqual([]);
  });
});
