// Regenerates vectors/cms/ from fixed inputs:  cd packages/smime && npx tsx --conditions=source scripts/generate-cms-vectors.ts
// The test vectors-cms.test.ts regenerates them in memory and requires byte-identical output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildVectors, vectorsDir } from '../test/helpers/cms-vectors.js';

const { files, envelopes } = await buildVectors();
for (const [name, bytes] of files) {
  mkdirSync(dirname(join(vectorsDir, name)), { recursive: true });
  writeFileSync(join(vectorsDir, name), bytes);
}
writeFileSync(join(vectorsDir, 'manifest.json'), `${JSON.stringify(envelopes, null, 2)}\n`);
process.stdout.write(`wrote ${files.size} files to ${vectorsDir}\n`);
