/**
 * The error registry of @trustnoone/ipp-http (IppTransportError): its errors.ts, docs/error-codes.md and the
 * naming scheme agree (docs/style.md, issue 14.5). The check is testing/error-registry.ts.
 */
import { describe, expect, it } from 'vitest';
import { declaredCodes, documentedCodes, misnamedCodes } from '../../../testing/error-registry.js';

const FILES = ['packages/ipp-http/src/errors.ts'];

describe('@trustnoone/ipp-http error registry', () => {
  it('docs/error-codes.md lists exactly the codes its errors.ts declares', () => {
    const declared = FILES.flatMap(declaredCodes).sort();
    expect(declared.length).toBeGreaterThan(3);
    expect(documentedCodes('@trustnoone/ipp-http')).toEqual(declared);
  });

  it('every code is upper case with the package prefix (IPP_HTTP_)', () => {
    expect(misnamedCodes(FILES, ['IPP_HTTP'])).toEqual([]);
  });
});
