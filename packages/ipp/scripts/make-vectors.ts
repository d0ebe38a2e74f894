/**
 * Writes vectors/ipp/: copies of the shared captures (with their libcups decodings) and our own
 * messages from test/own-vectors.ts, each with its `tno ipp decode` JSON.
 * Run from the repo root: node node_modules/tsx/dist/cli.mjs --conditions=source packages/ipp/scripts/make-vectors.ts
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage, encodeMessage, messageToJson } from '@trustnoone/ipp';
import { OWN_VECTORS } from '../test/own-vectors.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const OUT = join(ROOT, 'vectors/ipp');
const SHARED = '/work/shared/vectors/ipp';

mkdirSync(join(OUT, 'captures'), { recursive: true });
mkdirSync(join(OUT, 'ours'), { recursive: true });
const json = (bytes: Uint8Array): string => `${JSON.stringify(messageToJson(decodeMessage(bytes)), null, 2)}\n`;

if (existsSync(SHARED)) {
  for (const f of readdirSync(SHARED)) {
    if (!f.endsWith('.bin') && !f.endsWith('.libcups.json')) continue;
    copyFileSync(join(SHARED, f), join(OUT, 'captures', f));
    if (f.endsWith('.bin')) {
      const { readFileSync } = await import('node:fs');
      writeFileSync(join(OUT, 'captures', f.replace(/\.bin$/, '.json')), json(readFileSync(join(SHARED, f))));
    }
  }
}
for (const [name, make] of Object.entries(OWN_VECTORS)) {
  const bytes = encodeMessage(make());
  writeFileSync(join(OUT, 'ours', `${name}.bin`), bytes);
  writeFileSync(join(OUT, 'ours', `${name}.json`), json(bytes));
}
console.log(`wrote ${OUT}`);
