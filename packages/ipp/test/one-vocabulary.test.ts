/**
 * @trustnoone/ipp is the only vocabulary (issue 14.1): no package outside it keeps its own table of
 * operation codes, status codes or enum values, or writes one as a raw number; they name them
 * through IppOperation, IppStatus, IppEnum (generated from the registry) and the registry lookups.
 * Pinned like the intermediary's blind-import test: a scan of every package's and the conformance
 * suite's sources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeOnly, scanSource, type Finding } from './vocabulary-scan.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

function scannedFiles(): string[] {
  const packages = readdirSync(join(repoRoot, 'packages')).filter((p) => p !== 'ipp');
  return [...packages.flatMap((p) => sources(join(repoRoot, 'packages', p, 'src'))), ...sources(join(repoRoot, 'conformance/src'))].map((f) => relative(repoRoot, f));
}

function findings(): Finding[] {
  return scannedFiles().flatMap((file) => scanSource(file, readFileSync(join(repoRoot, file), 'utf8')));
}

describe('one vocabulary: no package writes its own operation/status/enum table or raw code', () => {
  const all = findings();

  it('scans the sources of every package but ipp, and the conformance suite', () => {
    const files = scannedFiles();
    expect(files.length).toBeGreaterThan(200);
    for (const pkg of ['cli', 'client', 'intermediary', 'ipp-http', 'printer', 'profile', 'smime']) expect(files.some((f) => f.startsWith(`packages/${pkg}/src/`)), pkg).toBe(true);
    expect(files.some((f) => f.startsWith('packages/ipp/'))).toBe(false);
  });

  it('finds no local status/operation table and no raw operation or status literal', () => {
    expect(all.map((f) => `${f.file}:${f.line}: ${f.what}`)).toEqual([]);
  });

  it('the scan catches each kind of hand-written vocabulary, and not comments or named constants', () => {
    const caught = (code: string): string[] => scanSource('x.ts', code).map((f) => f.what);
    expect(caught("if (message.code === 0x0002) return;")).toEqual(['raw operation/status literal 0x0002']);
    expect(caught('const BUSY = new Set([0x0502, 0x0507]);')).toHaveLength(2);
    expect(caught('if (status >= 0x0100) fail();')).toEqual(['raw operation/status literal 0x0100']);
    expect(caught("const S = { 'client-error-bad-request': 1024 };")).toEqual(["table entry pairing 'client-error-bad-request' with a number"]);
    expect(caught("const NAMES = { 0x0400: 'client-error-bad-request' };")).toHaveLength(2);
    expect(caught("const Op = { 'Print-Job': 2 };")).toHaveLength(1);
    expect(caught("const PRINTER_STATE = { 3: 'idle', 4: 'processing', 5: 'stopped' };")).toHaveLength(3);
    expect(caught('const JobState = { pending: 3, pendingHeld: 4 };')).toEqual(['enum table entry pending = 3', 'enum table entry pendingHeld = 4']);
    expect(caught('const Status = { clientErrorNotFound: 1030 };')).toEqual(['table entry pairing clientErrorNotFound with a number']);
    // Not findings: comments, named constants, numbers that are no IPP code, strings that merely contain one.
    expect(caught('// Get-Jobs (0x000A) answers ...\n/* 0x0400 */ const a = IppOperation.getJobs;')).toEqual([]);
    expect(caught("const limit = { maxValueLength: 0xffff }; const tag = 0x4a; const m = '0x0400';")).toEqual([]);
    expect(caught("const pages = { 3: 'three' }; const x = { keyword: 'idle', count: 2 }; const y = { pending: 0, s: IppStatus.successfulOk };")).toEqual([]);
    expect(codeOnly("const u = 'http://x'; // gone\n")).toBe("const u = 'http://x'; \n");
  });
});
