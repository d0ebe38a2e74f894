/**
 * Issue 20, `tno smime open` of 1 GiB under 64 MiB peak RSS: the buffers in flight were flat, but
 * V8 doubled its young generation whenever enough objects had survived scavenges, which a long
 * stream always reaches (open of 1 GiB peaked at 63–67 MiB). The `tno` bin now keeps the young
 * generation at its starting size for the smime command. Checked on the built command as users
 * run it (the flag is set by bin/tno.js, so the in-process tests cannot see it); 64 MiB is enough
 * for the young generation to have doubled before.
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateToPem, createCertificateAuthority, createIdentity, privateKeyToPem, sealFile } from '@trustnoone/smime';

const ROOT = new URL('../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tno-young-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** V8's default starting young generation on 64-bit: two 1 MiB semi-spaces. */
const STARTING_NEW_SPACE = 2 * 1024 * 1024;

describe('issue 20: tno smime keeps V8 young generation at its starting size', () => {
  it('open of a 64 MiB envelope through bin/tno.js: new space stays at 2 MiB, plaintext restored', async () => {
    expect(existsSync(join(ROOT, 'packages/cli/dist/main.js')), 'build first: node node_modules/typescript/bin/tsc -b').toBe(true);
    const id = createIdentity({ commonName: 'young-gen printer', algorithm: 'p256', ca: createCertificateAuthority({ commonName: 'young-gen CA' }) });
    writeFileSync(join(dir, 'printer.key'), privateKeyToPem(id.privateKey));
    const data = randomFillSync(Buffer.alloc(64 * 1024 * 1024));
    writeFileSync(join(dir, 'job'), data);
    await sealFile(join(dir, 'job'), join(dir, 'job.p7m'), { recipients: [certificateToPem(id.certificate)] });
    const r = spawnSync(process.execPath, ['--import', join(ROOT, 'packages/cli/test/fixtures/report-new-space.mjs'), join(ROOT, 'packages/cli/bin/tno.js'), 'smime', 'open', '--key', join(dir, 'printer.key'), '--in', join(dir, 'job.p7m'), '--out', join(dir, 'job.out')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const newSpace = Number(/new_space_bytes=(\d+)/.exec(r.stderr)?.[1]);
    expect(newSpace, r.stderr).toBeGreaterThan(0);
    expect(newSpace).toBeLessThanOrEqual(STARTING_NEW_SPACE);
    expect(readFileSync(join(dir, 'job.out')).equals(data)).toBe(true);
  });
});
