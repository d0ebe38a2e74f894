/**
 * Issue 14 item 2, codec knowledge stays in the codec: the printer neither hard-codes DER
 * encodings (smime's contentInfoType says what a CMS object is) nor walks IPP framing itself
 * (@trustnoone/ipp's SectionScanner finds the end of an attribute section).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { filesUnder } from './support/files.js';

const src = fileURLToPath(new URL('../src/', import.meta.url));

async function sources(): Promise<{ path: string; text: string }[]> {
  const paths = (await filesUnder(src)).filter((p) => p.endsWith('.ts'));
  return Promise.all(paths.map(async (path) => ({ path: path.slice(src.length), text: await readFile(path, 'utf8') })));
}

describe('the printer asks the codecs instead of re-implementing them (issue 14.2)', () => {
  it('no source holds the DER bytes of an OID under 1.2.840.113549 (2A 86 48 86 F7 0D)', async () => {
    const der = /0x2a,\s*0x86,\s*0x48,\s*0x86,\s*0xf7,\s*0x0d/i;
    expect((await sources()).filter((s) => der.test(s.text)).map((s) => s.path)).toEqual([]);
  });

  it("the PIN-layer check uses smime's contentInfoType, the inner splitter ipp's SectionScanner", async () => {
    const byName = new Map((await sources()).map((s) => [s.path, s.text]));
    expect(byName.get('secure/pin-layer.ts')).toMatch(/import \{[^}]*\bcontentInfoType\b[^}]*\} from '@trustnoone\/smime'/);
    expect(byName.get('secure/inner-splitter.ts')).toMatch(/import \{[^}]*\bSectionScanner\b[^}]*\} from '@trustnoone\/ipp'/);
  });

  it('no source outside the codec walks IPP attribute framing (end-of-attributes-tag, name-length, value-length states)', async () => {
    const framing = /kind:\s*'(?:valueLen|len|tag)'|then:\s*'valueLen'/;
    expect((await sources()).filter((s) => framing.test(s.text)).map((s) => s.path)).toEqual([]);
  });
});
