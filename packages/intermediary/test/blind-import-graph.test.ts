/**
 * Blind by construction (issue 5, docs/architecture.md "Packages and what they may import": the
 * intermediary's import list is a security property): nothing reachable from
 * packages/intermediary/src — our sources, the workspace packages
 * they import (followed into their sources) and every npm dependency below them — may reach
 * @trustnoone/smime, pkijs, or node:crypto's decryption and private-key functions.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { walkImports, type Graph } from './fixtures/import-graph.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const srcDir = resolve(here, '../src');

const FORBIDDEN_MODULES = ['@trustnoone/smime', 'pkijs', '@peculiar/webcrypto', 'node-forge', '@noble/curves'];
/** node:crypto entry points that decrypt or handle private keys. */
const FORBIDDEN_CALLS = /\b(createDecipheriv|privateDecrypt|publicDecrypt|diffieHellman|createPrivateKey|createDiffieHellman|createECDH|privateEncrypt)\b/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

function violations(graph: Graph): string[] {
  const out: string[] = [];
  for (const node of graph.files.values()) {
    for (const m of node.modules) if (FORBIDDEN_MODULES.includes(m)) out.push(`${node.file} imports ${m}`);
    if (node.file.includes(`${'/packages/'}smime/`)) out.push(`${node.file} is part of @trustnoone/smime`);
    const call = FORBIDDEN_CALLS.exec(node.text);
    if (call) out.push(`${node.file} mentions ${call[1]}`);
  }
  return out;
}

describe('the intermediary cannot decrypt: import graph', () => {
  const graph = walkImports(repoRoot, sources(srcDir));

  it('follows workspace packages into their sources and npm dependencies into their code', () => {
    const files = [...graph.files.keys()];
    expect(graph.modules).toContain('@trustnoone/ipp');
    expect(graph.modules).toContain('@trustnoone/ipp-http');
    expect(graph.modules).toContain('fastify');
    expect(files.some((f) => f.includes('/packages/ipp/src/'))).toBe(true);
    expect(files.some((f) => f.includes('/node_modules/') && f.includes('pino'))).toBe(true);
    // The PostgreSQL store's driver (issue 17) is walked too: the shared store is no way around.
    expect(files.some((f) => f.includes('/node_modules/') && f.includes('/pg/lib/'))).toBe(true);
    expect(files.some((f) => f.includes('/node_modules/') && f.includes('/pg-protocol/'))).toBe(true);
    expect(graph.files.size).toBeGreaterThan(150);
    expect(graph.unresolved).toEqual([]);
  });

  it('reaches no decryption, private-key or CMS code', () => {
    expect(violations(graph)).toEqual([]);
  });

  it('the check itself catches a forbidden import and a forbidden call (so it can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tno-graph-'));
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nimport '@trustnoone/smime';\nexport const a = b;\n");
    writeFileSync(join(dir, 'b.ts'), "import { createDecipheriv } from 'node:crypto';\nexport const b = createDecipheriv;\n");
    const found = violations(walkImports(repoRoot, [join(dir, 'a.ts')]));
    expect(found.some((v) => v.includes('imports @trustnoone/smime'))).toBe(true);
    expect(found.some((v) => v.includes('mentions createDecipheriv'))).toBe(true);
  });
});
