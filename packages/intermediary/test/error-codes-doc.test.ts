/**
 * The error registry of @trustnoone/intermediary (IntermediaryError): its errors.ts, docs/error-codes.md and the
 * naming scheme agree (docs/style.md, issue 14.5). The check is testing/error-registry.ts.
 */
import { describe, expect, it } from 'vitest';
import { declaredCodes, documentedCodes, misnamedCodes } from '../../../testing/error-registry.js';

const FILES = ['packages/intermediary/src/errors.ts'];

describe('@trustnoone/intermediary error registry', () => {
  it('docs/error-codes.md lists exactly the codes its errors.ts declares', () => {
    const declared = FILES.flatMap(declaredCodes).sort();
    expect(declared.length).toBeGreaterThan(3);
    expect(documentedCodes('@trustnoone/intermediary')).toEqual(declared);
  });

  it('every code is upper case with the package prefix (INTERMEDIARY_)', () => {
    expect(misnamedCodes(FILES, ['INTERMEDIARY'])).toEqual([]);
  });
});
