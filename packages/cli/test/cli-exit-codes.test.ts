import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';

const doc = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));

describe('docs/cli.md and exit-codes.ts agree', () => {
  it('lists every exit status with its name, and nothing else', async () => {
    const text = await readFile(doc, 'utf8');
    const section = text.slice(text.indexOf('## Exit statuses'), text.indexOf('\n## ', text.indexOf('## Exit statuses') + 1));
    const rows = [...section.matchAll(/^\|\s*(\d+)\s*\|\s*([A-Za-z]+)\s*\|/gm)].map((m) => [m[2]!, Number(m[1])] as const);
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.fromEntries(rows)).toEqual({ ...ExitCode });
  });

  it('gives every exit status a distinct number', () => {
    const values = Object.values(ExitCode);
    expect(new Set(values).size).toBe(values.length);
  });
});
