/** The error registry, its statuses and the README table agree (docs/style.md: errors are a registry). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IntermediaryError, IntermediaryErrorCode } from '../src/index.js';
import { statusCode } from '@trustnoone/ipp';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../README.md'), 'utf8');

describe('IntermediaryError registry', () => {
  it('every code is documented in the README table, and the table names no other', () => {
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.values(IntermediaryErrorCode).sort());
  });

  it('each documented status code matches the registry value', () => {
    for (const m of readme.matchAll(/^\| `[A-Z_]+` \| ([a-z-]+) \((0x[0-9A-F]{4})\)/gm)) {
      expect(statusCode(m[1]!), m[1]).toBe(Number(m[2]));
    }
  });

  it('keeps code, status and cause', () => {
    const cause = new Error('disk');
    const e = new IntermediaryError(IntermediaryErrorCode.jobNotFound, 'client-error-not-found', 'job 9 is not in the spool', { cause });
    expect([e.code, e.status, e.cause, e.name]).toEqual(['JOB_NOT_FOUND', 0x0406, cause, 'IntermediaryError']);
  });
});
