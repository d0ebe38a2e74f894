/**
 * The error registry of @trustnoone/profile (ProfileError): its errors.ts, docs/error-codes.md and the
 * naming scheme agree (docs/style.md, issue 14.5). The check is testing/error-registry.ts.
 */
import { describe, expect, it } from 'vitest';
import { declaredCodes, documentedCodes, misnamedCodes } from '../../../testing/error-registry.js';

const FILES = ['packages/profile/src/errors.ts'];

describe('@trustnoone/profile error registry', () => {
  it('docs/error-codes.md lists exactly the codes its errors.ts declares', () => {
    const declared = FILES.flatMap(declaredCodes).sort();
    expect(declared.length).toBeGreaterThan(3);
    expect(documentedCodes('@trustnoone/profile')).toEqual(declared);
  });

  it('every code is upper case with the package prefix (PROFILE_)', () => {
    expect(misnamedCodes(FILES, ['PROFILE'])).toEqual([]);
  });
});
