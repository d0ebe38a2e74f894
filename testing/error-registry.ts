/**
 * The error-registry check each package's test runs on its own errors.ts (docs/style.md: errors
 * form a registry; issue 14.5: one naming scheme): the codes the files declare, the package's
 * section of docs/error-codes.md and the naming scheme (every code starts with its class's prefix)
 * agree. Kept here, in the harnesses tests share, so the seven packages run one check.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Codes as an errors.ts declares them: union members, constant-object values, array items. */
export function declaredCodes(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const codes = new Set<string>();
  for (const m of text.matchAll(/(?:^\s*\||^\s*[a-zA-Z]+:)\s*'([A-Za-z][A-Za-z0-9_-]*)'/gm)) codes.add(m[1]!);
  for (const m of text.matchAll(/^\s*'([A-Z][A-Z0-9_]+)',\s*$/gm)) codes.add(m[1]!);
  return [...codes].sort();
}

/** The codes of one package's section ("## @trustnoone/<name> — ...") of docs/error-codes.md. */
export function documentedCodes(pkg: string): string[] {
  const doc = readFileSync(join(root, 'docs/error-codes.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith(`${pkg} `));
  if (!section) return [];
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!).sort();
}

/** The codes of `files` that do not follow the scheme: upper case, words joined by _, one of `prefixes` first. */
export function misnamedCodes(files: readonly string[], prefixes: readonly string[]): string[] {
  return files.flatMap(declaredCodes).filter((code) => !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(code) || !prefixes.some((p) => code.startsWith(`${p}_`)));
}
