import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** docs/error-codes.md and the codes each package declares in its errors.ts agree, both ways. */
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const sources: Record<string, string[]> = {
  '@trustnoone/ipp': ['packages/ipp/src/errors.ts'],
  '@trustnoone/ipp-http': ['packages/ipp-http/src/errors.ts'],
  '@trustnoone/smime': ['packages/smime/src/errors.ts'],
  '@trustnoone/profile': ['packages/profile/src/errors.ts'],
  '@trustnoone/printer': ['packages/printer/src/errors.ts', 'packages/printer/src/render/errors.ts'],
  '@trustnoone/intermediary': ['packages/intermediary/src/errors.ts'],
  '@trustnoone/client': ['packages/client/src/errors.ts'],
};

/** Codes as the errors.ts files declare them: union members, constant-object values, array items. */
function declaredCodes(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const codes = new Set<string>();
  for (const m of text.matchAll(/(?:^\s*\||^\s*[a-zA-Z]+:)\s*'([A-Za-z][A-Za-z0-9_-]*)'/gm)) codes.add(m[1]!);
  for (const m of text.matchAll(/^\s*'([A-Z][A-Z0-9_]+)',\s*$/gm)) codes.add(m[1]!);
  return [...codes].sort();
}

function documentedCodes(pkg: string): string[] {
  const doc = readFileSync(join(root, 'docs/error-codes.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith(pkg));
  if (!section) return [];
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!).sort();
}

describe('docs/error-codes.md', () => {
  for (const [pkg, files] of Object.entries(sources)) {
    it(`lists exactly the codes ${pkg} declares`, () => {
      const declared = files.flatMap(declaredCodes).sort();
      expect(declared.length).toBeGreaterThan(3);
      expect(documentedCodes(pkg)).toEqual(declared);
    });
  }
});
