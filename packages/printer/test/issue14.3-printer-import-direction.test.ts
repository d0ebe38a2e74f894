/**
 * Issue 14 item 3, the printer without back arrows: the operation handlers (ops/) sit on top of
 * what a request needs (requests/), the security layer (secure/) and the jobs (jobs/), and nothing
 * below points back up at them. requests/ is below secure/ too: the sealed-job opener validates an
 * inner request with the same functions as a request in clear, so those cannot live in either.
 * Imports are read with the TypeScript parser (static, `export … from` and dynamic `import()`).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { filesUnder } from './support/files.js';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/** Every relative import of the TypeScript files under src/<room>, as room-relative paths. */
async function importsOf(room: string): Promise<{ from: string; to: string }[]> {
  // A room that does not exist has no imports (the first test says whether each one exists).
  const all = await filesUnder(join(src, room)).catch(() => [] as string[]);
  const files = all.filter((p) => p.endsWith('.ts'));
  const out: { from: string; to: string }[] = [];
  for (const file of files) {
    const info = ts.preProcessFile(await readFile(file, 'utf8'), true, true);
    for (const imported of info.importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      out.push({ from: relative(src, file), to: relative(src, resolve(dirname(file), imported.fileName)) });
    }
  }
  return out;
}

/** The imports from `rooms` into `forbidden`, as "from -> to" lines (empty when the rule holds). */
async function arrows(rooms: readonly string[], forbidden: string): Promise<string[]> {
  const all = (await Promise.all(rooms.map(importsOf))).flat();
  return all.filter((i) => i.to.startsWith(`${forbidden}/`)).map((i) => `${i.from} -> ${i.to}`);
}

describe('the printer without back arrows (issue 14.3)', () => {
  it('the rooms exist (so an empty result below is not a moved folder)', async () => {
    for (const room of ['ops', 'requests', 'secure', 'jobs']) expect((await filesUnder(join(src, room)).catch(() => [])).length, room).toBeGreaterThan(0);
  });

  it('secure/, jobs/ and requests/ import nothing from ops/', async () => {
    expect(await arrows(['secure', 'jobs', 'requests'], 'ops')).toEqual([]);
  });

  it('requests/ imports nothing from secure/ (it is below both ops/ and secure/)', async () => {
    expect(await arrows(['requests'], 'secure')).toEqual([]);
  });

  it('buildApp constructs in dependency order: no `undefined as unknown as` placeholder filled in later', async () => {
    const placeholders: string[] = [];
    for (const file of (await filesUnder(src)).filter((p) => p.endsWith('.ts'))) {
      if (/undefined as unknown as/.test(await readFile(file, 'utf8'))) placeholders.push(relative(src, file));
    }
    expect(placeholders).toEqual([]);
  });

  it('the parser sees the kinds of import the rule is about', () => {
    const text = "import { a } from '../ops/a.js';\nexport { b } from '../ops/b.js';\nconst c = await import('../ops/c.js');";
    expect(ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)).toEqual(['../ops/a.js', '../ops/b.js', '../ops/c.js']);
  });
});
