/**
 * The renderer's error registry: the codes exported, the codes documented in src/render/README.md
 * and the codes the worker protocol accepts agree; a RenderError keeps code, offset and cause.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RENDER_ERROR_CODES, RenderError } from '../src/render/index.js';
import { isRenderErrorCode } from '../src/render/errors.js';
import { checkPages } from '../src/render/render-document.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './render-helpers.js';

describe('RenderError codes', () => {
  it('the README documents exactly the exported codes', () => {
    const readme = readFileSync(new URL('../src/render/README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## Tests'));
    const documented = [...table.matchAll(/^\| `(RENDER_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual([...RENDER_ERROR_CODES]);
  });

  it('keeps code, offset and cause; unknown codes are not accepted from a worker', () => {
    const cause = new Error('inner');
    const error = new RenderError('RENDER_MALFORMED', 'bad', { offset: 42, cause });
    expect([error.name, error.code, error.offset, error.cause]).toEqual(['RenderError', 'RENDER_MALFORMED', 42, cause]);
    expect(error).toBeInstanceOf(Error);
    expect(isRenderErrorCode('RENDER_TIMEOUT')).toBe(true);
    expect(isRenderErrorCode('EVIL')).toBe(false);
  });
});

describe("the worker's reply is checked before the printer uses it", () => {
  it('refuses page paths outside pages/NNN.png, bad sizes, missing files and too many pages', () => {
    const dir = tempDir('reply');
    try {
      mkdirSync(join(dir.path, 'pages'));
      writeFileSync(join(dir.path, 'pages', '001.png'), 'x');
      const good = { file: join('pages', '001.png'), width: 10, height: 10 };
      expect(() => checkPages([good], dir.path, 5)).not.toThrow();
      const cases: Array<[string, Parameters<typeof checkPages>[0], number]> = [
        ['escaping path', [{ ...good, file: '../../etc/passwd' }], 5],
        ['zero width', [{ ...good, width: 0 }], 5],
        ['fractional height', [{ ...good, height: 1.5 }], 5],
        ['file not written', [good, { file: join('pages', '002.png'), width: 1, height: 1 }], 5],
        ['no pages', [], 5],
        ['over maxPages', [good, good], 1],
      ];
      for (const [name, pages, max] of cases) {
        mkdirSync(join(dir.path, 'pages'), { recursive: true }); // a refusal removes pages/
        writeFileSync(join(dir.path, 'pages', '001.png'), 'x');
        let caught: unknown;
        try {
          checkPages(pages, dir.path, max);
        } catch (error) {
          caught = error;
        }
        expect((caught as RenderError)?.code, name).toBe('RENDER_WORKER_FAILED');
      }
    } finally {
      dir.remove();
    }
  });
});
