import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Issue 14 item 7, a self-contained repository: every document that code, tests, vectors and docs
 * cite is a file of this repository, and every section they cite in it exists.
 *
 * A citation is a path ending in `.md` that names a repository folder (`docs/profile.md`,
 * `packages/printer/src/render/README.md`, `../../docs/cli.md`) or a markdown link target. What
 * follows a docs/ citation is checked too: `§3`, `§2–3`, `§2, §5` need numbered headings
 * (`## 3. ...`), `D6` a decision heading (`## D6. ...`), and `"Data at rest"` a heading with that
 * title. The founding notes once kept outside the repository may not be cited by their old names.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage']);
const TEXT_FILE = /\.(ts|mts|mjs|js|md|json|yaml|yml)$/;
const SKIP_FILES = new Set(['pnpm-lock.yaml']);

function textFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name) || SKIP_FILES.has(name)) continue;
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) textFiles(path, out);
    else if (TEXT_FILE.test(name) && stat.size < 2_000_000) out.push(path);
  }
  return out;
}

/** Comment markers and line breaks folded away, so a citation wrapped over two lines reads as one. */
function flatten(text: string): string {
  return text.replace(/\s*\n\s*(?:\*(?!\/)|\/\/|#+(?=\s))?\s*/g, ' ');
}

/** The package (or top-level folder) a file belongs to, for paths written relative to it. */
function packageRoot(file: string): string {
  const rel = relative(root, file).split(/[\\/]/);
  if (rel[0] === 'packages' && rel.length > 2) return join(root, rel[0], rel[1]!);
  return rel.length > 1 ? join(root, rel[0]!) : root;
}

function resolveCitation(file: string, target: string): string | undefined {
  const bases = target.startsWith('.') ? [dirname(file)] : [root, dirname(file), packageRoot(file)];
  for (const base of bases) {
    const path = resolve(base, target);
    if (path.startsWith(root) && existsSync(path)) return path;
  }
  return undefined;
}

interface Headings {
  numbers: Set<string>;
  titles: string[];
}

const headingCache = new Map<string, Headings>();
function headings(path: string): Headings {
  let found = headingCache.get(path);
  if (!found) {
    found = { numbers: new Set(), titles: [] };
    for (const m of readFileSync(path, 'utf8').matchAll(/^#{1,6} +(.+)$/gm)) {
      const line = m[1]!.trim();
      const numbered = /^(D?\d+(?:\.\d+)*)\.?\s+(.*)$/.exec(line);
      if (numbered) found.numbers.add(numbered[1]!);
      found.titles.push((numbered ? numbered[2]! : line).toLowerCase());
    }
    headingCache.set(path, found);
  }
  return found;
}

/** The §, D-number or quoted title written right after a citation, each checked against its file. */
function sectionProblems(path: string, after: string): string[] {
  const problems: string[] = [];
  const { numbers, titles } = headings(path);
  const refs = /^,?\s*((?:§\s*\d+(?:\.\d+)*(?:\s*[–-]\s*\d+)?(?:,\s*)?)+)/.exec(after);
  if (refs) {
    for (const m of refs[1]!.matchAll(/§\s*(\d+(?:\.\d+)*)(?:\s*[–-]\s*(\d+))?/g)) {
      const from = m[1]!;
      const wanted = [from];
      if (m[2]) for (let n = Number(from) + 1; n <= Number(m[2]); n++) wanted.push(String(n));
      for (const w of wanted) if (!numbers.has(w)) problems.push(`§${w}`);
    }
  }
  const decision = /^,?\s*(D\d+)\b/.exec(after);
  if (decision && !numbers.has(decision[1]!)) problems.push(decision[1]!);
  const title = /^,?\s*"([A-Z][^"]{2,80})"/.exec(after);
  if (title) {
    const wanted = title[1]!.toLowerCase();
    if (!titles.some((t) => t.startsWith(wanted))) problems.push(`"${title[1]}"`);
  }
  return problems;
}

const files = textFiles(root).filter((f) => f !== fileURLToPath(import.meta.url));
const thisFile = fileURLToPath(import.meta.url);

/** `docs/x.md`, `../../docs/x.md`, `packages/p/README.md`, `src/render/README.md`, ... */
const PATH_CITATION = /(?<![\w./*@:-])((?:\.\.?\/)*(?:docs|packages|conformance|vectors|src|scripts)\/[\w./-]*?\.md)(?![\w/-])/g;
const MD_LINK = /\]\(([^)\s#]+\.md)(?:#[^)]*)?\)/g;

describe('doc citations resolve inside the repository (issue 14.7)', () => {
  it('finds citations to check (the scan itself works)', () => {
    expect(files.length).toBeGreaterThan(200);
    const cited = files.filter((f) => /docs\/spec-notes\.md §\d/.test(flatten(readFileSync(f, 'utf8'))));
    expect(cited.length).toBeGreaterThan(50);
  });

  it('no file cites the founding notes by their old names outside the repository', () => {
    const legacy = new RegExp(
      ['SPEC' + '-NOTES', 'ARCHITECTURE' + '\\.md', '(?<![\\w/])ARCHI' + 'TECTURE "', '(?<![\\w/])STYLE' + '\\.md', 'shared/' + 'docs'].join('|'),
    );
    const offenders = [...files, thisFile]
      .filter((f) => legacy.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });

  it('every cited .md file exists, and every cited section, decision or titled part is in it', () => {
    const problems: string[] = [];
    for (const file of files) {
      const text = flatten(readFileSync(file, 'utf8'));
      const targets: { target: string; after: string }[] = [];
      for (const m of text.matchAll(PATH_CITATION)) {
        targets.push({ target: m[1]!, after: text.slice(m.index! + m[0].length, m.index! + m[0].length + 200) });
      }
      if (file.endsWith('.md')) for (const m of text.matchAll(MD_LINK)) if (!/^[a-z]+:/.test(m[1]!)) targets.push({ target: m[1]!, after: '' });
      for (const { target, after } of targets) {
        const where = `${relative(root, file)}: ${target}`;
        const path = resolveCitation(file, target);
        if (!path) {
          problems.push(`${where} does not exist in the repository`);
          continue;
        }
        for (const missing of sectionProblems(path, after)) problems.push(`${where} ${missing} is not a heading of ${relative(root, path)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('a citation to a missing file or section is caught (the check can fail)', () => {
    const specNotes = join(root, 'docs/spec-notes.md');
    expect(sectionProblems(specNotes, ' §3).')).toEqual([]);
    expect(sectionProblems(specNotes, ' §2–3, §5')).toEqual([]);
    expect(sectionProblems(specNotes, ' §9')).toEqual(['§9']);
    expect(sectionProblems(specNotes, ' §6–8')).toEqual(['§8']);
    expect(sectionProblems(join(root, 'docs/architecture.md'), ' "Data at rest"')).toEqual([]);
    expect(sectionProblems(join(root, 'docs/architecture.md'), ' "Data at sea"')).toEqual(['"Data at sea"']);
    expect(sectionProblems(join(root, 'docs/decisions.md'), ' D1.')).toEqual([]);
    expect(sectionProblems(join(root, 'docs/decisions.md'), ' D999')).toEqual(['D999']);
    expect(resolveCitation(join(root, 'README.md'), 'docs/no-such-note.md')).toBeUndefined();
  });
});
