// Issue 20, `tno smime seal` 1 GiB at 2× `openssl cms -encrypt`: half of a seal's time was the
// kernel copying the envelope into the page cache in the one thread writing the file (README,
// "Speed and memory"). sealFile and openFile now write outputs of 8 MiB and more with O_DIRECT from
// page-aligned blocks, padding the last block and truncating the file to its length; where the file
// system refuses O_DIRECT, the same bytes go through the page cache (docs/decisions.md D37).
import { randomFillSync } from 'node:crypto';
import { constants, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openFile, sealFile } from '@trustnoone/smime';
import { createTestPki, type TestPki } from './helpers/pki.js';
import { opensslOk } from './helpers/openssl.js';

/**
 * Every file the package opens, with its flags. `refuseDirectWrites` makes direct writes fail like
 * a file system without O_DIRECT; `swapAtDirectOpen` plays a local user who can write in the
 * output directory and, just before the O_DIRECT reopen, moves the new file away and puts their own
 * file, or a link to it, at its name.
 */
const opened: { path: string; direct: boolean }[] = [];
const fsMode: { refuseDirectWrites: boolean; swapAtDirectOpen?: { kind: 'file' | 'link'; target: string } } = { refuseDirectWrites: false };

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open = async (path: string, flags?: string | number, mode?: number): Promise<FileHandle> => {
    const direct = typeof flags === 'number' && (flags & constants.O_DIRECT) !== 0;
    opened.push({ path: String(path), direct });
    const swap = fsMode.swapAtDirectOpen;
    if (direct && swap) {
      await real.rename(path, `${path}.moved`);
      if (swap.kind === 'file') await real.writeFile(path, '');
      else await real.symlink(swap.target, path);
    }
    const fh = await real.open(path, flags, mode);
    if (!direct || !fsMode.refuseDirectWrites) return fh;
    return new Proxy(fh, {
      get(target, prop) {
        if (prop === 'write') return async () => Promise.reject(Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' }));
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
  return { ...real, open, default: { ...real, open } };
});

const MiB = 1024 * 1024;
let pki: TestPki;
let dir: string;
let large: { path: string; data: Buffer };

beforeAll(() => {
  pki = createTestPki();
  dir = mkdtempSync(join(tmpdir(), 'tno-direct-'));
  const data = randomFillSync(Buffer.alloc(8 * MiB + 4321));
  large = { path: join(dir, 'large'), data };
  writeFileSync(large.path, data);
});
beforeEach(() => {
  opened.length = 0;
  fsMode.refuseDirectWrites = false;
  fsMode.swapAtDirectOpen = undefined;
});

const decryptWithOpenssl = (env: string): Buffer =>
  opensslOk(['cms', '-decrypt', '-inform', 'DER', '-in', env, '-recip', pki.ids.p256.certPath, '-inkey', pki.ids.p256.keyPath]);
const directlyWritten = (dest: string): boolean => opened.some((o) => o.direct && o.path.includes(`.${dest.split('/').pop()}.`));

describe('issue 20: large outputs bypass the page cache', () => {
  it('sealFile of 8 MiB + 4321 bytes writes the envelope with O_DIRECT; openssl cms -decrypt restores the input', async () => {
    const env = join(dir, 'large.p7m');
    await sealFile(large.path, env, { recipients: [pki.ids.p256.certificate] });
    expect(directlyWritten(env)).toBe(true);
    expect(decryptWithOpenssl(env).equals(large.data)).toBe(true);
  });

  it('openFile of that envelope writes the plaintext with O_DIRECT, exact length, mode 0600', async () => {
    const env = join(dir, 'large2.p7m');
    await sealFile(large.path, env, { recipients: [pki.ids.p256.certificate] });
    opened.length = 0;
    const out = join(dir, 'large2.out');
    await openFile(env, out, { privateKey: pki.ids.p256.privateKey });
    expect(directlyWritten(out)).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out).equals(large.data)).toBe(true);
  });

  it('a file system refusing direct writes (EINVAL): seal and open write the same bytes through the page cache', async () => {
    fsMode.refuseDirectWrites = true;
    const env = join(dir, 'refused.p7m');
    await sealFile(large.path, env, { recipients: [pki.ids.p256.certificate] });
    expect(decryptWithOpenssl(env).equals(large.data)).toBe(true);
    const out = join(dir, 'refused.out');
    await openFile(env, out, { privateKey: pki.ids.p256.privateKey });
    expect(readFileSync(out).equals(large.data)).toBe(true);
    expect(opened.filter((o) => o.direct)).toHaveLength(2); // both tried O_DIRECT and fell back
  });

  it('inputs under 8 MiB are written through the page cache', async () => {
    const small = join(dir, 'small');
    const data = randomFillSync(Buffer.alloc(3 * MiB + 7));
    writeFileSync(small, data);
    const env = join(dir, 'small.p7m');
    await sealFile(small, env, { recipients: [pki.ids.p256.certificate] });
    expect(opened.some((o) => o.direct)).toBe(false);
    expect(decryptWithOpenssl(env).equals(data)).toBe(true);
  });

  for (const kind of ['file', 'link'] as const) {
    it(`threat: the plaintext's temporary file swapped for another ${kind} before the direct reopen: no plaintext reaches it`, async () => {
      const env = join(dir, `swap-${kind}.p7m`);
      await sealFile(large.path, env, { recipients: [pki.ids.p256.certificate] });
      const target = join(dir, `attacker-${kind}`);
      writeFileSync(target, '');
      fsMode.swapAtDirectOpen = { kind, target };
      opened.length = 0;
      const out = join(dir, `swap-${kind}.out`);
      await openFile(env, out, { privateKey: pki.ids.p256.privateKey }).catch(() => undefined);
      expect(opened.filter((o) => o.direct)).toHaveLength(1); // the reopen was tried
      expect(statSync(target).size).toBe(0);
      const moved = readdirSync(dir).filter((n) => n.startsWith(`.swap-${kind}.out.`) && n.endsWith('.moved'));
      expect(moved).toHaveLength(1); // the plaintext went to the file created, through its own descriptor
      expect(readFileSync(join(dir, moved[0]!)).equals(large.data)).toBe(true);
    });
  }
});
