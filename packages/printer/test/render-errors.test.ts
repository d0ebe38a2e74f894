/**
 * The renderer's error registry: the codes exported, the codes documented in src/render/README.md
 * and the codes the worker protocol accepts agree; a RenderError keeps code, offset and cause.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RENDER_ERROR_CODES, RenderError } from '../src/render/index.js';
import { isRenderErrorCode } from '../src/render/errors.js';

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
